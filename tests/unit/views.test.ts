// The node's view engine against PouchDB's own map/reduce (which follows
// CouchDB's query semantics) as the oracle: the same design document, the
// same documents, many queries, then updates and deletions that the engine
// must fold in incrementally.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { ViewEngine } from '../../server/node/views.ts';
import type { ViewQuery } from '../../server/node/view-query.ts';
import { LevelKV, MemoryKV } from '../../server/node/view-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-views-'));
const db = new PouchDB(join(dir, 'db'), { adapter: 'leveldb' } as any);
const engine = new ViewEngine();

const ddoc = {
  _id: '_design/t',
  views: {
    stats: { map: 'function (doc) { if (doc.kind === "sale") emit([doc.region, doc.day], doc.total); }', reduce: '_stats' },
    sums: { map: 'function (doc) { if (doc.kind === "sale") for (var i = 0; i < doc.lines.length; i++) emit([doc.region, doc.lines[i].p], [doc.lines[i].q, doc.lines[i].s]); }', reduce: '_sum' },
    count: { map: 'function (doc) { emit(doc.kind, null); }', reduce: '_count' },
    js: { map: 'function (doc) { if (doc.kind === "sale") emit(doc.region, doc.total); }', reduce: 'function (keys, values, rereduce) { return sum(values); }' },
    plain: { map: 'function (doc) { if (doc.kind === "sale") emit([doc.region, doc.day], { t: doc.total }); if (doc.tag !== undefined) emit(doc.tag, 1); }' },
  },
};

// Deterministic pseudo-random documents.
let seed = 7;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
const regions = ['BDG', 'JKT', 'SBY'];
const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-10', '2026-11-24'];
const tags = [null, true, false, 0, -3, 2.5, 'a', 'B', 'b', 'é', [1], [1, 'x'], { o: 1 }];
function sale(i: number) {
  const lines = Array.from({ length: 1 + rnd(3) }, () => ({ p: `p${rnd(6)}`, q: 1 + rnd(4), s: 1000 * (1 + rnd(50)) }));
  return {
    _id: `s${String(i).padStart(4, '0')}`, kind: 'sale', region: regions[rnd(3)], day: days[rnd(days.length)], lines,
    total: lines.reduce((a, l) => a + l.s, 0), ...(rnd(4) === 0 ? { tag: tags[rnd(tags.length)] } : {}),
  };
}

const queries: Array<[string, ViewQuery]> = [
  ['stats', { group: true }],
  ['stats', { group_level: 1 }],
  ['stats', {}],
  ['stats', { group: true, startkey: ['BDG'], endkey: ['BDG', {}] }],
  ['stats', { group: true, descending: true, startkey: ['JKT', {}], endkey: ['JKT'] }],
  ['stats', { group: true, startkey: ['BDG', '2026-11-02'], endkey: ['JKT', '2026-11-03'], inclusive_end: false }],
  ['stats', { group: true, keys: [['SBY', '2026-11-24'], ['BDG', '2026-11-01'], ['XXX', '2026-01-01']] }],
  ['stats', { group: true, limit: 3, skip: 2 }],
  ['stats', { reduce: false, startkey: ['BDG', '2026-11-03'], limit: 7 }],
  ['sums', { group: true }],
  ['sums', { group_level: 1 }],
  ['count', { group: true }],
  ['count', {}],
  ['count', { key: 'sale' }],
  ['js', { group: true }],
  ['js', {}],
  ['plain', {}],
  ['plain', { descending: true, limit: 11, skip: 3 }],
  ['plain', { startkey: ['JKT'], endkey: ['JKT', {}] }],
  ['plain', { startkey: ['JKT', '2026-11-02'], endkey: ['SBY', '2026-11-02'], inclusive_end: false }],
  ['plain', { descending: true, startkey: ['SBY', '2026-11-10'], endkey: ['BDG', '2026-11-03'], inclusive_end: false }],
  ['plain', { key: ['BDG', '2026-11-01'] }],
  ['plain', { keys: [['SBY', '2026-11-24'], 'a', ['BDG', '2026-11-01'], 'missing'] }],
  // A page of a keys answer: skip and limit across keys (one asked twice), read only where the page is.
  ['plain', { keys: [['BDG', '2026-11-01'], 'missing', ['SBY', '2026-11-24'], ['BDG', '2026-11-01'], ['JKT', '2026-11-02']], skip: 3, limit: 6 }],
  ['plain', { keys: [['BDG', '2026-11-01'], ['SBY', '2026-11-24'], ['BDG', '2026-11-01']], skip: 1 }],
  ['plain', { keys: [['BDG', '2026-11-01'], ['SBY', '2026-11-24'], ['BDG', '2026-11-01']], limit: 2 }],
  ['plain', { startkey: ['BDG', '2026-11-01'], startkey_docid: 's0100', endkey: ['BDG', '2026-11-01'], endkey_docid: 's0300' }],
  ['plain', { startkey: null, endkey: 'b' }],
  ['plain', { include_docs: true, limit: 5, skip: 40 }],
];

