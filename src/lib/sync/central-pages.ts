// What the central admin's detail pages show, read in their load functions: a product across the
// business (stock by warehouse, sales by region) and an order. A page gets `missing` for an id central
// does not hold, and `failure` (to put into words) when the node could not be read.
import { centralAdmin } from './central.svelte.ts';
import { productStock } from './stock-list.ts';
import { ids, type Category, type Order, type Product, type Warehouse, type WarehouseItem } from '../model/index.ts';
import { loadFor } from './loaded.ts';
import { overviewQueries, overviewRows, overviewWindow } from './overview-queries.ts';
import { bestSellers, productByRegionQuery, salesByRegion } from './product-sales.ts';

const guarded = <T extends object>(read: () => Promise<T>) => loadFor(!!centralAdmin.user, read);

const warehouseNames = async () =>
  new Map(((await centralAdmin.allDocs('inventory', 'warehouse:')) as Warehouse[]).map((w) => [w._id, w.name]));

export interface ProductPage {
  product: Product;
  category: Category | null;
  items: WarehouseItem[];
  warehouses: Map<string, string>;
  sales: Array<{ region: string; units: number; revenue: number }>;
}

export const productPage = (sku: string, regions: string[]) =>
  guarded<ProductPage>(async () => {
    const id = ids.product(sku);
    const product = (await centralAdmin.get('catalog', id)) as Product;
    const [items, warehouses, category, perRegion] = await Promise.all([
      productStock((n, q) => centralAdmin.view('inventory', n, q), id),
      warehouseNames(),
      centralAdmin.get('catalog', product.category_id).catch(() => null),
      centralAdmin.view('ops', 'product_sales', productByRegionQuery(id)),
    ]);
    return { product, category: (category as Category | null) ?? null, items, warehouses, sales: salesByRegion(perRegion, regions) };
  });

export const orderPage = (id: string) =>
  guarded<{ order: Order; warehouses: Map<string, string> }>(async () => {
    const [order, warehouses] = await Promise.all([centralAdmin.get('ops', id) as Promise<Order>, warehouseNames().catch(() => new Map<string, string>())]);
    return { order, warehouses };
  });

type Row = { key: any; value: any };

export interface Overview {
  perRegion: Array<{ region: string; count: number; sum: number }>;
  /** The ten best sellers across regions, named (only those ten products are read). */
  /** `name` is null for a product no longer in the catalog. */
  top: Array<{ product: string; name: string | null; units: number; revenue: number }>;
  /** The charts' days and weeks (overview-queries.ts), and their rows. */
  days: Row[];
  weeks: Row[];
  weekStarts: string[];
}

/** Central's overview: its grouped view queries (overview-queries.ts), and the names of the top ten products. */
export const overviewPage = (regions: string[], now = Date.now()) =>
  guarded<Overview>(async () => {
    const win = overviewWindow(now);
    const queries = overviewQueries(regions, win);
    const answers = await Promise.all(queries.map((q) => centralAdmin.view('ops', q.view, q.params)));
    const { perRegion: byRegion, days, weeks, products } = overviewRows(queries, answers);
    const best = bestSellers(products);
    const names = new Map(((await centralAdmin.docs('catalog', best.map((b) => b.product))) as Product[]).map((p) => [p._id, p.name]));
    return {
      perRegion: byRegion.map((r) => ({ region: r.key[0], count: r.value.count, sum: r.value.sum })),
      top: best.map((b) => ({ ...b, name: names.get(b.product) ?? null })),
      days,
      weeks,
      weekStarts: win.weeks,
    };
  });
