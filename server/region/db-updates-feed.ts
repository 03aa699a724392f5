// The service's reading of the node's `/_db_updates`: which shopper databases were written (their
// checkout requests wait), deleted (what the service knew of them is void), and when `_users` changed
// (sign-ups and deleted accounts). A gap in the feed (the node restarted, the feed was refused) is
// covered by reading every shopper database again, from a position taken before that read.
import type { AdminCalls } from './admin-calls.ts';
import { RETRY_MS } from './backoff.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DbUpdatesDeps {
  admin: AdminCalls;
  /** A shopper database to read at the next round. */
  written(db: string): void;
  deleted(db: string): void;
  /** Provisions the accounts and removes the databases of deleted ones; with `rescan`, marks every database to be read. */
  syncShoppers(rescan?: boolean): Promise<unknown>;
  /** One checkout round, on the service's chain; awaited before the feed is asked again. */
  round(): Promise<void>;
  /** A round soon, without waiting for it. */
  schedule(): void;
  stopped(): boolean;
  log(line: string): void;
}

export async function followDbUpdates(d: DbUpdatesDeps, from: string, signal: AbortSignal) {
  let since = from;
  // Set when `_users` changed, cleared once the accounts are handled: a failed pass (the node busy) is
  // tried again within seconds, not at the next sign-up.
  let usersDue = false;
  while (!d.stopped()) {
    try {
      const body = await d.admin.dbUpdates(since, signal, usersDue ? RETRY_MS : 30_000);
      since = body.last_seq;
      for (const u of body.results) {
        if (typeof u.db_name !== 'string') continue;
        // Only a write has something to answer: a database's creation is announced with 'updated' for its first write.
        if (u.db_name.startsWith('userdb-') && u.type === 'updated') d.written(u.db_name);
        // Deleted (and perhaps made again for a new account of the name): what we knew of it is void.
        if (u.db_name.startsWith('userdb-') && u.type === 'deleted') d.deleted(u.db_name);
        if (u.db_name === '_users') usersDue = true;
      }
      if (usersDue) {
        await d.syncShoppers()
          .then(() => (usersDue = false))
          .catch((e) => d.log(`shoppers: ${(e as Error).message}; trying again`));
      }
      // Awaited before the feed is asked again, so what the node announces meanwhile comes as one batch.
      await d.round().catch((e) => d.log(`checkout round: ${(e as Error).message}`));
    } catch (e) {
      if (d.stopped()) return;
      d.log(`db updates: ${(e as Error).message}; rescanning`);
      await sleep(1000);
      // A gap in the feed: look at every shopper database again, from a position taken before the look.
      since = await d.admin.dbUpdatesSeq().catch(() => 'now');
      await d.syncShoppers(true).catch(() => {});
      d.schedule();
    }
  }
}
