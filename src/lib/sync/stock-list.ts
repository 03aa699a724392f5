// Central's stock list across regions: one range of the inventory's `stock_sorted` view
// (design-docs/inventory/views) per filter and order, paged by key, counted by its `_stats`.
import type { WarehouseItem } from '../model/index.ts';
import { countValue, docsOf, viewRange, type PageQuery, type ViewFn } from './key-pager.ts';

export type StockOrder = 'sku' | 'qty' | 'qty-desc' | 'region';

export interface StockFilter {
  region: string;
  warehouse: string;
  lowOnly: boolean;
  order: StockOrder;
}

/** The view scope a filter reads: the narrowest of warehouse, region, everything; 'low|' for low rows only. */
export function stockScope(f: Pick<StockFilter, 'region' | 'warehouse' | 'lowOnly'>) {
  const scope = f.warehouse ? `W:${f.warehouse}` : f.region ? `R:${f.region}` : 'all';
  return f.lowOnly ? `low|${scope}` : scope;
}

export function stockQuery(view: ViewFn, f: StockFilter): PageQuery<WarehouseItem> {
  const scope = stockScope(f);
  const field = f.order.replace('-desc', '');
  return docsOf(viewRange(view, 'stock_sorted', { lo: [scope, field], hi: [scope, field, {}], descending: f.order.endsWith('-desc'), includeDocs: true }));
}

/** One product's stock rows at every region (by region, then warehouse). */
export async function productStock(view: ViewFn, productId: string): Promise<WarehouseItem[]> {
  const scope = `P:${productId}`;
  return (await view('stock_sorted', { reduce: false, startkey: [scope], endkey: [scope, {}], include_docs: true })).map((r) => r.doc as WarehouseItem);
}

/** How many units of a product the regions hold, from the view's `_stats` (no rows read). */
export async function unitsHeld(view: ViewFn, productId: string): Promise<number> {
  const scope = `P:${productId}`;
  const v = (await view('stock_sorted', { reduce: true, startkey: [scope], endkey: [scope, {}] }))[0]?.value;
  return countValue(v) ? Number(v.sum) : 0;
}
