// The region's stock: the ledger's fold, kept in memory by its one writer,
// and the snapshots (`inventory` warehouse items) written from it. The ledger
// is the truth and the node folds it (the `_design/ledger` view): the service
// reads that fold at start, adds what it writes itself, and reads the fold of
// an item again when the ops feed shows an entry someone else wrote. A
// snapshot is always rewritable from the fold, so a crash between a ledger
// write and a snapshot write is repaired by `repair` on start.
import { Couch, CouchError } from '../couch-client.ts';
import { LedgerEntry, addToFold, emptyFold, type Folded, type WarehouseItem } from '../../src/lib/model/index.ts';
import { LEDGER_DESIGN_ID } from '../design.ts';

const nowIso = () => new Date().toISOString();
/** A new warehouse item's low-stock threshold until an admin sets one (as the demo data has it). */
export const DEFAULT_LOW_THRESHOLD = 10;
export const range = (prefix: string) =>
  `startkey=${encodeURIComponent(JSON.stringify(prefix))}&endkey=${encodeURIComponent(JSON.stringify(prefix + '\uffff'))}`;

export class Stock {
  private folded = new Map<string, Folded>();
  /** Entries taken for a decision not yet written (checkout.ts): counted once when `record` writes them. */
  private taken = new Set<string>();
  /** Entries this run wrote, until the ops feed shows them: their effect is already in the fold. */
  private mine = new Set<string>();
  readonly snapshots = new Map<string, WarehouseItem>();
  /** Told the items whose fold changed by written or seen entries (the sales tallies follow it). */
  changed: (stockIds: Iterable<string>) => void = () => {};

  constructor(private svc: Couch, private R: string, private log: (l: string) => void) {}

  /**
   * The fold from the node's ledger view (_design/ledger), not from the ledger itself: one grouped
   * query whose cost is the number of stock items, however long the history. Every snapshot of the region.
   */
  async load() {
    this.folded = await this.foldOf(null);
    this.taken.clear();
    this.mine.clear();
    const stock = await this.svc.allDocs('inventory', `include_docs=true&${range(`stock:${this.R}:`)}`);
    this.snapshots.clear();
    for (const row of stock) if (row.doc?.type === 'warehouse_item') this.snapshots.set(row.id, row.doc);
    this.changed(this.folded.keys());
  }

  /** An item's fold, with the entries taken for a decision in flight: read it in the service's chain, where none is. */
  fold(id: string): Folded {
    return { ...(this.folded.get(id) ?? emptyFold()) };
  }

  /** The node's fold of these stock ids (all of the region's with null); an id with no entry folds to nothing. */
  private async foldOf(stockIds: string[] | null) {
    const out = new Map<string, Folded>();
    const view = `/ops/${LEDGER_DESIGN_ID}/_view/fold?group=true`;
    const rows: any[] = stockIds
      ? (await this.svc.ok('POST', view, { keys: stockIds.map((id) => [this.R, id]) })).rows
      : (await this.svc.ok('GET', `${view}&startkey=${encodeURIComponent(JSON.stringify([this.R]))}&endkey=${encodeURIComponent(JSON.stringify([this.R, {}]))}`)).rows;
    for (const r of rows) {
      if (!Array.isArray(r.value)) continue; // a key asked for with no entries
      out.set(r.key[1], { quantity: r.value[0], count: r.value[1], units: r.value[2], revenue: r.value[3] });
    }
    return out;
  }

  /**
   * Entries the ops feed showed (receipts and counts by admins, replicated ones, our own): those this run
   * did not write are read back from the node's fold, so an entry is counted once however often a feed
   * shows it. Returns the stock ids whose fold was read again.
   */
  async seen(entries: Array<Partial<LedgerEntry>>) {
    const again = new Set<string>();
    for (const e of entries) {
      if (e.type !== 'ledger' || e.region_code !== this.R || typeof e.stock_id !== 'string') continue;
      if (typeof e._id === 'string' && this.mine.delete(e._id)) continue;
      again.add(e.stock_id);
    }
    if (!again.size) return [];
    const fresh = await this.foldOf([...again]);
    for (const id of again) this.folded.set(id, fresh.get(id) ?? emptyFold());
    this.changed(again);
    return [...again];
  }

  available(id: string) {
    return Math.max(0, this.folded.get(id)?.quantity ?? 0);
  }

  quantity(id: string) {
    return this.folded.get(id)?.quantity ?? 0;
  }

  /** Takes an entry into the fold before it is written, so the next decision of a batch sees it. */
  take(e: LedgerEntry) {
    if (this.taken.has(e._id)) return;
    this.taken.add(e._id);
    this.add(e, 1);
  }

  /** Gives a taken entry back (its order was refused, so it will never be written). */
  untake(e: LedgerEntry) {
    if (this.taken.delete(e._id)) this.add(e, -1);
  }

  private add(e: LedgerEntry, sign: 1 | -1) {
    const f = this.folded.get(e.stock_id) ?? emptyFold();
    addToFold(f, e, sign);
    this.folded.set(e.stock_id, f);
  }

