// A first visit's first page. Until the region's catalog and stock are on the device (a snapshot of
// megabytes at 5,000 products), the shop shows the first products by name, with their prices and
// stock, read from the region node in two rounds of small requests: a cost that does not grow with
// the catalog. The whole catalog replaces it as soon as the snapshot arrives.
import { NodeClient } from './node-client.ts';
import { ids } from '../model/ids.ts';

/** More than the shop's first page (24): the shop sorts these by its own collation and shows the first. */
export const FIRST_PAGE_PRODUCTS = 48;

/**
 * The documents of the first page: categories, the first products by name (`products_sorted`, read
 * with `update=lazy`: the node keeps that index current, and a slightly older order is fine for a
 * page about to be replaced), the region's warehouses and those products' stock. Null if the node
 * has no active product to show there.
 */
export async function firstPageDocs(region: string, signal?: AbortSignal): Promise<any[] | null> {
  const node = new NodeClient(region);
  const [rows, categories, warehouses] = await Promise.all([
    node.view('catalog', 'products_sorted', {
      reduce: false, include_docs: true, limit: FIRST_PAGE_PRODUCTS, update: 'lazy',
      startkey: ['all', 'name'], endkey: ['all', 'name', {}],
    }),
    node.allDocs('catalog', 'category:'),
    node.allDocs('inventory', `warehouse:${region}:`),
  ]);
  if (signal?.aborted) return null;
  const products = rows.map((r) => r.doc).filter((d) => d?.type === 'product' && d.active === true);
  if (!products.length) return null;
  const stock = await node.docs('inventory', warehouses.flatMap((w) => products.map((p) => ids.stock(region, w.code, p.sku))));
  return [...categories, ...products, ...warehouses, ...stock];
}
