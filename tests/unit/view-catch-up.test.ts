// A view catch-up folds changes up to the database's update_seq when it began, as CouchDB answers a
// query from the index as of the request; writes that keep arriving meanwhile wait for the next one.
// Unbounded, a catch-up on a database written to without pause never ended, and the background
// indexer never reached the next design document.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { ViewEngine } from '../../server/node/views.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-catch-up-'));
const db = new PouchDB(join(dir, 'db'), { adapter: 'leveldb' } as any);
const engine = new ViewEngine();
afterAll(async () => {
  await engine.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const docs = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ _id: `d${String(from + i).padStart(6, '0')}`, n: from + i }));
const count = async () => (await engine.query(db, 't', 'all', { stale: 'ok', reduce: true } as any)).rows[0]?.value ?? 0;

describe('a view catch-up under steady writes', () => {
  it('stops at the update_seq it began with', async () => {
    await db.put({ _id: '_design/t', views: { all: { map: 'function (doc) { emit(doc.n, null); }', reduce: '_count' } } });
    await db.bulkDocs(docs(0, 3000));
    // Every batch the catch-up reads brings 1,500 more documents behind it: writes faster than it folds.
    let added = 0;
    const writing = new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop !== 'changes') return typeof value === 'function' ? value.bind(target) : value;
        return async (opts: any) => {
          const res = await value.call(target, opts);
          if (added < 30_000) {
            await target.bulkDocs(docs(3000 + added, 1500));
            added += 1500;
          }
          return res;
        };
      },
    });
    await engine.refresh(writing as any, 't');
    // The writes did outrun it: more documents came than the catch-up had to fold.
    expect(added).toBeGreaterThan(0);
    const folded = await count();
    expect(folded).toBeGreaterThanOrEqual(3000);
    expect(folded).toBeLessThan(3000 + added);
    // The next catch-up takes in the rest.
    await engine.refresh(db, 't');
    expect(await count()).toBe(3000 + added);
  });
});
