// The current winner of each of many ids, as `allDocs({ keys })` reports it, read with one point
// lookup per id. PouchDB's LevelDB adapter answers `allDocs` with keys by a range read per key (a
// LevelDB iterator opened, read and closed for each), which costs several times a `get`: measured
// in process over 500 ids, 108-203 µs a missing id against 19 µs, and 158 µs a present document
// against 50 µs. Every write (its rules need the old document), `_revs_diff` and view reads with
// `include_docs` look ids up this way, so a replication's batch paid it on every document twice.
import type PouchDB from 'pouchdb-node';

export interface WinnerRow {
  key: string;
  id?: string;
  value?: { rev: string; deleted?: true };
  /** With `docs`: the winning revision's body (null when deleted), `_conflicts` listed when asked. */
  doc?: any;
  error?: 'not_found';
}

/**
 * One row per key, in the keys' order, shaped as `allDocs({ keys, include_docs: docs, conflicts })`'s:
 * a live document `{ id, key, value: { rev }, doc }`, a deleted one `{ id, key, value: { rev, deleted }, doc: null }`,
 * an unknown id `{ key, error: 'not_found' }`.
 */
export async function winners(pouch: PouchDB.Database, keys: string[], o: { docs?: boolean; conflicts?: boolean } = {}): Promise<WinnerRow[]> {
  const unique = [...new Set(keys)];
  const found = new Map<string, WinnerRow>();
  const deleted: string[] = [];
  await Promise.all(
    unique.map(async (key) => {
      try {
        const doc: any = await pouch.get(key, o.conflicts ? { conflicts: true } : {});
        found.set(key, { id: key, key, value: { rev: doc._rev }, ...(o.docs ? { doc } : {}) });
      } catch (e: any) {
        if (e?.status !== 404) throw e;
        // A tombstone's winning rev is not in a 404: the range read has it (deletions are the rare case).
        if (e.reason === 'deleted') deleted.push(key);
        else found.set(key, { key, error: 'not_found' });
      }
    }),
  );
  if (deleted.length) {
    const r = await pouch.allDocs({ keys: deleted, include_docs: !!o.docs });
    for (const row of r.rows as any[]) found.set(row.key, row);
  }
  return keys.map((k) => found.get(k)!);
}
