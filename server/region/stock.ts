// The region's stock: the ledger folded in memory by its one writer, and the
// snapshots (`inventory` warehouse items) written from that fold. The ledger
// is the truth; a snapshot is always rewritable from it, so a crash between
// a ledger write and a snapshot write is repaired by `repair` on start.
import { Couch, CouchError } from '../couch-client.ts';
import { LedgerEntry, type Folded, type WarehouseItem } from '../../src/lib/model/index.ts';

const nowIso = () => new Date().toISOString();
/** A new warehouse item's low-stock threshold until an admin sets one (as the demo data has it). */
export const DEFAULT_LOW_THRESHOLD = 10;
export const range = (prefix: string) =>
  `startkey=${encodeURIComponent(JSON.stringify(prefix))}&endkey=${encodeURIComponent(JSON.stringify(prefix + '\uffff'))}`;

export class Stock {
  private folded = new Map<string, Folded>();
  private applied = new Set<string>();
  /** `reason|ref|stock_id` of every sale and cancel entry: which orders' stock is already accounted for. */
  private derived = new Set<string>();
  readonly snapshots = new Map<string, WarehouseItem>();

  constructor(private svc: Couch, private R: string, private log: (l: string) => void) {}

  /** Reads the whole ledger and every snapshot of the region. */
  async load() {
    this.folded.clear();
    this.applied.clear();
    this.derived.clear();
    const ledger = await this.svc.allDocs('ops', `include_docs=true&${range(`ledger:${this.R}:`)}`);
    for (const row of ledger) if (row.doc) this.apply(row.doc);
    const stock = await this.svc.allDocs('inventory', `include_docs=true&${range(`stock:${this.R}:`)}`);
    this.snapshots.clear();
    for (const row of stock) if (row.doc?.type === 'warehouse_item') this.snapshots.set(row.id, row.doc);
  }

  available(id: string) {
    return Math.max(0, this.folded.get(id)?.quantity ?? 0);
  }

  quantity(id: string) {
    return this.folded.get(id)?.quantity ?? 0;
  }

  /** Whether an order's line already has its sale (or cancel) entry. */
  hasDerived(reason: 'sale' | 'cancel', ref: string, stockId: string) {
    return this.derived.has(`${reason}|${ref}|${stockId}`);
  }

  /** Folds one entry in, once per id; entries of another region or of the wrong shape are not stock. */
  apply(e: Partial<LedgerEntry>): boolean {
    if (e.type !== 'ledger' || e.region_code !== this.R || typeof e._id !== 'string' || this.applied.has(e._id)) return false;
    if (typeof e.stock_id !== 'string' || !Number.isInteger(e.delta)) return false;
    this.applied.add(e._id);
    if ((e.reason === 'sale' || e.reason === 'cancel') && e.ref) this.derived.add(`${e.reason}|${e.ref}|${e.stock_id}`);
    const f = this.folded.get(e.stock_id) ?? { quantity: 0, count: 0 };
    f.quantity += e.delta!;
    f.count += 1;
    this.folded.set(e.stock_id, f);
    return true;
  }

  /** Takes an entry back out of the fold (its order was refused, so it will never be written). */
  unapply(e: LedgerEntry) {
    if (!this.applied.delete(e._id)) return;
    this.derived.delete(`${e.reason}|${e.ref}|${e.stock_id}`);
    const f = this.folded.get(e.stock_id)!;
    f.quantity -= e.delta;
    f.count -= 1;
  }

  /**
   * Writes entries the service derived (ids only the service may write, so a conflict means it wrote
   * them before) and the snapshots they change. Throws if the node refused one: the caller's state is
   * then unknown and the service reloads it from the node.
   */
  async record(entries: LedgerEntry[]) {
    if (!entries.length) return;
    for (const e of entries) LedgerEntry.parse(e);
    const res = (await this.svc.ok('POST', '/ops/_bulk_docs', { docs: entries })) as any[];
    const refused = res.filter((r) => r.error && r.error !== 'conflict');
    if (refused.length) throw new Error(`ledger entry ${refused[0].id} refused: ${refused[0].reason}`);
    for (const e of entries) this.apply(e);
    await this.writeSnapshots(entries.map((e) => e.stock_id));
  }

  stale(id: string) {
    const s = this.snapshots.get(id);
    const f = this.folded.get(id) ?? { quantity: 0, count: 0 };
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
      const f = this.folded.get(id) ?? { quantity: 0, count: 0 };
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
