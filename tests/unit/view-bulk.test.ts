// A first build over many documents writes its rows once, unsorted, and then each tree bottom-up
// (view-bulk.ts). What it builds must answer every query as PouchDB's own map/reduce does, and as
// the same index built row by row: with documents changed while it builds, with keys that sort one
// way in LevelDB (UTF-8 bytes) and another in JavaScript (UTF-16 units), and after a crash half way.
// PouchDB is the oracle for plain keys only: its own index orders strings by LevelDB's bytes
// ("aĀ" before "a0"), which is neither CouchDB's order nor the engine's.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { ViewEngine } from '../../server/node/views.ts';
import { LevelKV } from '../../server/node/view-store.ts';
import { hooked, spiedStore } from '../support/view-spies.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-view-bulk-'));
const open: Array<{ close(): Promise<unknown> }> = [];
afterAll(async () => {
  for (const x of open.reverse()) await x.close();
  rmSync(dir, { recursive: true, force: true });
});

let seed = 7;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
/** Pieces whose order differs between UTF-8 and UTF-16 (U+FFFF against a character beyond it), and plain ones. */
const WIDE = ['a', 'b', 'toko', '\uffff', '\ue000', '😀', '𝔘', 'z', 'Ā', ''];
const PLAIN = ['a', 'b', 'toko', 'z', ''];
let PIECES = WIDE;
const word = () => PIECES[rnd(PIECES.length)] + PIECES[rnd(PIECES.length)] + String(rnd(50));

function doc(i: number) {
  const rows = rnd(4); // 0-3 rows, now and then the same key twice
  const k = [word(), rnd(5)];
  return {
    _id: `${PIECES[rnd(PIECES.length)]}d${String(i).padStart(5, '0')}`,
    rows: Array.from({ length: rows }, () => (rnd(5) === 0 ? k : [word(), rnd(5)])),
    v: rnd(1000) - 200,
  };
}

const MAP = 'function (doc) { if (!doc.rows) return; for (var i = 0; i < doc.rows.length; i++) emit(doc.rows[i], doc.v); }';
const DESIGN = {
  _id: '_design/t',
  views: {
    sum: { map: MAP, reduce: '_sum' },
    stats: { map: MAP, reduce: '_stats' },
    count: { map: 'function (doc) { if (doc.v > 0) emit(doc._id, 1); }', reduce: '_count' },
    plain: { map: 'function (doc) { if (doc.v % 3 === 0) emit([doc.v, doc._id], { v: doc.v }); }' },
    js: { map: MAP, reduce: 'function (keys, values, rereduce) { return values.length; }' },
  },
};

async function database(name: string, n: number, pieces = WIDE) {
  PIECES = pieces;
  const db = new PouchDB(join(dir, name), { adapter: 'leveldb' } as any);
  open.push(db);
  await db.put(DESIGN);
  await db.bulkDocs(Array.from({ length: n }, (_, i) => doc(i)));
  return db;
}

/** A store that counts the rows a bulk build writes under its scratch prefix (`<prefix>s<view>:`). */
function counted(location: string) {
  const seen = { scratch: 0 };
  const store = spiedStore(location, { writes: (ops) => (seen.scratch += ops.filter((o) => o.type === 'put' && /^[0-9a-f]{12}\/s\d+:/.test(o.key)).length) });
  return { seen, store };
}

/** The queries compared: every row, groups at each level, pages, both directions, a few keys. */
const QUERIES: Array<[string, Record<string, unknown>]> = [
  ['sum', { reduce: false }],
  ['sum', { group: true }],
  ['sum', { group_level: 1 }],
  ['sum', {}],
  ['stats', { group_level: 1, descending: true }],
  ['count', { reduce: false, skip: 7, limit: 50 }],
  ['count', {}],
  ['plain', { descending: true, limit: 40 }],
  ['plain', { startkey: [0], endkey: [500, {}] }],
  ['js', { group_level: 1 }],
  ['sum', { keys: [['a', 1], ['😀', 2], ['\uffff', 0]], reduce: false }],
];

async function answers(engine: ViewEngine, db: PouchDB.Database) {
  const out: unknown[] = [];
  for (const [view, q] of QUERIES) out.push(await engine.query(db, 't', view, q as any));
  return out;
}
/** PouchDB's own map/reduce: what CouchDB answers, with offset and total_rows where it gives them. */
async function oracle(db: PouchDB.Database) {
  const out: unknown[] = [];
  for (const [view, q] of QUERIES) out.push(await db.query(`t/${view}`, q as any));
  return out;
}
const shape = (rs: unknown[]) => rs.map((r: any) => ({ rows: r.rows.map((x: any) => ({ id: x.id, key: x.key, value: x.value })) }));