async function compare(label: string) {
  for (const [view, q] of queries) {
    const want: any = await db.query(`t/${view}`, q as any);
    // PouchDB ignores the *_docid bounds; CouchDB applies them within the equal keys.
    if (q.startkey_docid) want.rows = want.rows.filter((r: any) => r.id >= q.startkey_docid! && r.id <= q.endkey_docid!);
    const got: any = await engine.query(db, 't', view, q);
    const name = `${label} ${view} ${JSON.stringify(q)}`;
    expect(got.rows.map((r: any) => ({ ...r, doc: r.doc && { ...r.doc } })), name).toEqual(want.rows);
    if (want.total_rows !== undefined) {
      expect(got.total_rows, name).toBe(want.total_rows);
      // PouchDB reports `skip` as the offset; CouchDB counts the rows before the first one returned.
      if (!q.keys && !q.descending && got.rows.length) {
        const everything: any = await engine.query(db, 't', view, { reduce: false });
        const first = everything.rows.findIndex((r: any) => r.id === got.rows[0].id && JSON.stringify(r.key) === JSON.stringify(got.rows[0].key));
        expect(got.offset, name).toBe(first);
      }
    }
  }
}

/** A page of a keys answer is that slice of the whole answer, descending too (PouchDB, the oracle above, keeps each key's rows ascending there; CouchDB and this engine reverse them). */
async function keysPages(label: string) {
  const keys = [['BDG', '2026-11-01'], 'missing', ['JKT', '2026-11-02'], ['BDG', '2026-11-01']];
  for (const descending of [false, true]) {
    const all: any = await engine.query(db, 't', 'plain', { keys, descending } as any);
    expect(all.rows.length, label).toBeGreaterThan(10);
    for (const [skip, limit] of [[0, 1], [2, 3], [5, 100], [all.rows.length - 1, 5], [all.rows.length + 3, 2]]) {
      const page: any = await engine.query(db, 't', 'plain', { keys, descending, skip, limit } as any);
      expect(page.rows, `${label} descending=${descending} skip=${skip} limit=${limit}`).toEqual(all.rows.slice(skip, skip + limit));
    }
  }
}

