// Keeps view indexes current as their databases change, as CouchDB 3's background indexer (ken)
// does: a change to a database schedules a catch-up of its design documents' indexes, and an index
// is caught up at most once per `delayMs` (ken's `delay`, 5 s), so a burst of writes costs one
// catch-up, not one per write. A query then finds its index current instead of folding in every
// change since the last query first (a shopper's first page, an admin's dashboard).
//
// Shopper databases (`userdb-…`) are left to their first query: there are hundreds of them, each
// small and rarely queried on the node, and the node has one thread.
import type { Store } from './store.ts';
import type { ViewEngine } from './views.ts';

export interface AutoIndexOptions {
  /** The least time between two catch-ups of one database's indexes. */
  delayMs: number;
  log?: (line: string) => void;
}

const indexed = (db: string) => !db.startsWith('_') && !db.startsWith('userdb-');

export class AutoIndexer {
  private timers = new Map<string, NodeJS.Timeout>();
  private last = new Map<string, number>();
  private running = new Map<string, Promise<void>>();
  private dirty = new Set<string>();
  private stopped = false;

  constructor(private store: Store, private views: ViewEngine, private opts: AutoIndexOptions) {}

  /** A database changed (or was deleted): its indexes are brought up to date within `delayMs`. */
  changed(db: string, type: 'created' | 'updated' | 'deleted') {
    if (this.stopped || !indexed(db)) return;
    if (type === 'deleted') {
      clearTimeout(this.timers.get(db));
      this.timers.delete(db);
      this.last.delete(db);
      return;
    }
    if (this.running.has(db)) return void this.dirty.add(db);
    if (this.timers.has(db)) return;
    const wait = Math.max(0, (this.last.get(db) ?? 0) + this.opts.delayMs - Date.now());
    this.timers.set(db, setTimeout(() => void this.run(db), wait));
  }

  /** Brings every index of `db` up to date now (a start's warm-up uses this too). */
  async catchUp(db: string) {
    const { pouch } = await this.store.get(db);
    const ddocs = await pouch.allDocs({ startkey: '_design/', endkey: '_design/\uffff', include_docs: true });
    for (const row of ddocs.rows as any[]) {
      if (this.stopped) return;
      if (!row.doc?.views || !Object.keys(row.doc.views).length) continue;
      const t0 = Date.now();
      await this.views.refresh(pouch, row.id.slice('_design/'.length));
      if (Date.now() - t0 > 2000) this.opts.log?.(`views of ${db}/${row.id} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }

  private async run(db: string) {
    this.timers.delete(db);
    const run = this.catchUp(db)
      // A database deleted or closing meanwhile, or a design doc whose map fails: the query that
      // meets it reports the error; the indexer has nobody to tell.
      .catch(() => {})
      .finally(() => {
        this.running.delete(db);
        this.last.set(db, Date.now());
        if (this.dirty.delete(db)) this.changed(db, 'updated');
      });
    this.running.set(db, run);
    await run;
  }

  async stop() {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.running.values());
  }
}
