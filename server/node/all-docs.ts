// `_all_docs` over a range in slices. PouchDB's LevelDB adapter runs a database's reads and writes
// through one queue, and a read that arrives while reads run waits until they have all ended: one
// `_all_docs?include_docs=true` over 5,000 documents (half a second) held every write and every
// small read of that database behind it (a checkout's stock write, a first page's stock lookup).
// Slices of SLICE rows let them in between. As with CouchDB over several shards, the rows are not
// one snapshot: each is a revision its document had during the request.
import type PouchDB from 'pouchdb-node';
import { winners } from './point-reads.ts';

export const SLICE = 500;

export async function allDocsSliced(pouch: PouchDB.Database, o: Record<string, any>): Promise<any> {
  if (Array.isArray(o.keys) && o.keys.length && o.keys.every((k: unknown) => typeof k === 'string') && !o.attachments && !o.update_seq) {
    return byKeys(pouch, o);
  }
  // One key, a descending walk or an empty answer: one call, as before.
  if (o.keys !== undefined || o.key !== undefined || o.descending || o.limit === 0) return pouch.allDocs(o);
  if (o.startkey !== undefined && typeof o.startkey !== 'string') return pouch.allDocs(o);
  const limit: number = typeof o.limit === 'number' ? o.limit : Infinity;
  let first: any = null;
  const rows: any[] = [];
  let startkey: string | undefined = o.startkey;
  let skip: number | undefined = o.skip;
  for (;;) {
    const want = Math.min(SLICE, limit - rows.length);
    const r: any = await pouch.allDocs({ ...o, startkey, skip, limit: want } as any);
    first ??= r;
    for (const row of r.rows) rows.push(row);
    if (r.rows.length < want || rows.length >= limit) break;
    // The next slice starts just after the last id (ids order by their bytes; U+0000 is the least).
    startkey = `${r.rows[r.rows.length - 1].id}\u0000`;
    skip = undefined;
  }
  return { ...first, rows };
}

/**
 * `_all_docs` with `keys`, as PouchDB answers it (keys cut by skip and limit, reversed when descending,
 * `offset` 0), but with a point read per key instead of PouchDB's range read per key (point-reads.ts):
 * a replication's or a service's lookups by id are most of what this route serves.
 */
async function byKeys(pouch: PouchDB.Database, o: Record<string, any>) {
  const skip = typeof o.skip === 'number' && o.skip > 0 ? o.skip : 0;
  let keys: string[] = typeof o.limit === 'number' ? o.keys.slice(skip, skip + o.limit) : o.keys.slice(skip);
  if (!keys.length) return pouch.allDocs(o); // PouchDB's answer to nothing left to read (no offset)
  if (o.descending) keys = keys.reverse();
  const [rows, info] = await Promise.all([winners(pouch, keys, { docs: !!o.include_docs, conflicts: !!o.conflicts }), pouch.info()]);
  return { offset: 0, total_rows: info.doc_count, rows };
}
