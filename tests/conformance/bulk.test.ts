// The replication protocol's endpoints (`_bulk_get`, `_revs_diff`,
// `_bulk_docs` with new_edits=false) and `_bulk_docs`' per-document results:
// PouchDB on every device and every node's replicator speak exactly these.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, createDb, isErrorShape, type BareNodes, type Bare } from './nodes.ts';

let env: BareNodes;
let n: Bare;
let rev1: string;
let rev2: string;

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  await createDb(n.admin, 'bulk');
  rev1 = (await n.admin.ok('PUT', '/bulk/a', { v: 1 })).rev;
  rev2 = (await n.admin.ok('PUT', '/bulk/a', { v: 2, _rev: rev1 })).rev;
});
afterAll(async () => env?.stop());

describe('_bulk_get', () => {
  it('an empty list answers no results; a list of 20,000 (asked again and again) answers each, in order', async () => {
    expect(await n.admin.ok('POST', '/bulk/_bulk_get', { docs: [] })).toEqual({ results: [] });
    const docs = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 2 ? { id: `none-${i}` } : { id: 'a', rev: i % 3 ? rev1 : rev2 }));
    const r = await n.admin.ok('POST', '/bulk/_bulk_get', { docs });
    expect(r.results.length).toBe(docs.length);
    r.results.forEach((res: any, i: number) => {
      if (i % 3 === 2) expect(res.docs[0].error?.error).toBe('not_found');
      else expect(res.docs[0].ok?._rev).toBe(i % 3 ? rev1 : rev2);
    });
  }, 60_000);
  it('answers one result per request, in order: winner, named revision, missing document, missing revision', async () => {
    const r = await n.admin.ok('POST', '/bulk/_bulk_get', { docs: [{ id: 'a' }, { id: 'a', rev: rev1 }, { id: 'nope' }, { id: 'a', rev: '9-zzz' }] });
    expect(r.results).toEqual([
      { id: 'a', docs: [{ ok: { _id: 'a', _rev: rev2, v: 2 } }] },
      { id: 'a', docs: [{ ok: { _id: 'a', _rev: rev1, v: 1 } }] },
      { id: 'nope', docs: [{ error: { id: 'nope', rev: 'undefined', error: 'not_found', reason: 'missing' } }] },
      { id: 'a', docs: [{ error: { id: 'a', rev: '9-zzz', error: 'not_found', reason: 'missing' } }] },
    ]);
  });

  it('revs=true adds each revision\'s history', async () => {
    const r = await n.admin.ok('POST', '/bulk/_bulk_get?revs=true', { docs: [{ id: 'a', rev: rev2 }] });
    const doc = r.results[0].docs[0].ok;
    expect(doc._revisions).toEqual({ start: 2, ids: [rev2.slice(2), rev1.slice(2)] });
  });

  it('a deleted document without a rev comes back as its tombstone', async () => {
    const d = await n.admin.ok('PUT', '/bulk/gone', { v: 1 });
    const del = await n.admin.ok('DELETE', `/bulk/gone?rev=${d.rev}`);
    const r = await n.admin.ok('POST', '/bulk/_bulk_get', { docs: [{ id: 'gone' }] });
    expect(r.results[0].docs).toEqual([{ ok: { _id: 'gone', _rev: del.rev, _deleted: true } }]);
  });

  it('an entry without an id is a per-entry bad_request; no docs list is a 400', async () => {
    const r = await n.admin.ok('POST', '/bulk/_bulk_get', { docs: [{ rev: rev2 }] });
    expect(r.results).toEqual([{ id: null, docs: [{ error: { id: null, rev: null, error: 'bad_request', reason: 'document id missed' } }] }]);
    const bad = await n.admin.request('POST', '/bulk/_bulk_get', {});
    expect([bad.status, bad.json]).toEqual([400, { error: 'bad_request', reason: "Missing JSON list of 'docs'." }]);
  });
});

describe('_revs_diff', () => {
  it('names the revisions the database lacks, with older leaves as possible_ancestors', async () => {
    const r = await n.admin.ok('POST', '/bulk/_revs_diff', { a: [rev2, '3-abc', '1-def'], nope: ['1-xyz'] });
    expect(Object.keys(r).sort()).toEqual(['a', 'nope']);
    expect(r.a.missing.sort()).toEqual(['1-def', '3-abc']);
    expect(r.a.possible_ancestors).toEqual([rev2]);
    expect(r.nope).toEqual({ missing: ['1-xyz'] });
  });

  it('a document it has entirely is left out', async () => {
    expect(await n.admin.ok('POST', '/bulk/_revs_diff', { a: [rev1, rev2] })).toEqual({});
  });

  it('a body that is not an object is 400', async () => {
    const r = await n.admin.request('POST', '/bulk/_revs_diff', [1]);
    expect(r.status).toBe(400);
    expect(isErrorShape(r.json)).toBe(true);
  });
});

