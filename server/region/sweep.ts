// The sweep for changes nobody announced. CouchDB's `/_db_updates` is best effort: it is itself
// written to a database (`_global_changes`) a moment after the change, so a node that fails that
// write (a full disk, a crash) never announces a checkout it did store. Once a minute the service
// asks the node where every shopper database stands (`POST /_dbs_info`, 100 names a request) and
// reads those that moved past where it last read. Idle, that costs `_all_dbs` and one request per
// hundred shoppers; a database the service itself wrote to since (an answer) is read once more.
import type { AdminCalls } from './admin-calls.ts';

/** Most names CouchDB takes in one `_dbs_info` request ([chttpd] max_db_number_for_dbs_info_req). */
const DBS_PER_REQUEST = 100;

/**
 * A changes-feed position as a number: the embedded node counts; CouchDB's opaque sequence starts with
 * the sum of its shards' sequences, which only grows while the database lives. NaN if it is neither.
 */
export function seqNumber(seq: unknown): number {
  if (typeof seq === 'number') return seq;
  const m = typeof seq === 'string' ? /^(\d+)(-|$)/.exec(seq) : null;
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * The shopper databases whose position is past what the service read (`readUpTo` gives undefined for one it
 * has not read since it started: read it). A database deleted meanwhile is skipped.
 */
export async function unannounced(admin: AdminCalls, readUpTo: (db: string) => string | number | undefined): Promise<string[]> {
  const dbs = ((await admin.ok('GET', '/_all_dbs')) as string[]).filter((d) => d.startsWith('userdb-'));
  const moved: string[] = [];
  for (let i = 0; i < dbs.length; i += DBS_PER_REQUEST) {
    const rows = (await admin.ok('POST', '/_dbs_info', { keys: dbs.slice(i, i + DBS_PER_REQUEST) })) as Array<{ key: string; info?: { update_seq?: unknown } }>;
    for (const r of rows) {
      if (!r.info) continue;
      const known = readUpTo(r.key);
      const at = seqNumber(r.info.update_seq);
      // An unreadable position is read rather than trusted.
      if (known === undefined || !(seqNumber(known) >= at)) moved.push(r.key);
    }
  }
  return moved;
}
