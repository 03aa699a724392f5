// The central catalog list: which view serves a search, a category and an order. Without a search
// it is one range of `products_sorted`, paged by key. A search reads the hits of its longest word
// from `products_search` (word prefixes, design-docs/catalog/views), keeps the products every other
// word also matches, and pages them in hand; the documents of a page are fetched by id.
import type { Product } from '../model/index.ts';
import { arrayQuery, docsOf, viewRange, type PageQuery, type ViewFn } from './key-pager.ts';

export type ProductOrder = 'name' | 'name-desc' | 'price' | 'price-desc' | 'sku';

export interface ProductFilter {
  search: string;
  /** A category id, or '' for the whole catalog. */
  category: string;
  order: ProductOrder;
}

/** A search reads at most this many hits; past it the page says the search is too broad. */
export const SEARCH_CAP = 2000;

/** The words of a text as the search view cuts them: lower case, split at spaces and punctuation. */
export const words = (text: string) => text.toLowerCase().split(/[\s.,;:!?()/&+"'-]+/).filter(Boolean);

export interface SearchHit {
  id: string;
  name: string;
  sku: string;
  category: string;
  price: number;
}

/** Does a product match every word of the query, each as the start of one of its words? */
export function matches(query: string[], hit: Pick<SearchHit, 'name' | 'sku'>) {
  const own = [...words(`${hit.name} ${hit.sku}`), hit.sku.toLowerCase()];
  return query.every((q) => own.some((w) => w.startsWith(q)));
}

const byOrder: Record<ProductOrder, (a: SearchHit, b: SearchHit) => number> = {
  name: (a, b) => a.name.localeCompare(b.name, 'id') || a.sku.localeCompare(b.sku),
  'name-desc': (a, b) => b.name.localeCompare(a.name, 'id') || b.sku.localeCompare(a.sku),
  price: (a, b) => a.price - b.price || a.name.localeCompare(b.name, 'id'),
  'price-desc': (a, b) => b.price - a.price || b.name.localeCompare(a.name, 'id'),
  sku: (a, b) => a.sku.localeCompare(b.sku),
};

/** The hits of a search, filtered and ordered; `capped` when the view held more than SEARCH_CAP. */
export async function searchHits(view: ViewFn, f: ProductFilter): Promise<{ hits: SearchHit[]; capped: boolean }> {
  const query = words(f.search);
  const longest = query.reduce((a, b) => (b.length > a.length ? b : a), '');
  const rows = await view('products_search', { startkey: longest, endkey: `${longest}\ufff0`, limit: SEARCH_CAP + 1 });
  const seen = new Map<string, SearchHit>();
  for (const r of rows.slice(0, SEARCH_CAP)) {
    const [name, sku, category, price] = r.value as [string, string, string, number];
    if (!seen.has(r.id!)) seen.set(r.id!, { id: r.id!, name, sku, category, price });
  }
  const hits = [...seen.values()].filter((h) => (!f.category || h.category === f.category) && matches(query, h)).sort(byOrder[f.order]);
  return { hits, capped: rows.length > SEARCH_CAP };
}

/** The list for a filter, a page of products at a time. */
export async function productQuery(view: ViewFn, docs: (ids: string[]) => Promise<Product[]>, f: ProductFilter): Promise<{ query: PageQuery<Product>; capped: boolean }> {
  if (words(f.search).length) {
    const { hits, capped } = await searchHits(view, f);
    return { query: arrayQuery(hits, (page) => docs(page.map((h) => h.id))), capped };
  }
  const scope = f.category || 'all';
  const field = f.order.replace('-desc', '');
  const range = viewRange(view, 'products_sorted', { lo: [scope, field], hi: [scope, field, {}], descending: f.order.endsWith('-desc'), includeDocs: true });
  return { query: docsOf<Product>(range), capped: false };
}
