// `_changes` as CouchDB 3 serves it: sequences are opaque (only ever passed
// back as `since`), one row per document with its latest revision, filters by
// selector and by ids, longpoll. Order across documents is not asserted: a
// sharded CouchDB database does not promise one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, createDb, isErrorShape, type BareNodes, type Bare } from './nodes.ts';

let env: BareNodes;
let n: Bare;
const ids = (r: any) => r.results.map((x: any) => x.id).sort();

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  await createDb(n.admin, 'feed');
  await n.admin.bulk('feed', [
    { _id: 'order:BDG:1', type: 'order', region: 'BDG', total: 10 },
    { _id: 'order:JKT:1', type: 'order', region: 'JKT', total: 20 },
    { _id: 'product:a', type: 'product', price: 5 },
  ]);
});
afterAll(async () => env?.stop());

describe('normal feed', () => {
  it('lists each document once with its latest revision, and an opaque last_seq', async () => {
    const doc = await n.admin.getDoc('feed', 'product:a');
    const upd = await n.admin.ok('PUT', '/feed/product:a', { ...doc, price: 6 });
    const r = await n.admin.ok('GET', '/feed/_changes');
    expect(ids(r)).toEqual(['order:BDG:1', 'order:JKT:1', 'product:a']);
    const row = r.results.find((x: any) => x.id === 'product:a');
    expect(row.changes).toEqual([{ rev: upd.rev }]);
    expect(row.seq).toBeDefined();
    expect(r.last_seq).toBeDefined();
  });

  it('since=<a last_seq we were given> lists only what changed after it', async () => {
    const { last_seq } = await n.admin.ok('GET', '/feed/_changes');
    expect((await n.admin.ok('GET', `/feed/_changes?since=${encodeURIComponent(last_seq)}`)).results).toEqual([]);
    await n.admin.ok('PUT', '/feed/later', { type: 'note' });
    const r = await n.admin.ok('GET', `/feed/_changes?since=${encodeURIComponent(last_seq)}`);
    expect(ids(r)).toEqual(['later']);
  });

  it('since=now starts at the current end', async () => {
    const r = await n.admin.ok('GET', '/feed/_changes?since=now');
    expect(r.results).toEqual([]);
    await n.admin.ok('PUT', '/feed/after-now', {});
    expect(ids(await n.admin.ok('GET', `/feed/_changes?since=${encodeURIComponent(r.last_seq)}`))).toEqual(['after-now']);
  });

  it('since=NaN (not a sequence) is 400 bad_request', async () => {
    const r = await n.admin.request('GET', '/feed/_changes?since=NaN');
    expect(r.status).toBe(400);
    expect(isErrorShape(r.json)).toBe(true);
    expect(r.json.error).toBe('bad_request');
  });

  it('limit returns that many rows; their last_seq continues the feed without gaps or repeats', async () => {
    const all = ids(await n.admin.ok('GET', '/feed/_changes'));
    const seen: string[] = [];
    let since: unknown = 0;
    for (let guard = 0; guard < 20; guard++) {
      const page = await n.admin.ok('GET', `/feed/_changes?limit=2&since=${encodeURIComponent(String(since))}`);
      expect(page.results.length).toBeLessThanOrEqual(2);
      if (page.results.length === 0) break;
      seen.push(...page.results.map((x: any) => x.id));
      since = page.last_seq;
    }
    expect(seen.sort()).toEqual(all);
  });

  it('a deletion shows as deleted: true with the tombstone revision', async () => {
    const d = await n.admin.ok('PUT', '/feed/doomed', { a: 1 });
    const gone = await n.admin.ok('DELETE', `/feed/doomed?rev=${d.rev}`);
    const r = await n.admin.ok('GET', '/feed/_changes?include_docs=true');
    const row = r.results.find((x: any) => x.id === 'doomed');
    expect(row.deleted).toBe(true);
    expect(row.changes).toEqual([{ rev: gone.rev }]);
    expect(row.doc).toEqual({ _id: 'doomed', _rev: gone.rev, _deleted: true });
  });

  it('a normal feed reports how many changes are pending after it (0 at the end)', async () => {
    const r = await n.admin.ok('GET', '/feed/_changes');
    expect(r.pending).toBe(0);
    expect((await n.admin.ok('GET', '/feed/_changes?limit=1')).pending).toBeGreaterThan(0);
  });

  it('include_docs adds each document', async () => {
    const r = await n.admin.ok('GET', '/feed/_changes?include_docs=true');
    const row = r.results.find((x: any) => x.id === 'order:BDG:1');
    expect(row.doc).toMatchObject({ _id: 'order:BDG:1', type: 'order', region: 'BDG', total: 10 });
    expect(row.doc._rev).toBe(row.changes[0].rev);
  });

  it('style=all_docs lists every leaf of a conflicted document; the default lists the winner only', async () => {
    await n.admin.ok('POST', '/feed/_bulk_docs', {
      new_edits: false,
      docs: [{ _id: 'split', _rev: '1-aaaa', v: 'a' }, { _id: 'split', _rev: '1-bbbb', v: 'b' }],
    });
    const all = (await n.admin.ok('GET', '/feed/_changes?style=all_docs')).results.find((x: any) => x.id === 'split');
    expect(all.changes.map((c: any) => c.rev).sort()).toEqual(['1-aaaa', '1-bbbb']);
    const main = (await n.admin.ok('GET', '/feed/_changes')).results.find((x: any) => x.id === 'split');
    expect(main.changes).toEqual([{ rev: '1-bbbb' }]); // the higher rev wins
  });
});