describe('_bulk_docs with new_edits=false', () => {
  it('stores conflicting branches as given; the higher rev wins; the loser is in _conflicts', async () => {
    const r = await n.admin.ok('POST', '/bulk/_bulk_docs', {
      new_edits: false,
      docs: [
        { _id: 'c', _rev: '2-bbb', _revisions: { start: 2, ids: ['bbb', 'aaa'] }, v: 'b' },
        { _id: 'c', _rev: '2-ccc', _revisions: { start: 2, ids: ['ccc', 'aaa'] }, v: 'c' },
      ],
    });
    expect(r).toEqual([]); // CouchDB reports only failures when new_edits=false
    expect(await n.admin.ok('GET', '/bulk/c?conflicts=true')).toEqual({ _id: 'c', _rev: '2-ccc', v: 'c', _conflicts: ['2-bbb'] });
    const leaves = await n.admin.ok('GET', '/bulk/c?revs=true&open_revs=all');
    const byRev = Object.fromEntries(leaves.map((l: any) => [l.ok._rev, l.ok._revisions]));
    expect(byRev).toEqual({ '2-bbb': { start: 2, ids: ['bbb', 'aaa'] }, '2-ccc': { start: 2, ids: ['ccc', 'aaa'] } });
  });

  it('a live leaf wins over a deleted leaf with a higher revision', async () => {
    await n.admin.ok('POST', '/bulk/_bulk_docs', { new_edits: false, docs: [{ _id: 'e', _rev: '3-zzz', _deleted: true }, { _id: 'e', _rev: '2-aaa', v: 1 }] });
    expect(await n.admin.ok('GET', '/bulk/e?conflicts=true')).toEqual({ _id: 'e', _rev: '2-aaa', v: 1 });
  });

  it('sending a revision it already has changes nothing and reports nothing', async () => {
    expect(await n.admin.ok('POST', '/bulk/_bulk_docs', { new_edits: false, docs: [{ _id: 'c', _rev: '2-bbb', v: 'b' }] })).toEqual([]);
    expect((await n.admin.ok('GET', '/bulk/c'))._rev).toBe('2-ccc');
  });

  it('PUT ?new_edits=false stores the given revision', async () => {
    const r = await n.admin.request('PUT', '/bulk/f?new_edits=false', { _rev: '5-fff', v: 1 });
    expect([r.status, r.json]).toEqual([201, { ok: true, id: 'f', rev: '5-fff' }]);
  });

  it('a document without _rev is a 400 for the whole request', async () => {
    const r = await n.admin.request('POST', '/bulk/_bulk_docs', { new_edits: false, docs: [{ _id: 'g1', _rev: '1-a' }, { _id: 'g2', v: 1 }] });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('bad_request');
    expect(await n.admin.getDoc('bulk', 'g1')).toBeNull();
  });
});

describe('_local documents (replication checkpoints)', () => {
  it('are written and read back, replaced when written without a rev, and stay out of _all_docs and _changes', async () => {
    expect((await n.admin.request('PUT', '/bulk/_local/cp', { seq: 1 })).status).toBe(201);
    expect(await n.admin.ok('GET', '/bulk/_local/cp')).toMatchObject({ _id: '_local/cp', seq: 1 });
    const again = await n.admin.request('PUT', '/bulk/_local/cp', { seq: 2 });
    expect([again.status, again.json.ok]).toEqual([201, true]);
    expect((await n.admin.ok('GET', '/bulk/_local/cp')).seq).toBe(2);
    const all = await n.admin.ok('GET', '/bulk/_all_docs');
    expect(all.rows.some((r: any) => r.id.startsWith('_local/'))).toBe(false);
    const feed = await n.admin.ok('GET', '/bulk/_changes');
    expect(feed.results.some((r: any) => r.id.startsWith('_local/'))).toBe(false);
  });
});

