// The `_replicator` database and `/_scheduler` as CouchDB 3 runs them: one
// continuous, selector-filtered replication between two nodes of the same
// engine with Basic credentials in the endpoint objects (exactly how `init`
// wires Sebaran's lanes), its scheduler entry, failing jobs, and stopping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, createDb, createUser, isErrorShape, type BareNodes, type Bare } from './nodes.ts';
import { waitFor } from '../../server/couch-client.ts';
import { createServer, type Socket, type AddressInfo } from 'node:net';

let env: BareNodes;
let a: Bare;
let b: Bare;
const until = (check: () => Promise<boolean>) => waitFor(check, 60_000, 200);
const ep = (url: string, db: string, password = 'pw-rep') => ({ url: `${url}/${db}`, auth: { basic: { username: 'rep', password } } });
const entry = (id: string) => a.admin.request('GET', `/_scheduler/docs/_replicator/${id}`);
const stateOf = async (id: string) => (await entry(id)).json?.state;

beforeAll(async () => {
  env = await startNodes(2);
  [a, b] = env.nodes;
  for (const [node, db] of [[a, 'src'], [b, 'dst'], [b, 'other']] as const) {
    if (!(await node.admin.getDoc('_users', 'org.couchdb.user:rep'))) await createUser(node.admin, 'rep', 'pw-rep');
    await createDb(node.admin, db, { members: ['rep'] });
  }
  await a.admin.ok('PUT', '/_replicator/bdg-lane', {
    source: ep(a.url, 'src'), target: ep(b.url, 'dst'), continuous: true, selector: { region: 'BDG' },
  });
});
afterAll(async () => env?.stop());

describe('a continuous replication with a selector', () => {
  it('carries matching documents and leaves the others behind', async () => {
    await a.admin.bulk('src', [{ _id: 'j1', region: 'JKT' }, { _id: 'b1', region: 'BDG' }]);
    expect(await until(async () => (await b.admin.getDoc('dst', 'b1')) !== null)).toBe(true);
    // A later matching write arriving proves the lane has read past j1.
    await a.admin.ok('PUT', '/src/b2', { region: 'BDG' });
    expect(await until(async () => (await b.admin.getDoc('dst', 'b2')) !== null)).toBe(true);
    expect(await b.admin.getDoc('dst', 'j1')).toBeNull();
  });

  it('carries updates and deletions of matching documents', async () => {
    const doc = await a.admin.getDoc('src', 'b1');
    const upd = await a.admin.ok('PUT', '/src/b1', { ...doc, note: 'changed' });
    expect(await until(async () => (await b.admin.getDoc('dst', 'b1'))?._rev === upd.rev)).toBe(true);
    // A plain DELETE leaves a tombstone with only _id, which a body selector no longer matches (so
    // Sebaran's lanes select on _id); a deletion that keeps the selected field travels the lane.
    await a.admin.ok('PUT', `/src/b1?rev=${upd.rev}`, { region: 'BDG', _deleted: true });
    expect(await until(async () => (await b.admin.request('GET', '/dst/b1')).status === 404)).toBe(true);
  });

  it('/_scheduler/docs lists it as running, credentials stripped from the URLs', async () => {
    expect(await until(async () => (await stateOf('bdg-lane')) === 'running')).toBe(true);
    const all = await a.admin.ok('GET', '/_scheduler/docs');
    expect(all).toMatchObject({ offset: 0 });
    expect(all.total_rows).toBe(all.docs.length);
    const mine = all.docs.find((d: any) => d.doc_id === 'bdg-lane');
    expect(mine).toMatchObject({ database: '_replicator', doc_id: 'bdg-lane', state: 'running', error_count: 0 });
    expect(mine.source).toBe(`${a.url}/src/`);
    expect(mine.target).toBe(`${b.url}/dst/`);
    expect(JSON.stringify(mine)).not.toContain('pw-rep');
    expect(typeof mine.id).toBe('string');
    expect(typeof mine.start_time).toBe('string');
    expect(typeof mine.last_updated).toBe('string');
  });

  it('/_scheduler/docs/_replicator/<id> answers that one entry, with counters in info', async () => {
    const r = await entry('bdg-lane');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ database: '_replicator', doc_id: 'bdg-lane', state: 'running' });
    expect(r.json.info.docs_written).toBeGreaterThanOrEqual(2);
    expect(r.json.info.doc_write_failures).toBe(0);
    expect(r.json.info).toHaveProperty('checkpointed_source_seq');
    const none = await a.admin.request('GET', '/_scheduler/docs/_replicator/nope');
    expect([none.status, none.json]).toEqual([404, { error: 'not_found', reason: 'missing' }]);
  });

  it('/_scheduler/jobs lists the running job with its doc_id', async () => {
    const r = await a.admin.ok('GET', '/_scheduler/jobs');
    expect(r.total_rows).toBe(r.jobs.length);
    const job = r.jobs.find((j: any) => j.doc_id === 'bdg-lane');
    expect(job).toMatchObject({ database: '_replicator', doc_id: 'bdg-lane', source: `${a.url}/src/`, target: `${b.url}/dst/` });
  });
});