describe('filters', () => {
  it('filter=_selector (POST {selector}) keeps only matching documents', async () => {
    const r = await n.admin.ok('POST', '/feed/_changes?filter=_selector', { selector: { type: 'order', region: 'BDG' } });
    expect(ids(r)).toEqual(['order:BDG:1']);
    const range = await n.admin.ok('POST', '/feed/_changes?filter=_selector&include_docs=true', { selector: { total: { $gte: 15 } } });
    expect(ids(range)).toEqual(['order:JKT:1']);
    expect(range.results[0].doc.total).toBe(20);
  });

  it('a selector feed\'s last_seq passed back hears only later matches', async () => {
    const first = await n.admin.ok('POST', '/feed/_changes?filter=_selector', { selector: { region: 'BDG' } });
    await n.admin.bulk('feed', [{ _id: 'order:BDG:2', type: 'order', region: 'BDG', total: 1 }, { _id: 'order:JKT:2', type: 'order', region: 'JKT', total: 1 }]);
    const next = await n.admin.ok('POST', `/feed/_changes?filter=_selector&since=${encodeURIComponent(first.last_seq)}`, { selector: { region: 'BDG' } });
    expect(ids(next)).toEqual(['order:BDG:2']);
  });

  it('a plain deletion leaves a tombstone a body selector no longer matches; an _id selector still does', async () => {
    const d = await n.admin.ok('PUT', '/feed/order:BDG:9', { type: 'order', region: 'BDG' });
    const { last_seq } = await n.admin.ok('GET', '/feed/_changes?since=now');
    await n.admin.ok('DELETE', `/feed/order:BDG:9?rev=${d.rev}`);
    const since = `since=${encodeURIComponent(last_seq)}`;
    const byBody = await n.admin.ok('POST', `/feed/_changes?filter=_selector&${since}`, { selector: { region: 'BDG' } });
    expect(byBody.results).toEqual([]);
    const byId = await n.admin.ok('POST', `/feed/_changes?filter=_selector&${since}`, { selector: { _id: { $regex: '^order:BDG:' } } });
    expect(ids(byId)).toEqual(['order:BDG:9']);
    expect(byId.results[0].deleted).toBe(true);
  });

  it('filter=_selector without a selector is 400', async () => {
    const r = await n.admin.request('POST', '/feed/_changes?filter=_selector', {});
    expect(r.status).toBe(400);
    expect(isErrorShape(r.json)).toBe(true);
  });

  it('filter=_doc_ids takes the ids in the POST body or the query string', async () => {
    const post = await n.admin.ok('POST', '/feed/_changes?filter=_doc_ids', { doc_ids: ['product:a', 'order:JKT:1', 'missing'] });
    expect(ids(post)).toEqual(['order:JKT:1', 'product:a']);
    const get = await n.admin.ok('GET', `/feed/_changes?filter=_doc_ids&doc_ids=${encodeURIComponent(JSON.stringify(['product:a']))}`);
    expect(ids(get)).toEqual(['product:a']);
  });
});

describe('longpoll', () => {
  it('with nothing new, answers after the timeout with no results and a last_seq to go on from', async () => {
    const { last_seq } = await n.admin.ok('GET', '/feed/_changes?since=now');
    const r = await n.admin.ok('GET', `/feed/_changes?feed=longpoll&timeout=500&since=${encodeURIComponent(last_seq)}`);
    expect(r.results).toEqual([]);
    expect(r.last_seq).toBeDefined();
  });

  it('answers as soon as a change arrives, with that change', async () => {
    const { last_seq } = await n.admin.ok('GET', '/feed/_changes?since=now');
    const waiting = n.admin.ok('GET', `/feed/_changes?feed=longpoll&timeout=30000&since=${encodeURIComponent(last_seq)}`);
    // Whether the write lands before or after the request starts waiting, `since` makes it the answer.
    await n.admin.ok('PUT', '/feed/wake-up', {});
    const started = Date.now();
    const r = await waiting;
    expect(ids(r)).toEqual(['wake-up']);
    expect(Date.now() - started).toBeLessThan(25_000); // generous: well short of the 30 s timeout
  });

  it('a longpoll with a selector waits for a matching change and skips the others', async () => {
    const { last_seq } = await n.admin.ok('GET', '/feed/_changes?since=now');
    const waiting = n.admin.ok('POST', `/feed/_changes?feed=longpoll&filter=_selector&timeout=30000&since=${encodeURIComponent(last_seq)}`, { selector: { region: 'SBY' } });
    await n.admin.ok('PUT', '/feed/order:JKT:3', { region: 'JKT' });
    await n.admin.ok('PUT', '/feed/order:SBY:1', { region: 'SBY' });
    expect(ids(await waiting)).toEqual(['order:SBY:1']);
  });
});