  /**
   * Writes entries the service derived (ids only the service may write, so a conflict means it wrote
   * them before, and the fold has them) and the snapshots they change. Throws if the node refused one:
   * the caller's state is then unknown and the service reloads it from the node.
   */
  async record(entries: LedgerEntry[]) {
    if (!entries.length) return;
    for (const e of entries) LedgerEntry.parse(e);
    const res = (await this.svc.ok('POST', '/ops/_bulk_docs', { docs: entries })) as any[];
    const refused = res.filter((r) => r.error && r.error !== 'conflict');
    if (refused.length) throw new Error(`ledger entry ${refused[0].id} refused: ${refused[0].reason}`);
    res.forEach((r, i) => {
      const e = entries[i];
      const wasTaken = this.taken.delete(e._id);
      if (r.ok) {
        this.mine.add(e._id);
        if (!wasTaken) this.add(e, 1);
      } else if (wasTaken) this.add(e, -1); // there before: the fold counted it already
    });
    this.changed(entries.map((e) => e.stock_id));
    await this.writeSnapshots(entries.map((e) => e.stock_id));
  }

  /** Which of these entries the node has (an order's movements, after a crash): read by id, not by history. */
  async existing(entryIds: string[]) {
    const have = new Set<string>();
    for (let i = 0; i < entryIds.length; i += 1000) {
      const rows = (await this.svc.ok('POST', '/ops/_all_docs', { keys: entryIds.slice(i, i + 1000) })).rows as any[];
      for (const r of rows) if (r.id && !r.error && !r.value?.deleted) have.add(r.id);
    }
    return have;
  }

  stale(id: string) {
    const s = this.snapshots.get(id);
    const f = this.folded.get(id) ?? emptyFold();
    return !!s && (s.quantity !== Math.max(0, f.quantity) || s.ledger_count !== f.count);
  }

  /**
   * Gives a stock id its first snapshot when the ledger names one the region has none for (goods
   * received of a product this warehouse never held), if the id's warehouse is this region's and its
   * product is in the catalog; other ids stay ledger-only and are logged.
   */
  async ensureSnapshots(idsSeen: Iterable<string>) {
    const missing = [...new Set(idsSeen)].filter((id) => !this.snapshots.has(id));
    for (const id of missing) {
      const m = new RegExp(`^stock:${this.R}:([A-Z0-9-]+):([A-Z0-9-]+)$`).exec(id);
      const warehouseId = m ? `warehouse:${this.R}:${m[1]}` : '';
      const productId = m ? `product:${m[2]}` : '';
      const [warehouse, product] = m
        ? await Promise.all([this.svc.getDoc('inventory', warehouseId), this.svc.getDoc('catalog', productId)])
        : [null, null];
      if (warehouse?.type !== 'warehouse' || product?.type !== 'product') {
        this.log(`[${this.R}] ledger names ${id}, which is no warehouse item of ${this.R} (unknown warehouse or product)`);
        continue;
      }
      const current = await this.svc.getDoc('inventory', id);
      this.snapshots.set(id, current?.type === 'warehouse_item' ? current : {
        _id: id, type: 'warehouse_item', region_code: this.R, warehouse_id: warehouseId, product_id: productId,
        quantity: 0, low_threshold: DEFAULT_LOW_THRESHOLD, ledger_count: 0, updated_at: nowIso(),
      });
      this.log(`[${this.R}] first stock of ${productId} in ${warehouseId}`);
    }
  }

  /** Rewrites every snapshot that does not match the fold (after a crash, or an operator's edit). */
  async repair() {
    await this.ensureSnapshots([...this.folded.keys()]);
    const stale = [...this.snapshots.keys()].filter((id) => this.stale(id));
    if (stale.length) this.log(`[${this.R}] repairing ${stale.length} stock snapshot(s) from the ledger`);
    await this.writeSnapshots(stale);
  }

  async setThreshold(id: string, lowThreshold: number) {
    const s = this.snapshots.get(id);
    if (!s) return false;
    this.snapshots.set(id, { ...s, low_threshold: lowThreshold });
    await this.writeSnapshots([id], true);
    return true;
  }

  async writeSnapshots(idsToWrite: Iterable<string>, force = false, attempt = 1): Promise<void> {
    const docs: WarehouseItem[] = [];
    for (const id of new Set(idsToWrite)) {
      const s = this.snapshots.get(id);
      if (!s || (!force && !this.stale(id))) continue;
      const f = this.folded.get(id) ?? emptyFold();
      docs.push({ ...s, quantity: Math.max(0, f.quantity), ledger_count: f.count, updated_at: nowIso() });
    }
    if (!docs.length) return;
    const res = (await this.svc.ok('POST', '/inventory/_bulk_docs', { docs })) as any[];
    const conflicts: string[] = [];
    res.forEach((r, i) => {
      if (r.ok) this.snapshots.set(docs[i]._id, { ...docs[i], _rev: r.rev });
      else if (r.error === 'conflict') conflicts.push(docs[i]._id);
      else this.log(`[${this.R}] snapshot ${docs[i]._id} refused: ${r.reason}`);
    });
    if (!conflicts.length) return;
    if (attempt > 3) throw new CouchError(409, null, `snapshots ${conflicts.join(', ')} keep conflicting`);
    // Someone (an operator) touched a snapshot: take their rev and write ours again.
    for (const id of conflicts) {
      const current = await this.svc.getDoc('inventory', id);
      if (current) this.snapshots.set(id, { ...this.snapshots.get(id)!, _rev: current._rev });
    }
    await this.writeSnapshots(conflicts, true, attempt + 1);
  }
}
