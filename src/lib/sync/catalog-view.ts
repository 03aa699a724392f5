// What the shop pages show of a region's catalog and stock, built from the
// local replicas. The maps follow the replicas' changes feeds, so a stock
// change costs one document, not a reload; a returning visit starts from one
// cached document instead of every product and stock line.
import type PouchDB from 'pouchdb-browser';
import type { Category, Product, Warehouse, WarehouseItem } from '../model/index.ts';

/** A product as the shop holds it: its photos by name only (fetched by URL, see shop-photos). */
export type ShopProduct = Product & { attachments?: Record<string, { content_type?: string }> };

export interface StockLine {
  item: WarehouseItem;
  warehouse: Warehouse | undefined;
}

const CACHE_ID = '_local/sebaran-view';

const namesOf = (atts: Record<string, { content_type?: string }> | undefined) =>
  atts ? Object.fromEntries(Object.entries(atts).map(([n, a]) => [n, { content_type: a.content_type }])) : undefined;

export class CatalogView {
  private categories = new Map<string, Category>();
  private products = new Map<string, ShopProduct>();
  private warehouses = new Map<string, Warehouse>();
  private items = new Map<string, WarehouseItem>();
  private seqs = { catalog: 0 as number | string, inventory: 0 as number | string };

  constructor(private catalogDb: PouchDB.Database, private inventoryDb: PouchDB.Database) {}

  private take(doc: any, deleted = false) {
    const id: string = doc._id;
    if (id.startsWith('category:')) deleted ? this.categories.delete(id) : this.categories.set(id, doc);
    else if (id.startsWith('product:')) {
      if (deleted || !doc.active) this.products.delete(id);
      else {
        // Only the photos' names are kept (a replica pulled before photos went by URL has them inline).
        const { _attachments, ...rest } = doc;
        this.products.set(id, { ...rest, attachments: rest.attachments ?? namesOf(_attachments) });
      }
    } else if (id.startsWith('warehouse:')) deleted ? this.warehouses.delete(id) : this.warehouses.set(id, doc);
    else if (id.startsWith('stock:')) deleted ? this.items.delete(id) : this.items.set(id, doc);
  }

  build() {
    const stock = new Map<string, StockLine[]>();
    for (const item of this.items.values()) {
      const lines = stock.get(item.product_id) ?? [];
      lines.push({ item, warehouse: this.warehouses.get(item.warehouse_id) });
      stock.set(item.product_id, lines);
    }
    for (const lines of stock.values()) lines.sort((a, b) => b.item.quantity - a.item.quantity);
    return {
      categories: [...this.categories.values()].sort((a, b) => a.sort - b.sort),
      products: [...this.products.values()],
      warehouses: [...this.warehouses.values()],
      stock,
    };
  }

  /** Starts from the cached view; false if there is none. */
  async loadCache(): Promise<boolean> {
    try {
      const cache: any = await this.catalogDb.get(CACHE_ID);
      for (const d of [...cache.categories, ...cache.products, ...cache.warehouses, ...cache.items]) this.take(d);
      this.seqs = cache.seqs;
      return true;
    } catch {
      return false;
    }
  }

  private async saveCache() {
    const doc: any = {
      _id: CACHE_ID, seqs: this.seqs,
      categories: [...this.categories.values()], products: [...this.products.values()],
      warehouses: [...this.warehouses.values()], items: [...this.items.values()],
    };
    try {
      const prev: any = await this.catalogDb.get(CACHE_ID).catch(() => null);
      if (prev) doc._rev = prev._rev;
      await this.catalogDb.put(doc);
    } catch {
      /* a cache only: the next refresh writes it again */
    }
  }

  /** A first pull's documents, taken as they arrive, before the replica holds them. */
  takeAll(docs: any[]) {
    for (const d of docs) if (typeof d?._id === 'string' && !d._id.startsWith('_design/')) this.take(d, !!d._deleted);
  }

  /** The replica now holds everything taken from it, up to its `seq`: later looks start there. */
  caughtUp(db: 'catalog' | 'inventory', seq: number | string) {
    this.seqs = { ...this.seqs, [db]: seq };
    void this.saveCache();
  }

  /** Applies what changed in the local replicas since the last look. */
  async update() {
    const [cat, inv] = await Promise.all([
      this.catalogDb.changes({ since: this.seqs.catalog, include_docs: true }),
      this.inventoryDb.changes({ since: this.seqs.inventory, include_docs: true }),
    ]);
    for (const c of [...cat.results, ...inv.results] as any[]) {
      if (c.id.startsWith('_design/')) continue;
      this.take(c.doc ?? { _id: c.id }, !!c.deleted);
    }
    this.seqs = { catalog: cat.last_seq, inventory: inv.last_seq };
    if (cat.results.length + inv.results.length > 0) void this.saveCache();
  }
}
