// LevelDB under PouchDB, made to keep the promise "201 means on disk".
//
// Two things stood between an acknowledged write and the disk:
// - writes were not synced: LevelDB appended them to its log and answered before the bytes left the
//   page cache (lost on power loss or a kernel crash, not on a process crash);
// - after a failed write (ENOSPC, EIO) LevelDB 1.20 carries on. A log append that fails half way
//   leaves a hole in the log, the next appends succeed behind it, and recovery reads the log as
//   corrupt from the hole on: every write acknowledged after the disk came back was lost at the
//   next start (issue #9: 40 of 40).
// So every write is synced, and the first write that fails fences its database: every later write
// fails with the same error, without reaching LevelDB, until the store reopens it (which rebuilds
// the log from what LevelDB did persist). Nothing written after a storage error is acknowledged.
import { createRequire } from 'node:module';

// The leveldown PouchDB itself loads (it is PouchDB's dependency, not ours).
const fromPouch = createRequire(createRequire(import.meta.url).resolve('pouchdb-node'));
const leveldown: any = fromPouch('leveldown');

export interface StorageFailure {
  location: string;
  error: Error;
}

type Callback = (err?: Error | null, ...rest: unknown[]) => void;

/**
 * Table files each LevelDB keeps open (`max_open_files`; LevelDB's floor is 74, its default 1,000).
 * LevelDB 1.20 maps every open table file (up to 1,000 a process, with no setting) and each page it
 * reads stays in the process's RSS until the file is closed: central at a million orders held
 * 1.3 GB of mapped table files beside its heap. Past this many the least recently used table is
 * closed, and its pages leave the RSS with it (read again, it is opened and mapped again).
 */
export const OPEN_TABLE_FILES = 100;

const fences = new Map<string, Error>();
const listeners = new Set<(f: StorageFailure) => void>();

/** Who hears of a database's first storage error (the store, to reopen it); returns a function that stops listening. */
export function onStorageFailure(listener: (f: StorageFailure) => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** PouchDB's `db` option: a leveldown whose writes are synced and fenced. Its name keys PouchDB's instance cache. */
export function durableLeveldown(location: string) {
  const db: any = leveldown(location);
  // A fresh open is a fresh LevelDB (its log rebuilt by recovery): the fence of the last one is lifted.
  const open = db._open;
  db._open = function (options: unknown, cb: Callback) {
    open.call(db, { ...(options as object), maxOpenFiles: OPEN_TABLE_FILES }, (err?: Error | null) => {
      if (!err) fences.delete(location);
      cb(err);
    });
  };
  const guard = (write: (options: any, cb: Callback) => void) => (options: any, cb: Callback) => {
    const fenced = fences.get(location);
    if (fenced) return process.nextTick(cb, fenced);
    write({ ...options, sync: true }, (err?: Error | null, ...rest: unknown[]) => {
      if (err && !fences.has(location)) {
        fences.set(location, err);
        for (const l of listeners) l({ location, error: err });
      }
      cb(err, ...rest);
    });
  };
  const put = db._put, del = db._del, batch = db._batch, chained = db._chainedBatch;
  db._put = (key: unknown, value: unknown, options: any, cb: Callback) => guard((o, c) => put.call(db, key, value, o, c))(options, cb);
  db._del = (key: unknown, options: any, cb: Callback) => guard((o, c) => del.call(db, key, o, c))(options, cb);
  db._batch = (ops: unknown[], options: any, cb: Callback) => guard((o, c) => batch.call(db, ops, o, c))(options, cb);
  db._chainedBatch = function () {
    const b: any = chained.call(db);
    const write = b._write;
    b._write = (options: any, cb: Callback) => guard((o, c) => write.call(b, o, c))(options, cb);
    return b;
  };
  return db;
}

/** PouchDB destroys a database through its adapter's `destroy`. */
durableLeveldown.destroy = (location: string, cb: Callback) => leveldown.destroy(location, cb);
