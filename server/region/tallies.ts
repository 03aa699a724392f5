// The sales tallies (SalesTally, src/lib/model/ops.ts): what each warehouse item sold, net of cancels,
// written from the stock fold (stock.ts), so the best sellers read one row an item instead of every
// order's lines (on Apache CouchDB, a grouped read of the orders cost about 1 ms a product at a
// million orders). A tally trails its ledger by at most `delayMs`: the items that changed are written
// together, once a second under any load, not once a checkout. Like a snapshot, a tally is always
// rewritable from the fold, so a crash between the two costs nothing: the start compares them all.
import type { Couch } from '../couch-client.ts';
import { SalesTally, ids } from '../../src/lib/model/index.ts';
import type { Stock } from './stock.ts';
import { range } from './stock.ts';
import { RETRY_MS } from './backoff.ts';

const nowIso = () => new Date().toISOString();

export class SalesTallies {
  /** What the node holds, by stock id. */
  private written = new Map<string, SalesTally>();
  private due = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private svc: Couch, private R: string, private stock: Stock,
    /** The service's one-at-a-time chain: the fold is read there, where no decision is half made. */
    private serial: <T>(fn: () => Promise<T>) => Promise<T>,
    private log: (l: string) => void,
    private delayMs = 1000,
  ) {}

  /** The region's tallies as the node holds them (one per item that ever sold). */
  async load() {
    this.written.clear();
    for (const row of await this.svc.allDocs('ops', `include_docs=true&${range(`tally:${this.R}:`)}`)) {
      if (row.doc?.type === 'sales_tally') this.written.set(row.doc.stock_id, row.doc);
    }
  }

  /** Items whose fold changed: their tallies are written within `delayMs`. */
  note(stockIds: Iterable<string>) {
    for (const id of stockIds) this.due.add(id);
    this.arm(this.delayMs);
  }

  private arm(ms: number) {
    if (this.timer || this.closed || !this.due.size) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
    this.timer.unref?.();
  }

  /** Writes every due tally that differs from its fold; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Writes what is due, then stops writing (the service is stopping). */
  async close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.closed = true; // nothing is timed after this: a failed last write is done by the next start
    await this.flushing?.catch(() => {});
    await this.flush().catch(() => {});
  }

  private async write() {
    let docs: SalesTally[] = [];
    try {
      docs = await this.serial(async () => this.compose());
      if (!docs.length) return;
      const res = (await this.svc.ok('POST', '/ops/_bulk_docs', { docs })) as any[];
      const conflicts: string[] = [];
      res.forEach((r, i) => {
        const d = docs[i];
        if (r.ok) this.written.set(d.stock_id, { ...d, _rev: r.rev });
        else if (r.error === 'conflict') conflicts.push(d.stock_id);
        else this.log(`[${this.R}] sales tally ${d._id} refused: ${r.reason}`);
      });
      if (conflicts.length) await this.takeRevs(conflicts);
    } catch (e) {
      // The node is away or busy (or the service's state was reloading): the same items at the next try.
      for (const d of docs) this.due.add(d.stock_id);
      this.log(`[${this.R}] sales tallies: ${(e as Error).message}; trying again`);
      this.arm(RETRY_MS);
    }
  }

  private compose(): SalesTally[] {
    const docs: SalesTally[] = [];
    for (const id of this.due) {
      const item = this.stock.snapshots.get(id);
      // An id the region has no warehouse item for stays ledger-only (stock.ts ensureSnapshots logs it).
      if (!item) continue;
      const { units, revenue } = this.stock.fold(id);
      const had = this.written.get(id);
      if (had ? had.units === units && had.revenue === revenue : units === 0 && revenue === 0) continue;
      docs.push(SalesTally.parse({
        _id: ids.tally(id), ...(had?._rev ? { _rev: had._rev } : {}), type: 'sales_tally', region_code: this.R,
        stock_id: id, product_id: item.product_id, units, revenue, updated_at: nowIso(),
      }));
    }
    this.due.clear();
    return docs;
  }

  /** Someone (an operator) wrote a tally: take it as the node holds it; compose rewrites it if it differs from the fold. */
  private async takeRevs(stockIds: string[]) {
    for (const id of stockIds) {
      const current = await this.svc.getDoc('ops', ids.tally(id)); // if the node fails, write() tries these again
      if (current) this.written.set(id, current);
      else this.written.delete(id);
      this.due.add(id);
    }
    this.arm(this.delayMs);
  }
}