describe('_bulk_docs is not atomic', () => {
  it('each document succeeds or fails on its own: a conflict beside successes', async () => {
    const cur = await n.admin.getDoc('bulk', 'a');
    const r = await n.admin.request('POST', '/bulk/_bulk_docs', { docs: [{ _id: 'a', v: 3 }, { _id: 'h', v: 1 }, { _id: 'a', _rev: cur._rev, v: 3 }] });
    expect(r.status).toBe(201);
    expect(r.json[0]).toEqual({ id: 'a', error: 'conflict', reason: 'Document update conflict.' });
    expect(r.json[1]).toMatchObject({ ok: true, id: 'h' });
    expect(r.json[2]).toMatchObject({ ok: true, id: 'a' });
    expect(r.json[2].rev).toMatch(/^3-/);
  });

  it('the same id twice in one request: the first wins, the second is a conflict', async () => {
    const r = await n.admin.ok('POST', '/bulk/_bulk_docs', { docs: [{ _id: 'dup', v: 1 }, { _id: 'dup', v: 2 }] });
    expect(r[0]).toMatchObject({ ok: true, id: 'dup' });
    expect(r[1]).toEqual({ id: 'dup', error: 'conflict', reason: 'Document update conflict.' });
    expect((await n.admin.getDoc('bulk', 'dup')).v).toBe(1);
  });

  it('a malformed document refuses the whole request with 400 and writes nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [5, 'bad_request'],
      [{ _id: 'm2', _foo: 1 }, 'doc_validation'],
      [{ _id: '_m3' }, 'illegal_docid'],
      [{ _id: 7 }, 'illegal_docid'],
    ];
    for (const [bad, error] of cases) {
      const r = await n.admin.request('POST', '/bulk/_bulk_docs', { docs: [{ _id: 'm-ok' }, bad] });
      expect([r.status, r.json.error], JSON.stringify(bad)).toEqual([400, error]);
      expect(isErrorShape(r.json)).toBe(true);
      expect(await n.admin.getDoc('bulk', 'm-ok')).toBeNull();
    }
  });

  it('a body without docs, or with docs not an array, is 400', async () => {
    const none = await n.admin.request('POST', '/bulk/_bulk_docs', {});
    expect([none.status, none.json]).toEqual([400, { error: 'bad_request', reason: 'POST body must include `docs` parameter.' }]);
    const obj = await n.admin.request('POST', '/bulk/_bulk_docs', { docs: {} });
    expect([obj.status, obj.json]).toEqual([400, { error: 'bad_request', reason: '`docs` parameter must be an array.' }]);
  });

  it('all_or_nothing is refused with 417 not_implemented and writes nothing', async () => {
    const r = await n.admin.request('POST', '/bulk/_bulk_docs', { all_or_nothing: true, docs: [{ _id: 'aon' }] });
    expect(r.status).toBe(417);
    expect(r.json).toEqual([expect.objectContaining({ id: 'aon', error: 'not_implemented', reason: 'all_or_nothing is not supported' })]);
    expect(await n.admin.getDoc('bulk', 'aon')).toBeNull();
  });
});

describe('a method an endpoint does not take', () => {
  // chttpd:send_method_not_allowed: the reason and the Allow header name the methods it does take.
  it.each(['_bulk_docs', '_bulk_get', '_revs_diff'])('GET /{db}/%s is 405 "Only POST allowed" with Allow: POST', async (path) => {
    const r = await n.admin.request('GET', `/bulk/${path}`);
    expect(r.status).toBe(405);
    expect(r.json).toEqual({ error: 'method_not_allowed', reason: 'Only POST allowed' });
    expect(r.headers.get('allow')).toBe('POST');
  });
});

describe('single-document writes', () => {
  it('a PUT that stores answers 201, one that deletes (_deleted in the body) 200, as a DELETE does', async () => {
    const made = await n.admin.request('PUT', '/bulk/put-del', { v: 1 });
    expect(made.status).toBe(201);
    const gone = await n.admin.request('PUT', '/bulk/put-del', { _rev: made.json.rev, _deleted: true });
    expect([gone.status, gone.json.ok]).toEqual([200, true]);
    // A deleted document comes back only from scratch: by its tombstone's rev it is a conflict, alone or in a bulk, as is deleting it again.
    expect((await n.admin.request('PUT', '/bulk/put-del', { v: 2, _rev: gone.json.rev })).status).toBe(409);
    expect((await n.admin.request('PUT', '/bulk/put-del', { _rev: gone.json.rev, _deleted: true })).status).toBe(409);
    expect((await n.admin.request('PUT', '/bulk/put-del', { _deleted: true })).status).toBe(409);
    const [viaBulk] = await n.admin.ok('POST', '/bulk/_bulk_docs', { docs: [{ _id: 'put-del', _rev: gone.json.rev, v: 3 }] });
    expect(viaBulk.error).toBe('conflict');
    const again = await n.admin.request('PUT', '/bulk/put-del', { v: 2 });
    expect(again.status).toBe(201);
    expect((await n.admin.request('DELETE', `/bulk/put-del?rev=${again.json.rev}`)).status).toBe(200);
  });
});
