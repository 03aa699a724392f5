// winners() against PouchDB's own allDocs({ keys }) as the oracle: the same rows for live,
// deleted, conflicted, re-created and unknown ids, duplicates and order included, over documents
// built by a seeded generator and edited, deleted and branched at random.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { winners } from '../../server/node/point-reads.ts';
import { allDocsSliced } from '../../server/node/all-docs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-point-reads-'));
const db = new PouchDB(join(dir, 'db'), { adapter: 'leveldb' } as any);
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

let seed = 11;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
const hex = () => Array.from({ length: 32 }, () => '0123456789abcdef'[rnd(16)]).join('');

describe('winners (one point read per id)', () => {
  it('gives the rows allDocs({ keys }) gives, with and without documents and conflicts', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `doc:${i}`);
    for (const id of ids) await db.put({ _id: id, n: 0 });
    for (let round = 0; round < 200; round++) {
      const id = ids[rnd(ids.length)];
      const action = rnd(5);
      const cur: any = await db.get(id).catch(() => null);
      if (action === 0 && cur) await db.remove(cur);
      else if (action === 1 && !cur) await db.put({ _id: id, n: round }); // re-created after a deletion
      else if (action === 2) {
        // A branch from a replica: a second leaf beside the current one.
        await db.bulkDocs([{ _id: id, _rev: `9-${hex()}`, n: -round, _revisions: { start: 9, ids: [hex().slice(0, 32)] } }], { new_edits: false } as any);
      } else if (cur) await db.put({ ...cur, n: round });
    }
    const keys = [...Array.from({ length: 80 }, () => ids[rnd(ids.length)]), 'unknown:1', ids[0], 'unknown:1'];
    for (const o of [{}, { docs: true }, { docs: true, conflicts: true }]) {
      const oracle = await db.allDocs({ keys, include_docs: !!(o as any).docs, conflicts: !!(o as any).conflicts } as any);
      const mine = await winners(db, keys, o);
      expect(mine.length).toBe(keys.length);
      mine.forEach((row, i) => {
        const want: any = oracle.rows[i];
        expect(row.key).toBe(want.key);
        if (want.error) return expect(row.error).toBe('not_found');
        expect(row.id).toBe(want.id);
        expect(row.value).toEqual({ rev: want.value.rev, ...(want.value.deleted ? { deleted: true } : {}) });
        if ((o as any).docs) expect(row.doc ?? null).toEqual(want.doc ?? null);
      });
    }
    // The generator reached every case it is meant to.
    const rows = (await db.allDocs({ keys: ids, include_docs: true, conflicts: true } as any)).rows as any[];
    expect(rows.some((r) => r.value?.deleted)).toBe(true);
    expect(rows.some((r) => r.doc?._conflicts?.length)).toBe(true);
  });

  it('answers _all_docs with keys as PouchDB does, skip, limit and descending included', async () => {
    const all = (await db.allDocs()).rows.map((r: any) => r.id as string);
    expect(all.length).toBeGreaterThan(10);
    const keys = [...Array.from({ length: 40 }, () => all[rnd(all.length)]), 'doc:0', 'unknown:2', 'doc:0'];
    const variants = [{}, { include_docs: true }, { include_docs: true, conflicts: true }, { skip: 3 }, { limit: 7 }, { skip: 5, limit: 10, include_docs: true },
      { descending: true }, { descending: true, skip: 2, limit: 4, include_docs: true }, { limit: 0 }, { skip: 100 }];
    for (const v of variants) {
      const oracle: any = await db.allDocs({ ...v, keys } as any);
      const mine = await allDocsSliced(db, { ...v, keys });
      expect({ v, ...mine }).toEqual({ v, ...oracle });
    }
  });
});