describe('a first build over many documents', () => {
  it('writes its rows once and each tree bottom-up, and answers as the same index built row by row', async () => {
    const db = await database('one', 2000);
    const bulk = counted(join(dir, 'one-bulk'));
    const a = new ViewEngine({ store: bulk.store, bulkMin: 1 });
    const b = new ViewEngine({ dir: join(dir, 'one-rows'), bulkMin: Infinity });
    open.push(a, b);
    expect(await answers(a, db)).toEqual(await answers(b, db));
    expect(bulk.seen.scratch).toBeGreaterThan(2000);
    // Later changes fold in as usual: an update, a deletion, a new document.
    const some = (await db.allDocs({ include_docs: true, limit: 3, startkey: 'a' })).rows as any[];
    await db.bulkDocs([{ ...some[0].doc, v: 999, rows: [['a', 1], ['a', 1]] }, { ...some[1].doc, _deleted: true }, doc(9999)]);
    expect(await answers(a, db)).toEqual(await answers(b, db));
  });

  it('builds anew, in place of the index it had, when a load has outrun it', async () => {
    const db = await database('behind', 300);
    const location = join(dir, 'behind-views');
    const bulk = counted(location);
    const a = new ViewEngine({ store: bulk.store, bulkMin: 1000 });
    // 300 documents: row by row.
    await a.refresh(db, 't');
    expect(bulk.seen.scratch).toBe(0);
    // 3,000 more, ten times what it holds: built anew.
    await db.bulkDocs(Array.from({ length: 3000 }, (_, i) => doc(1000 + i)));
    expect(await answers(a, db)).toEqual(await answers(new ViewEngine({ bulkMin: Infinity }), db));
    expect(bulk.seen.scratch).toBeGreaterThan(3000);
    // 500 more are fewer than twice what it holds: row by row again.
    const before = bulk.seen.scratch;
    await db.bulkDocs(Array.from({ length: 500 }, (_, i) => doc(5000 + i)));
    expect(await answers(a, db)).toEqual(await answers(new ViewEngine({ bulkMin: Infinity }), db));
    expect(bulk.seen.scratch).toBe(before);
    // The index it replaced is gone: one prefix in the store.
    await a.close();
    const kv = new LevelKV(location);
    open.push(kv);
    const prefixes = new Set<string>();
    for (const p of '0123456789abcdef') for (const [k] of await kv.list(p)) prefixes.add(k.slice(0, 13));
    expect(prefixes.size).toBe(1);
  });

  it('answers as PouchDB does, for plain keys', async () => {
    const db = await database('plain', 1000, PLAIN);
    const a = new ViewEngine({ dir: join(dir, 'plain-views'), bulkMin: 1 });
    open.push(a);
    expect(shape(await answers(a, db))).toEqual(shape(await oracle(db)));
  });

  it('takes documents changed, deleted and added while it builds', async () => {
    const db = await database('two', 2500);
    const engine = new ViewEngine({ dir: join(dir, 'two-views'), bulkMin: 1 });
    open.push(engine);
    // After the first batch is read: some of it changes and goes, some it has not reached changes too, and new ones come.
    await engine.refresh(hooked(db, async (k) => {
      if (k !== 1) return;
      const got = (await db.allDocs({ include_docs: true })).rows.filter((r) => !r.id.startsWith('_design/')) as any[];
      const edits = got.filter((_, i) => i % 37 === 0).map((r, i) => (i % 2 ? { ...r.doc, _deleted: true } : { ...r.doc, v: r.doc.v + 5, rows: [['b', 9]] }));
      await db.bulkDocs([...edits, ...Array.from({ length: 50 }, (_, i) => doc(5000 + i))]);
    }), 't');
    const reference = new ViewEngine({ bulkMin: Infinity });
    expect(await answers(engine, db)).toEqual(await answers(reference, db));
  });

  it('stopped half way (a crash), starts over at the next start and leaves none of its scratch rows', async () => {
    const db = await database('three', 2500);
    const location = join(dir, 'three-views');
    const first = new ViewEngine({ store: () => new LevelKV(location), bulkMin: 1 });
    await expect(first.refresh(hooked(db, async (k) => {
      if (k === 2) throw new Error('stopped');
    }), 't')).rejects.toThrow('stopped');
    await first.close();
    // While it is down, documents it had written rows for change: their old rows must not survive.
    const got = (await db.allDocs({ include_docs: true, limit: 1000 })).rows.filter((r) => !r.id.startsWith('_design/')) as any[];
    await db.bulkDocs(got.filter((_, i) => i % 10 === 0).map((r) => ({ ...r.doc, v: r.doc.v + 1, rows: [['moved', 1]] })));
    const second = new ViewEngine({ store: () => new LevelKV(location), bulkMin: 1 });
    expect(await answers(second, db)).toEqual(await answers(new ViewEngine({ bulkMin: Infinity }), db));
    await second.close();
    const kv = new LevelKV(location);
    open.push(kv);
    // Every key: the registry (`i/…`) and the indexes' (a hex prefix each).
    const keys: string[] = [];
    for (const p of ['i/', ...'0123456789abcdef']) keys.push(...(await kv.list(p)).map(([k]) => k));
    // One index, registered once; no scratch rows, of this build or the stopped one.
    expect(keys.filter((k) => k.startsWith('i/'))).toHaveLength(1);
    expect(keys.filter((k) => /^[0-9a-f]{12}\/s\d+:/.test(k))).toEqual([]);
    const prefixes = new Set(keys.filter((k) => !k.startsWith('i/')).map((k) => k.slice(0, 13)));
    expect(prefixes.size).toBe(1);
  });
});