beforeAll(async () => {
  await db.put(ddoc);
  await db.bulkDocs([...Array.from({ length: 400 }, (_, i) => sale(i)), ...tags.map((tag, i) => ({ _id: `t${i}`, kind: 'tag', tag }))]);
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('view engine', () => {
  it('answers map and reduce queries as CouchDB does', async () => {
    await compare('fresh');
    await keysPages('fresh');
  });

  it('folds in updates, deletions and new documents incrementally', async () => {
    for (let round = 0; round < 3; round++) {
      const all = (await db.allDocs({ include_docs: true, startkey: 's', endkey: 's\uffff' })).rows.map((r: any) => r.doc);
      const writes: any[] = [];
      for (const d of all) {
        const roll = rnd(10);
        if (roll === 0) writes.push({ ...d, _deleted: true });
        else if (roll < 3) writes.push({ ...sale(0), _id: d._id, _rev: d._rev }); // new keys and values
        else if (roll === 3) writes.push({ ...d, kind: 'refund' }); // leaves the sales views
      }
      for (let i = 0; i < 30; i++) writes.push(sale(1000 + round * 100 + i));
      await db.bulkDocs(writes);
      await compare(`round ${round}`);
    }
    // Removing the smallest and largest totals of a day must correct its _stats min and max.
    const rows: any = await engine.query(db, 't', 'stats', { reduce: false, key: ['BDG', '2026-11-24'] });
    const sorted = [...rows.rows].sort((a: any, b: any) => a.value - b.value);
    const extremes = [sorted[0], sorted[sorted.length - 1]];
    const docs = await Promise.all(extremes.map((r: any) => db.get(r.id)));
    await db.bulkDocs(docs.map((d) => ({ ...d, _deleted: true })));
    await compare('extremes removed');
  });

  it('stops a map function that never returns, changes nothing, and recovers once the design is fixed', async () => {
    const strict = new ViewEngine({ mapTimeoutMs: 200 });
    await db.put({ _id: '_design/loop', views: { v: { map: 'function (doc) { if (doc.kind === "tag") { while (true) {} } emit(doc._id, 1); }' } } });
    await expect(strict.query(db, 'loop', 'v', {})).rejects.toMatchObject({ status: 500, error: 'os_process_error', reason: /_design\/loop.*200 ms/ });
    // The engine (and so the node) goes on answering other design documents.
    expect(((await strict.query(db, 't', 'count', { key: 'tag' })) as any).rows[0].value).toBe(tags.length);
    const loop: any = await db.get('_design/loop');
    await db.put({ ...loop, views: { v: { map: 'function (doc) { if (doc.kind === "tag") emit(doc._id, 1); }' } } });
    expect(((await strict.query(db, 'loop', 'v', {})) as any).rows).toHaveLength(tags.length);
  });

  it('rebuilds when the design document changes, and refuses bad queries with CouchDB errors', async () => {
    const current: any = await db.get('_design/t');
    await db.put({ ...current, views: { ...current.views, plain: { map: 'function (doc) { if (doc.kind === "tag") emit(doc._id, doc.tag); }' } } });
    const got: any = await engine.query(db, 't', 'plain', {});
    expect(got.rows.map((r: any) => r.key)).toEqual(tags.map((_, i) => `t${i}`).sort());
    await expect(engine.query(db, 't', 'nope', {})).rejects.toMatchObject({ status: 404 });
    await expect(engine.query(db, 't', 'plain', { reduce: true })).rejects.toMatchObject({ status: 400, reason: /map-only/ });
    await expect(engine.query(db, 't', 'stats', { include_docs: true })).rejects.toMatchObject({ status: 400 });
    await expect(engine.query(db, 'missing', 'x', {})).rejects.toMatchObject({ status: 404 });
    // A value the built-in reduce cannot take fails the reduce query and nothing else.
    await db.put({ _id: 'bad', kind: 'sale', region: 'BDG', day: '2026-11-01', lines: [], total: 'lots' });
    await expect(engine.query(db, 't', 'stats', {})).rejects.toMatchObject({ status: 400, reason: /numbers.*bad/ });
    expect((await engine.query(db, 't', 'stats', { reduce: false, key: ['BDG', '2026-11-01'] }) as any).rows.some((r: any) => r.id === 'bad')).toBe(true);
    await db.remove(await db.get('bad'));
    expect((await engine.query(db, 't', 'stats', {}) as any).rows).toHaveLength(1);
  });
});

describe('view indexes on disk', () => {
  const vdir = join(dir, 'views-on-disk');
  const watched = (pouch: PouchDB.Database, since: number[]) =>
    new Proxy(pouch, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (prop !== 'changes') return typeof v === 'function' ? v.bind(target) : v;
        return (o: any) => (since.push(Number(o.since)), v.call(target, o));
      },
    }) as PouchDB.Database;

  it('a restarted engine reads its index where it was and folds in only the changes since', async () => {
    const a = new ViewEngine({ dir: vdir });
    const want: any = await a.query(db, 't', 'stats', { group: true });
    const plain: any = await a.query(db, 't', 'plain', { descending: true, limit: 7, skip: 5 });
    await a.close();
    await db.put(sale(5000));
    const b = new ViewEngine({ dir: vdir });
    const since: number[] = [];
    const info = await db.info();
    const got: any = await b.query(watched(db, since), 't', 'count', { key: 'sale' });
    // It started from the last seq it had stored (one change behind), not from 0.
    expect(since[0]).toBe(Number(info.update_seq) - 1);
    expect(got.rows[0].value).toBe((await db.query('t/count', { key: 'sale' } as any) as any).rows[0].value);
    const fresh = new ViewEngine();
    expect(await b.query(db, 't', 'stats', { group: true })).toEqual(await fresh.query(db, 't', 'stats', { group: true }));
    expect(await b.query(db, 't', 'plain', { descending: true, limit: 7, skip: 5 })).toEqual(await fresh.query(db, 't', 'plain', { descending: true, limit: 7, skip: 5 }));
    expect(want.rows.length).toBeGreaterThan(0);
    expect(plain.rows).toHaveLength(7);
    await b.close();
  });

  it('a database made anew under the same name does not inherit the old index', async () => {
    const path = join(dir, 'again');
    const first = new PouchDB(path, { adapter: 'leveldb' } as any);
    await first.bulkDocs([ddoc, ...Array.from({ length: 50 }, (_, i) => sale(i))]);
    const e = new ViewEngine({ dir: vdir });
    expect(((await e.query(first, 't', 'count', { key: 'sale' })) as any).rows[0].value).toBe(50);
    await first.destroy();
    await e.close();
    // After a restart: the stored index belongs to the old incarnation.
    const second = new PouchDB(path, { adapter: 'leveldb' } as any);
    await second.bulkDocs([ddoc, ...Array.from({ length: 3 }, (_, i) => sale(i))]);
    const again = new ViewEngine({ dir: vdir });
    expect(((await again.query(second, 't', 'count', { key: 'sale' })) as any).rows[0].value).toBe(3);
    // Without a restart: deleting the database drops its indexes (the node's DELETE does).
    await second.destroy();
    await again.drop(second.name);
    const third = new PouchDB(path, { adapter: 'leveldb' } as any);
    await third.bulkDocs([ddoc, ...Array.from({ length: 2 }, (_, i) => sale(i))]);
    expect(((await again.query(third, 't', 'count', { key: 'sale' })) as any).rows[0].value).toBe(2);
    await third.destroy();
    await again.close();
  });

  it('a failed index write (a full disk) fails the query clearly, and the indexes are rebuilt once writes work', async () => {
    let full = false;
    let stores = 0;
    const failing = () => {
      stores++;
      const kv = new MemoryKV();
      const batch = kv.batch.bind(kv);
      kv.batch = async (ops) => {
        if (full) throw new Error('IO error: No space left on device');
        return batch(ops);
      };
      return kv;
    };
    const e = new ViewEngine({ store: failing });
    const want = (await db.query('t/count', { key: 'sale' } as any) as any).rows[0].value;
    expect(((await e.query(db, 't', 'count', { key: 'sale' })) as any).rows[0].value).toBe(want);
    full = true;
    await db.put(sale(6000));
    await expect(e.query(db, 't', 'count', { key: 'sale' })).rejects.toMatchObject({ status: 500, error: 'error' });
    full = false;
    expect(((await e.query(db, 't', 'count', { key: 'sale' })) as any).rows[0].value).toBe(want + 1);
    // It started over with an empty store.
    expect(stores).toBe(2);
  });

  it('_view_cleanup removes the indexes of design documents that are gone or changed, and keeps the rest', async () => {
    const kv = new MemoryKV();
    const e = new ViewEngine({ store: () => kv });
    await db.put({ _id: '_design/gone', views: { v: { map: 'function (doc) { emit(doc._id, 1); }' } } });
    await db.put({ _id: '_design/changed', views: { v: { map: 'function (doc) { emit(doc._id, 1); }' } } });
    for (const d of ['gone', 'changed', 't']) await e.query(db, d, 'v' in (await db.get<any>(`_design/${d}`)).views ? 'v' : 'count', { limit: 1 });
    const prefixes = async () => Object.fromEntries((await kv.list('i/')).map(([k, v]) => [k.split('/').pop(), v]));
    const before = await prefixes();
    expect(Object.keys(before).sort()).toEqual(['changed', 'gone', 't']);
    await db.remove(await db.get('_design/gone'));
    const changed: any = await db.get('_design/changed');
    await db.put({ ...changed, views: { v: { map: 'function (doc) { emit(doc._id, 2); }' } } });
    await e.cleanup(db);
    expect(await prefixes()).toEqual({ t: before.t });
    for (const d of ['gone', 'changed']) expect(await kv.list(before[d])).toEqual([]);
    expect((await kv.list(before.t)).length).toBeGreaterThan(10);
    // The kept index still answers, and the changed design builds afresh.
    expect(((await e.query(db, 't', 'count', { key: 'tag' })) as any).rows[0].value).toBe(tags.length);
    expect(((await e.query(db, 'changed', 'v', { limit: 1 })) as any).rows[0].value).toBe(2);
  });

  it('on LevelDB, cleanup and a dropped database leave no index behind, also for names beyond U+FFFF (they sort after "\\uffff" in UTF-8)', async () => {
    const path = join(dir, 'emoji');
    const pouch = new PouchDB(path, { adapter: 'leveldb' } as any);
    const kv = new LevelKV(join(dir, 'emoji-views'));
    const e = new ViewEngine({ store: () => kv });
    const ids = ['a', 'toko-😀', '😀', '𝔘-z', 'z\uffff', '\u{10FFFF}'];
    const view = { v: { map: 'function (doc) { emit(doc._id, 1); }', reduce: '_count' } };
    const designs = ['😀toko', '𝔘', 'plain'];
    await pouch.bulkDocs([...designs.map((d) => ({ _id: `_design/${d}`, views: view })), ...ids.map((_id) => ({ _id }))]);
    for (const d of designs) expect(((await e.query(pouch, d, 'v', { reduce: false })) as any).rows.map((r: any) => r.id).sort()).toEqual([...ids].sort());
    const registered = async () => (await kv.list('i/')).map(([k]) => k.split('/').pop()).sort();
    expect(await registered()).toEqual([...designs].sort());
    const prefixes = Object.fromEntries((await kv.list('i/')).map(([k, v]) => [k.split('/').pop(), v]));
    // Each index stored a per-document record for each id, emoji included.
    for (const d of designs) for (const id of ids) expect((await kv.list(prefixes[d])).map(([k]) => k)).toContain(`${prefixes[d]}d${id}`);
    // _view_cleanup after the emoji design is deleted.
    await pouch.remove(await pouch.get('_design/😀toko'));
    await e.cleanup(pouch);
    expect(await registered()).toEqual(['plain', '𝔘']);
    expect(await kv.list(prefixes['😀toko'])).toEqual([]);
    // Deleting the database drops the rest.
    await pouch.destroy();
    await e.drop(pouch.name);
    expect(await kv.list('i/')).toEqual([]);
    for (const d of designs) expect(await kv.list(prefixes[d])).toEqual([]);
    await e.close();
  });
});
