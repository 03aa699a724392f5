// A view does not look up a document's previous rows where it can have none: in a build from
// nothing, for changes at or below the update_seq it began with (documents changed during the
// build come again above it, also when the build resumes after a restart); and for a document
// whose one revision is its first. A second branch (a replicated conflict) is looked up.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { ViewEngine } from '../../server/node/views.ts';
import { hooked, spiedStore } from '../support/view-spies.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-fresh-build-'));
const open: Array<{ close(): Promise<unknown> }> = [];
afterAll(async () => {
  for (const x of open.reverse()) await x.close();
  rmSync(dir, { recursive: true, force: true });
});

const N = 5000;
const docs = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ _id: `d${String(from + i).padStart(6, '0')}`, n: from + i }));

/** A store that counts the documents' previous rows it is asked for (`<prefix>d<doc id>` keys). */
function counted(location: string) {
  const looked = { docKeys: 0 };
  const store = spiedStore(location, { reads: (keys) => (looked.docKeys += keys.filter((k) => /^[0-9a-f]{12}\/d/.test(k)).length) });
  return { looked, store };
}

/** What the view must hold: every live document's row, from the database itself. */
async function expected(db: PouchDB.Database) {
  const all = (await db.allDocs({ include_docs: true })).rows.filter((r) => !r.id.startsWith('_design/'));
  return all.map((r: any) => [r.doc.n, r.id]).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
}
const rows = async (engine: ViewEngine, db: PouchDB.Database) =>
  ((await engine.query(db, 't', 'all', { reduce: false } as any)) as any).rows.map((r: any) => [r.key, r.id]);

async function database(name: string) {
  const db = new PouchDB(join(dir, name), { adapter: 'leveldb' } as any);
  open.push(db);
  await db.put({ _id: '_design/t', views: { all: { map: 'function (doc) { emit(doc.n, null); }', reduce: '_count' } } });
  await db.bulkDocs(docs(0, N));
  return db;
}

/** Changes folded already: 100 documents updated and 100 deleted, which come again later in the feed. */
async function changeFolded(db: PouchDB.Database) {
  const got = (await db.allDocs({ include_docs: true, startkey: 'd000000', endkey: 'd000199' })).rows as any[];
  await db.bulkDocs(got.map((r, i) => (i < 100 ? { ...r.doc, n: r.doc.n + 100_000 } : { ...r.doc, _deleted: true })));
}

describe('a view built from nothing', () => {
  it('skips the previous-row lookups of its first pass and still drops the rows of documents changed meanwhile', async () => {
    const db = await database('one');
    const { looked, store } = counted(join(dir, 'one-views'));
    const engine = new ViewEngine({ store });
    open.push(engine);
    // After the first batch (1,000 documents) is read, documents of that batch change.
    await engine.refresh(hooked(db, async (k) => (k === 1 ? changeFolded(db) : undefined)), 't');
    expect(await rows(engine, db)).toEqual(await expected(db));
    expect((await rows(engine, db)).length).toBe(N - 100);
    // Only the 200 changed documents, which came again above the seq the build began with, were looked up.
    expect(looked.docKeys).toBe(200);
    // Later changes are looked up as before: the updated row replaces the old one.
    const before = looked.docKeys;
    const d = (await db.get('d004000')) as any;
    await db.put({ ...d, n: -1 });
    expect(await rows(engine, db)).toEqual(await expected(db));
    expect(looked.docKeys).toBe(before + 1);
  });

  it('resumed after a restart, keeps the seq it began with: lookups only for what changed since', async () => {
    const db = await database('two');
    const location = join(dir, 'two-views');
    const first = counted(location);
    const a = new ViewEngine({ store: first.store });
    // The build stops (a crash) when it asks for its third batch: two are folded and stored.
    await expect(a.refresh(hooked(db, async (k) => {
      if (k === 3) throw new Error('stopped');
    }), 't')).rejects.toThrow('stopped');
    await a.close();
    expect(first.looked.docKeys).toBe(0);
    // While it is down, folded documents change, and so do documents it had not reached.
    await changeFolded(db);
    const late = (await db.allDocs({ include_docs: true, startkey: 'd003000', endkey: 'd003049' })).rows as any[];
    await db.bulkDocs(late.map((r) => ({ ...r.doc, n: r.doc.n + 200_000 })));
    const second = counted(location);
    const b = new ViewEngine({ store: second.store });
    open.push(b);
    expect(await rows(b, db)).toEqual(await expected(db));
    // Only the 250 changed documents were looked up, not the 3,000 the resumed build folded.
    expect(second.looked.docKeys).toBe(250);
  });

  it('looks up a new document only when it has more than one revision: a first revision alone has no rows yet, a conflict may', async () => {
    const db = await database('three');
    const { looked, store } = counted(join(dir, 'three-views'));
    const engine = new ViewEngine({ store });
    open.push(engine);
    await engine.refresh(db, 't');
    // 100 new documents after the build: first revisions, nothing to look up.
    await db.bulkDocs(docs(N, 100));
    expect(await rows(engine, db)).toEqual(await expected(db));
    expect(looked.docKeys).toBe(0);
    // A replicated branch beside a first revision, and it wins: the old row must go.
    await db.put({ _id: 'c1', n: -5 });
    expect(await rows(engine, db)).toContainEqual([-5, 'c1']);
    await db.bulkDocs([{ _id: 'c1', _rev: '1-ffffffffffffffffffffffffffffffff', n: -7 }], { new_edits: false });
    expect(((await db.get('c1')) as any).n).toBe(-7);
    expect(await rows(engine, db)).toEqual(await expected(db));
    expect(await rows(engine, db)).not.toContainEqual([-5, 'c1']);
    expect(looked.docKeys).toBe(1);
  });
});
