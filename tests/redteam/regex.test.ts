// A Mango `$regex` from anyone cannot hold a node: catastrophic patterns
// finish quickly on both engines (V8's linear-time fallback in the embedded
// node, Erlang's `re` match limit in CouchDB), and the node keeps answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../../server/throwaway-cluster.ts';
import type { Couch } from '../../server/couch-client.ts';

let c: TestCluster;
let admin: Couch;
// Exponential for a backtracking engine: (.|.)* tries 2^n ways to split n characters.
const victim = `st${'a'.repeat(40)}Y`;
const evil = { _id: { $regex: '^st(.|.)*X$' } };
beforeAll(async () => {
  c = await startCluster(['BDG'], { init: false });
  admin = c.admin('BDG');
  await admin.ok('PUT', '/pub');
  await admin.ok('PUT', '/pub/_security', { admins: { names: [], roles: [] }, members: { names: [], roles: [] } });
  await admin.ok('PUT', `/pub/${victim}`, { n: 1 });
});
afterAll(async () => c?.stop());

describe('$regex from an anonymous caller', () => {
  it('a catastrophic pattern in _find answers, and the node answers others meanwhile', async () => {
    const anon = c.anon('BDG');
    const find = anon.request('POST', '/pub/_find', { selector: evil });
    const up = await anon.request('GET', '/_up');
    expect(up.status).toBe(200);
    const r = await find;
    // Both engines run the pattern to its end (no match) rather than refusing it.
    expect([r.status, r.json.docs]).toEqual([200, []]);
  }, 30_000);

  it('a catastrophic pattern as a changes filter answers', async () => {
    const r = await c.anon('BDG').request('POST', '/pub/_changes?filter=_selector', { selector: evil });
    expect([r.status, r.json.results]).toEqual([200, []]);
  }, 30_000);

  it('an ordinary pattern still matches', async () => {
    const r = await c.anon('BDG').ok('POST', '/pub/_find', { selector: { _id: { $regex: '^st(a|b)*Y$' } } });
    expect(r.docs.map((d: any) => d._id)).toEqual([victim]);
  });

  it('a backreference: CouchDB runs it (PCRE), the embedded node refuses it with 400 (it runs $regex in linear time)', async () => {
    const r = await c.anon('BDG').request('POST', '/pub/_find', { selector: { _id: { $regex: '^(s)t\\1' } } });
    if (c.engine === 'couchdb') expect(r.status).toBe(200);
    else expect([r.status, r.json.error]).toEqual([400, 'invalid_operator']);
  });
});

describe('a selector of a million parts from an anonymous caller', () => {
  it('the embedded node refuses it with 400 at once and answers others; CouchDB runs it in a process of its own; a selector of ordinary size matches on both', async () => {
    const anon = c.anon('BDG');
    const huge = { _id: { $in: Array.from({ length: 1_000_000 }, (_, i) => `x${i}`) } };
    const find = anon.request('POST', '/pub/_find', { selector: huge });
    expect((await anon.request('GET', '/_up')).status).toBe(200);
    const r = await find;
    if (c.engine === 'couchdb') expect(r.status).toBe(200);
    else expect([r.status, r.json.error]).toEqual([400, 'invalid_selector']);
    const feed = await anon.request('POST', '/pub/_changes?filter=_selector', { selector: huge });
    if (c.engine !== 'couchdb') expect([feed.status, feed.json.error]).toEqual([400, 'invalid_selector']);
    const fine = { _id: { $in: [...Array.from({ length: 5_000 }, (_, i) => `x${i}`), victim] } };
    expect((await anon.ok('POST', '/pub/_find', { selector: fine })).docs.map((d: any) => d._id)).toEqual([victim]);
  }, 120_000);
});
