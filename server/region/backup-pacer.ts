// When the shopper backup (backup.ts) runs: after checkout rounds, on its own chain, at most one pass
// per BACKUP_EVERY_MS. The backup is a copy for a rebuild, so seconds behind cost nothing, while a pass
// per round would cost the node a second read of every database in a burst; rounds that come while a
// pass waits or runs add their databases to the next one.
import type { ShopperBackup } from './backup.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const BACKUP_EVERY_MS = 5000;

export interface PacerHooks {
  /** Databases whose copy failed: to be read and copied again. */
  failed(dbs: Set<string>): void;
  /** The node failed a write of the backup's (`e` absent), or the pass threw `e`. */
  trouble(e?: unknown): void;
  stopped(): boolean;
  log(line: string): void;
}

export class BackupPacer {
  private waiting = new Set<string>();
  private running = false;

  constructor(private backup: ShopperBackup, private hooks: PacerHooks) {}

  /** Backs these databases up in a coming pass. */
  add(dbs: string[]) {
    for (const db of dbs) this.waiting.add(db);
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  private async run() {
    let last = 0;
    while (this.waiting.size && !this.hooks.stopped()) {
      const wait = last + BACKUP_EVERY_MS - Date.now();
      if (wait > 0) await sleep(wait);
      last = Date.now();
      const next = [...this.waiting];
      this.waiting.clear();
      try {
        const { failed, nodeFailed } = await this.backup.copy(next);
        if (failed.size) this.hooks.failed(failed);
        if (nodeFailed) this.hooks.trouble();
      } catch (e) {
        this.hooks.trouble(e);
        this.hooks.log(`backup: ${(e as Error).message}`);
      }
    }
    this.running = false;
  }
}
