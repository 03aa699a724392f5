// The embedded node's replicator writes checkpoints at CouchDB's pace (checkpoint_interval), not
// after every batch as PouchDB does: across a WAN each write is two round trips on the far end.
// In-process node, real HTTP through a counting proxy, PouchDB's own replication on top.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PouchDB from 'pouchdb-node';
import { remote } from '../../server/node/remote-db.ts';
import { CheckpointCache } from '../../server/node/checkpoints.ts';
import { countingProxy, type CountingProxy } from '../support/counting-proxy.ts';
import { inProcessNode, type InProcessNode } from '../support/in-process-node.ts';
import { until } from './harness.ts';

let node: InProcessNode;
let proxy: CountingProxy;
const auth = { username: 'admin', password: 'secret' };
const call = (method: string, path: string, body?: unknown) => node.call(method, path, body);

beforeAll(async () => {
  node = await inProcessNode('ck');
  proxy = await countingProxy(`http://127.0.0.1:${node.port}`);
});
afterAll(async () => {
  await proxy?.close();
  await node?.close();
});

/** Replicates src → dst live, writing `n` documents one at a time, each after the one before arrived. */
async function trickle(src: string, dst: string, n: number, caches: CheckpointCache[] | null) {
  await call('PUT', `/${src}`);
  await call('PUT', `/${dst}`);
  const wrap = caches ? (send: any) => {
    const c = new CheckpointCache(send, 600_000);
    caches.push(c);
    return c.fetch;
  } : undefined;
  const end = (db: string) => remote({ url: `${proxy.url}/${db}`, auth: { basic: auth } }, undefined, undefined, wrap);
  const rep = PouchDB.replicate(end(src), end(dst), { live: true, retry: true });
  proxy.reset();
  for (let i = 0; i < n; i++) {
    await call('PUT', `/${src}/d${i}`, { i });
    await until(async () => (await call('GET', `/${dst}/d${i}`)).status === 200);
  }
  const puts = (db: string) => proxy.seen.filter((s) => s.startsWith(`PUT /${db}/_local/`)).length;
  const counts = { src: puts(src), dst: puts(dst) };
  rep.cancel();
  return { counts, rep };
}

/** The checkpoint document a replication left on one end (its id as the proxy saw it written). */
let written: string[] = [];
async function checkpointOf(db: string) {
  const put = written.find((s) => s.startsWith(`PUT /${db}/_local/`))!;
  return (await call('GET', put.slice(4))).body;
}

describe('replication checkpoints', () => {
  it('without the cache, PouchDB writes a checkpoint on both ends after every batch (the proxy sees them)', async () => {
    const { counts } = await trickle('plain-src', 'plain-dst', 12, null);
    expect(counts.dst).toBeGreaterThanOrEqual(10);
    expect(counts.src).toBeGreaterThanOrEqual(10);
  });

  it('with it, a checkpoint is written once an interval and when the job ends, and a restart resumes from it', async () => {
    const caches: CheckpointCache[] = [];
    const { counts } = await trickle('ck-src', 'ck-dst', 12, caches);
    // The first checkpoint goes at once (nothing written yet this interval); the others wait.
    expect(counts.dst).toBe(1);
    expect(counts.src).toBe(1);
    proxy.reset();
    await Promise.all(caches.map((c) => c.close()));
    written = [...proxy.seen];
    expect(proxy.seen.filter((s) => s.includes('/_local/') && s.startsWith('PUT')).length).toBe(2);
    const [a, b] = [await checkpointOf('ck-src'), await checkpointOf('ck-dst')];
    const srcSeq = (await call('GET', '/ck-src')).body.update_seq;
    expect(a.session_id).toBe(b.session_id);
    expect(parseInt(String(a.last_seq), 10)).toBe(parseInt(String(srcSeq), 10));
    expect(b.last_seq).toBe(a.last_seq);
    // A new replication of the same pair starts from there: it reads nothing again.
    const again = await PouchDB.replicate(
      remote({ url: `${proxy.url}/ck-src`, auth: { basic: auth } }),
      remote({ url: `${proxy.url}/ck-dst`, auth: { basic: auth } }),
    );
    expect(again.docs_read).toBe(0);
  });

  it('a checkpoint somebody else wrote meanwhile is written over on its current revision', async () => {
    await call('PUT', '/ck-other');
    const send = (u: string, o: any) => fetch(u, { ...o, headers: { ...Object.fromEntries(new Headers(o.headers)), authorization: node.authz } });
    const c = new CheckpointCache(send as any, 600_000);
    const url = `http://127.0.0.1:${node.port}/ck-other/_local/x`;
    const read = async () => (await c.fetch(url, { method: 'GET', headers: new Headers() })).json();
    const write = (doc: any) => c.fetch(url, { method: 'PUT', headers: new Headers(), body: JSON.stringify(doc) });
    expect((await read()).error).toBe('not_found');
    expect((await write({ _id: '_local/x', n: 1 })).status).toBe(201);
    const told = await read();
    await write({ ...told, n: 2 }); // waits for the interval
    expect((await call('GET', '/ck-other/_local/x')).body.n).toBe(1);
    const real = (await call('GET', '/ck-other/_local/x')).body;
    expect((await call('PUT', '/ck-other/_local/x', { ...real, n: 99 })).status).toBe(201);
    await c.close();
    expect((await call('GET', '/ck-other/_local/x')).body.n).toBe(2);
  });
});