describe('replications that cannot run', () => {
  // CouchDB reports an unreachable target, a missing target database and a refused password all as
  // "crashing" (it retries with back-off) with the error in info.error; "failed" is for documents it cannot parse.
  const cases: Array<[string, object]> = [
    ['no-port', { target: ep('http://127.0.0.1:1', 'dst') }],
    ['no-db', { target: ep('', 'nodb') }],
    ['bad-password', { target: ep('', 'dst', 'wrong') }],
  ];
  for (const [id, spec] of cases) {
    it(`${id}: state crashing, an error in info, error_count above zero`, async () => {
      const target = (spec as any).target;
      if (!target.url.startsWith('http')) target.url = `${b.url}${target.url}`;
      await a.admin.ok('PUT', `/_replicator/${id}`, { source: ep(a.url, 'src'), target, continuous: true });
      expect(await until(async () => (await stateOf(id)) === 'crashing')).toBe(true);
      const r = (await entry(id)).json;
      expect(typeof r.info.error).toBe('string');
      expect(r.error_count).toBeGreaterThan(0);
    });
  }

  it('a peer that accepts and never answers: the document\'s own connection_timeout gives up on it', async () => {
    // A TCP server that takes connections and says nothing, as a half-open link or a hung node.
    const held: Socket[] = [];
    const silent = createServer((sock) => void held.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const t0 = Date.now();
      await a.admin.ok('PUT', '/_replicator/silent', { source: ep(a.url, 'src'), target: ep(url, 'dst'), continuous: true, connection_timeout: 1000 });
      expect(await until(async () => (await stateOf('silent')) === 'crashing')).toBe(true);
      expect(typeof (await entry('silent')).json.info.error).toBe('string');
      // Both nodes give up on a silent peer after 45 s of their own (local.ini; the embedded node's
      // idle limit): a job crashing sooner did so by its document's 1 s.
      expect(Date.now() - t0).toBeLessThan(40_000);
    } finally {
      const d = await a.admin.getDoc('_replicator', 'silent');
      if (d) await a.admin.ok('DELETE', `/_replicator/silent?rev=${d._rev}`);
      for (const sock of held) sock.destroy();
      silent.close();
    }
  });

  it('a replication document without a target, or with a local endpoint, is refused with 403 forbidden', async () => {
    for (const [id, doc] of [['no-target', { source: ep(a.url, 'src') }], ['local', { source: 'src', target: 'dst' }]] as const) {
      const r = await a.admin.request('PUT', `/_replicator/${id}`, doc);
      expect([r.status, r.json.error], id).toEqual([403, 'forbidden']);
      expect(isErrorShape(r.json)).toBe(true);
      expect(await a.admin.getDoc('_replicator', id)).toBeNull();
    }
  });
});

describe('deleting the document', () => {
  it('stops the replication: the scheduler forgets it and later writes stay behind', async () => {
    const doc = await a.admin.getDoc('_replicator', 'bdg-lane');
    await a.admin.ok('DELETE', `/_replicator/bdg-lane?rev=${doc._rev}`);
    expect(await until(async () => (await entry('bdg-lane')).status === 404)).toBe(true);
    const noTask = async () => (await a.admin.ok('GET', '/_active_tasks')).every((t: any) => t.doc_id !== 'bdg-lane');
    expect(await until(noTask)).toBe(true);
    await a.admin.ok('PUT', '/src/after-stop', { region: 'BDG' });
    // A fresh one-shot replication of the same source to another database does carry it: it could have gone.
    await a.admin.ok('PUT', '/_replicator/probe', { source: ep(a.url, 'src'), target: ep(b.url, 'other'), doc_ids: ['after-stop'] });
    expect(await until(async () => (await b.admin.getDoc('other', 'after-stop')) !== null)).toBe(true);
    expect(await b.admin.getDoc('dst', 'after-stop')).toBeNull();
  });
});
