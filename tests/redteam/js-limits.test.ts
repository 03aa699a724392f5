// Server-admin JavaScript that never returns cannot take a node down: a looping
// validate_doc_update or reduce is cut off by a time limit (CouchDB: its couchjs
// process's os_process_timeout, 5 s; the embedded node: the sandbox's limit, 5 s),
// the request gets an error, and the node answers everyone else. A looping reduce
// holds the embedded node's event loop until its limit (it runs there); CouchDB's not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, type TestCluster } from '../../server/throwaway-cluster.ts';
import type { Couch } from '../../server/couch-client.ts';

let c: TestCluster;
let admin: Couch;
const LOOP = 'function () { while (true) {} }';

beforeAll(async () => {
  c = await startCluster(['BDG'], { init: false });
  admin = c.admin('BDG');
  for (const db of ['loopy', 'bystander', 'reducer']) await admin.ok('PUT', `/${db}`);
  await admin.ok('PUT', '/bystander/here', { n: 1 });
});
afterAll(async () => c?.stop());

/** Runs `slow` and, once it is sent, `others`; says which answered first. */
async function race(slow: () => Promise<{ status: number; json: any }>, others: Array<() => Promise<{ status: number; json: any }>>) {
  const order: string[] = [];
  const s = slow().then((r) => (order.push('slow'), r));
  const o = Promise.all(others.map((f, i) => f().then((r) => (order.push(`other${i}`), r))));
  return { slow: await s, others: await o, order };
}

describe('a looping validate_doc_update', () => {
  it('fails the write with 500 os_process_error; other requests and databases are answered while it loops', async () => {
    await admin.ok('PUT', '/loopy/_design/rules', { validate_doc_update: LOOP });
    const { slow, others, order } = await race(
      () => admin.request('PUT', '/loopy/one', { n: 1 }),
      [() => c.anon('BDG').request('GET', '/_up'), () => admin.request('GET', '/bystander/here')],
    );
    expect([slow.status, slow.json.error, slow.json.reason]).toEqual([500, 'os_process_error', 'OS process timed out.']);
    expect(others.map((r) => r.status)).toEqual([200, 200]);
    // Answered while the validator loops: CouchDB runs it in a couchjs process, the embedded
    // node in a worker thread once it has held the event loop for 100 ms.
    expect(order.indexOf('slow')).toBe(2);
    expect(await admin.request('GET', '/loopy/one').then((r) => r.status)).toBe(404);
  }, 60_000);

  it('a _bulk_docs under it answers 201 with os_process_error for each document, storing none', async () => {
    const r = await admin.request('POST', '/loopy/_bulk_docs', { docs: [{ _id: 'a' }, { _id: 'b' }] });
    expect(r.status).toBe(201);
    expect(r.json.map((x: any) => [x.id, x.error, x.reason])).toEqual([
      ['a', 'os_process_error', 'OS process timed out.'],
      ['b', 'os_process_error', 'OS process timed out.'],
    ]);
    const all = await admin.ok('GET', '/loopy/_all_docs');
    expect(all.rows.map((x: any) => x.id)).toEqual(['_design/rules']);
  }, 60_000);

  it('once the design document is fixed, writes work again', async () => {
    const ddoc = await admin.ok('GET', '/loopy/_design/rules');
    const fixed = 'function (doc) { if (doc.n === 13) throw { forbidden: "no thirteen" }; }';
    await admin.ok('PUT', '/loopy/_design/rules', { ...ddoc, validate_doc_update: fixed });
    // The looping process is cut off and replaced; on a loaded machine the first write may still meet
    // the old one's time-out (seen once in a full CouchDB pass), so writes must work again soon, not at once.
    const seen: string[] = [];
    const written = await until(async () => {
      const r = await admin.request('PUT', '/loopy/one', { n: 1 });
      if (r.status !== 201) seen.push(`${r.status} ${r.json?.error}`);
      return r.status === 201;
    }, 30_000);
    expect(written, seen.join(', ')).toBe(true);
    expect(seen.every((s) => s.startsWith('500 ')), seen.join(', ')).toBe(true);
    const refused = await admin.request('PUT', '/loopy/two', { n: 13 });
    expect([refused.status, refused.json.reason]).toEqual([403, 'no thirteen']);
  }, 60_000);
});

describe('a looping custom reduce', () => {
  it('fails the query with 500; the node answers other requests, and the map side of another view still works', async () => {
    await admin.ok('POST', '/reducer/_bulk_docs', { docs: [{ _id: 'x', n: 1 }, { _id: 'y', n: 2 }] });
    await admin.ok('PUT', '/reducer/_design/ok', { views: { byN: { map: 'function (doc) { emit(doc.n, 1); }' } } });
    await admin.ok('PUT', '/reducer/_design/bad', {
      views: { total: { map: 'function (doc) { emit(doc.n, doc.n); }', reduce: 'function (keys, values, rereduce) { while (true) {} }' } },
    });
    const { slow, others } = await race(
      () => admin.request('GET', '/reducer/_design/bad/_view/total'),
      [() => c.anon('BDG').request('GET', '/_up'), () => admin.request('GET', '/bystander/here')],
    );
    expect([slow.status, slow.json.error, slow.json.reason]).toEqual([500, 'os_process_error', 'OS process timed out.']);
    expect(others.map((r) => r.status)).toEqual([200, 200]);
    const ok = await admin.ok('GET', '/reducer/_design/ok/_view/byN');
    expect(ok.rows.map((r: any) => r.key)).toEqual([1, 2]);
  }, 90_000);

  it('once the reduce is fixed, the view reduces again', async () => {
    const ddoc = await admin.ok('GET', '/reducer/_design/bad');
    ddoc.views.total.reduce = 'function (keys, values, rereduce) { return sum(values); }';
    await admin.ok('PUT', '/reducer/_design/bad', ddoc);
    const r = await admin.ok('GET', '/reducer/_design/bad/_view/total');
    expect(r.rows).toEqual([{ key: null, value: 3 }]);
  }, 60_000);
});
