// Bringing a database back after a storage error. durable-level.ts fences a database at its first
// failed write; this closes it and opens it afresh once its disk has room (LevelDB's recovery then
// rebuilds the log from what it did persist), so the node recovers by itself, without a restart.
import { basename, dirname } from 'node:path';
import { onStorageFailure, type StorageFailure } from './durable-level.ts';
import { storageError } from './errors.ts';
import { roomToReopen } from './storage-room.ts';
import { retire } from './guarded-pouch.ts';

/** What the store lends the reopener: its databases by name, and how to open one. */
export interface ReopenHost {
  /** The open PouchDB instance of a database (or the registry), null if the store does not hold it. */
  current(name: string): PouchDB.Database | null;
  /** Ends what lives on the failed instance (live feeds), just before it is closed. */
  retire(name: string): void;
  /** Swaps in the fresh instance; `old` is the one that failed (the swap is skipped if it was replaced meanwhile). */
  replace(name: string, old: PouchDB.Database, fresh: PouchDB.Database): boolean;
  open(name: string): PouchDB.Database;
}

export class Reopener {
  private reopening = new Set<string>();
  /** Closed right now: between closing the failed instance and opening a fresh one. */
  private down = new Set<string>();
  private listeners = new Set<(name: string) => void>();
  private stopWatching: () => void;
  private stopped = false;

  constructor(private dir: string, private host: ReopenHost) {
    this.stopWatching = onStorageFailure((f) => this.fenced(f));
  }

  /** Called with a database's name each time it has been reopened. */
  onReopen(listener: (name: string) => void) {
    this.listeners.add(listener);
  }

  /** While a database is closed for reopening, everything on it is refused as CouchDB refuses a failed write. */
  requireAvailable(name: string) {
    if (this.down.has(name)) throw storageError();
  }

  stop() {
    this.stopped = true;
    this.stopWatching();
  }

  private fenced({ location, error }: StorageFailure) {
    if (dirname(location) !== this.dir) return;
    let name = basename(location).replace(/%2F/g, '/');
    // A Mango index (PouchDB's `<db>-mrview-<hash>`) is reopened with the database it indexes.
    const index = /^(.+)-mrview-[0-9a-f]+$/.exec(name);
    if (index && !this.host.current(name)) name = index[1];
    if (!this.host.current(name) || this.reopening.has(name)) return;
    this.reopening.add(name);
    console.error(`[store] ${name}: a write failed on disk (${error.message}); writes are refused until it is reopened`);
    void this.reopen(name).finally(() => this.reopening.delete(name));
  }

  private async reopen(name: string) {
    const failed = this.host.current(name)!;
    let current = failed;
    for (let attempt = 0; !this.stopped; attempt++) {
      await roomToReopen(this.dir, () => this.stopped, attempt);
      if (this.stopped || (attempt === 0 && this.host.current(name) !== failed)) return;
      this.down.add(name);
      if (attempt === 0) this.host.retire(name);
      // New operations on it are refused from now on; those under way finish before it closes.
      const raw = await retire(current);
      await closeIndexes(raw);
      await raw.close().catch(() => {});
      current = this.host.open(name);
      try {
        await current.info();
      } catch (e) {
        console.error(`[store] ${name}: reopening failed (${(e as Error).message}); trying again`);
        continue;
      }
      this.down.delete(name);
      if (!this.host.replace(name, failed, current)) return void (await retire(current)).close().catch(() => {});
      console.error(`[store] ${name}: reopened; writes are taken again`);
      for (const l of this.listeners) l(name);
      return;
    }
  }
}

/** Closes the Mango index databases PouchDB opened for `pouch` (a fresh instance opens them again when asked). */
async function closeIndexes(pouch: PouchDB.Database) {
  for (const pending of Object.values((pouch as any)._cachedViews ?? {})) {
    const view: any = await Promise.resolve(pending).catch(() => null);
    await view?.db?.close().catch(() => {});
  }
}
