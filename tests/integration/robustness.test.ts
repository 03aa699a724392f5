// No request from anyone may stop a node: garbage at every route, then the
// node must still answer and hold exactly the data it held before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startCluster, until, type TestCluster } from './harness.ts';
import { seed } from '../../server/ops/seed.ts';
import { defaultDemoOptions } from '../../server/ops/demo-data.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startCluster(['BDG']);
  await seed(c.topology, c.secrets, { ...defaultDemoOptions(), products: 20, usersPerRegion: 3, ordersPerRegion: 20 });
  // Let the catalog finish arriving, so "unchanged" compares a quiet node.
  const count = async (code: string) => (await c.admin(code).ok('GET', '/catalog')).doc_count;
  expect(await until(async () => (await count('BDG')) === (await count('PUSAT')), 30_000)).toBe(true);
});
afterAll(async () => c?.stop());

/** Raw HTTP, so malformed requests really are malformed on the wire. */
function raw(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<number>((resolve) => {
    const u = new URL(base);
    const req = request({ hostname: u.hostname, port: u.port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve(-1));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const snapshot = async (code: string) => {
  const out: Record<string, string[]> = {};
  for (const db of ['catalog', 'inventory', 'ops', '_users', '_replicator']) {
    out[db] = (await c.admin(code).allDocs(db, 'include_docs=false')).map((r: any) => `${r.id}@${r.value.rev}`);
  }
  return out;
};

const DBS = ['catalog', 'inventory', 'ops', '_users', '_replicator', 'nope', 'BAD NAME', '_global_changes'];
const JUNK_BODIES = ['{', '[1,2', 'null', '42', '"str"', '{"docs": 5}', '{"docs": [null, 1, "x", [], {"_id": 5}]}', '\u0000\u0001', '{"selector": "x"}', '{"selector": {"$nope": 1}}', '{"keys": "x"}', '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}'];
const PATHS = [
  '/', '/_all_dbs', '/_session', '/_uuids?count=abc', '/_uuids?count=100000000', '/_scheduler/docs', '/_active_tasks', '/_nope', '/%', '/%E0%A4%A', '/_node/_local/_config',
  ...DBS.flatMap((db) => {
    const d = encodeURIComponent(db);
    return [
      `/${d}`, `/${d}/_all_docs?limit=abc`, `/${d}/_all_docs?keys=notjson`, `/${d}/_all_docs?startkey=%22a`, `/${d}/_bulk_docs`, `/${d}/_bulk_docs?new_edits=false`, `/${d}/_bulk_get`, `/${d}/_revs_diff`,
      `/${d}/_changes?since=garbage`, `/${d}/_changes?filter=_selector`, `/${d}/_changes?filter=_doc_ids&doc_ids=x`, `/${d}/_changes?filter=ddoc/none`, `/${d}/_changes?feed=longpoll&timeout=50`, `/${d}/_changes?feed=continuous&timeout=50`, `/${d}/_changes?feed=weird`, `/${d}/_changes?limit=-1`,
      `/${d}/_find`, `/${d}/_index`, `/${d}/_security`, `/${d}/_design/sebaran`, `/${d}/_design/sebaran/_view/by_type?group_level=x`, `/${d}/_design/none/_view/x`, `/${d}/_design/sebaran/_view/none`,
      `/${d}/_local/x`, `/${d}/doc-x`, `/${d}/doc-x/att.png`, `/${d}/product:SEM-00001?open_revs=notjson`, `/${d}/product:SEM-00001?open_revs=["1-x"]`, `/${d}/product:SEM-00001?rev=bogus`, `/${d}/_compact`, `/${d}/_purge`, `/${d}/_nope`,
    ];
  }),
];
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'COPY', 'PATCH', 'OPTIONS'];

describe('robustness', () => {
  it('survives garbage at every route from anonymous and authenticated callers, data intact', async () => {
    const node = c.topology.regions[0].url;
    const before = await snapshot('BDG');
    const shopperAuth = { Authorization: 'Basic ' + Buffer.from('pembeli.bdg:belanja-123').toString('base64') };
    const wrongAuth = { Authorization: 'Basic ' + Buffer.from('nobody:wrong').toString('base64') };
    const badAuth = { Authorization: 'Basic !!!notbase64', Cookie: 'AuthSession=%%%garbage' };
    const statuses = new Map<number, number>();
    const dropped: string[] = [];
    const serverErrors: string[] = [];
    let sent = 0;
    for (const path of PATHS) {
      const batch: Promise<number>[] = [];
      for (const method of METHODS) {
        for (const [i, headers] of [{}, shopperAuth, wrongAuth, badAuth].entries()) {
          const body = JUNK_BODIES[(sent + i) % JUNK_BODIES.length];
          batch.push(
            raw(node, method, path, method === 'GET' ? undefined : body, { 'Content-Type': 'application/json', ...headers }).then((s) => {
              if (s === -1) dropped.push(`${method} ${path} (${i})`);
              if (s >= 500 && s !== 501) serverErrors.push(`${method} ${path} (${i}): ${s}`);
              return s;
            }),
          );
          sent++;
        }
      }
      for (const s of await Promise.all(batch)) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    expect(sent).toBeGreaterThan(1000);
    expect(dropped, 'connections dropped').toEqual([]);
    // Bad input is the caller's fault: a 4xx naming it, never a 500 from us.
    expect(serverErrors).toEqual([]);
    expect((await c.anon('BDG').request('GET', '/')).status).toBe(200);
    expect(await snapshot('BDG')).toEqual(before);
  });

  it('refuses a huge body with 413 and goes on', async () => {
    const node = c.topology.regions[0].url;
    const huge = Buffer.alloc(70 * 1024 * 1024, 'a');
    const admin = { Authorization: 'Basic ' + Buffer.from(`${c.secrets.admin.name}:${c.secrets.admin.password}`).toString('base64') };
    const status = await raw(node, 'POST', '/ops/_bulk_docs', huge, { 'Content-Type': 'application/json', 'Content-Length': String(huge.length), ...admin });
    expect([413, -1]).toContain(status); // the node may close the socket after answering
    expect((await c.anon('BDG').request('GET', '/_up')).status).toBe(200);
  });

  it('survives a malformed HTTP request line and a client that hangs up mid-body', async () => {
    const { connect } = await import('node:net');
    const u = new URL(c.topology.regions[0].url);
    await new Promise<void>((resolve) => {
      const s = connect(Number(u.port), u.hostname, () => {
        s.write('GARBAGE / HTTP/9.9\r\n\r\n');
        s.write('POST /ops/_bulk_docs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"docs": [');
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 200);
      });
      s.on('error', () => resolve());
    });
    expect((await c.anon('BDG').request('GET', '/_up')).status).toBe(200);
  });
});
