// The node's `/_db_updates` feed: which databases were created, updated or deleted, in order.
import { randomUUID } from 'node:crypto';
import { badRequest } from './http.ts';

export interface DbUpdate {
  db_name: string;
  type: 'created' | 'updated' | 'deleted';
  seq: string;
}

/** How many announcements the feed keeps (a follower further behind rescans); SEBARAN_DB_UPDATES_WINDOW sets it. */
export const DB_UPDATES_WINDOW = Number(process.env.SEBARAN_DB_UPDATES_WINDOW) || 10_000;

/**
 * The node's `/_db_updates` feed. Kept in memory: its sequence names this
 * node instance, so a client that reconnects after a restart sees an unknown
 * `since` and knows to rescan (as it must after any gap).
 */
export class DbUpdates {
  private events: Array<{ n: number; db: string; type: DbUpdate['type'] }> = [];
  private n = 0;
  private listeners = new Set<() => void>();
  private watchers = new Set<(db: string, type: DbUpdate['type']) => void>();
  readonly instance = randomUUID().slice(0, 8);

  push(db: string, type: DbUpdate['type']) {
    const last = this.events[this.events.length - 1];
    // Collapse bursts: one "updated" per database is all a follower needs.
    if (last && last.db === db && last.type === type && type === 'updated') last.n = ++this.n;
    else this.events.push({ n: ++this.n, db, type });
    if (this.events.length > DB_UPDATES_WINDOW) this.events.splice(0, this.events.length - DB_UPDATES_WINDOW);
    for (const l of this.listeners) l();
    for (const w of this.watchers) w(db, type);
  }

  /** Hears of every event as it happens (the background indexer); returns a function that stops it. */
  watch(watcher: (db: string, type: DbUpdate['type']) => void) {
    this.watchers.add(watcher);
    return () => void this.watchers.delete(watcher);
  }

  seq(n = this.n) {
    return `${n}-${this.instance}`;
  }

  /**
   * Where `since` points, as CouchDB reads it: absent or 0 is the start, `now` the present, a
   * sequence of this feed its place. A well-formed sequence of another instance (this node before
   * a restart) replays everything we still have, as CouchDB replays shards it cannot place; anything
   * else is a 400.
   */
  position(since: string | null): number {
    if (since === null || since === '0') return 0;
    if (since === 'now') return this.n;
    const m = /^(\d+)-([0-9a-f]{8})$/.exec(since);
    if (!m) throw badRequest("Malformed sequence supplied in 'since' parameter.");
    return m[2] === this.instance ? Number(m[1]) : 0;
  }

  /** Events after position `from` (see `position`). */
  after(from: number): DbUpdate[] {
    return this.events.filter((e) => e.n > from).map((e) => ({ db_name: e.db, type: e.type, seq: this.seq(e.n) }));
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.listeners.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.listeners.add(done);
    });
  }
}
