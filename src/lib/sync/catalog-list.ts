// The central catalog list: which view serves a search, a category and an order. Without a search
// it is one range of `products_sorted`, paged by key. A search reads the hits of its longest word
// from `products_search` (word prefixes, design-docs/catalog/views), keeps the products every other
// word also matches, and pages them in hand; the documents of a page are fetched by id.
import type { Product } from '../model/index.ts';
import { compareName, compareSku } from '../ui/collate.ts';
import { arrayQuery, docsOf, viewRange, type PageQuery, type ViewFn } from './key-pager.ts';
import { matchesAll, wordSearch, words } from './word-search.ts';

export { SEARCH_CAP, words } from './word-search.ts';

export type ProductOrder = 'name' | 'name-desc' | 'price' | 'price-desc' | 'sku';

export interface ProductFilter {
  search: string;
  /** A category id, or '' for the whole catalog. */
  category: string;
  order: ProductOrder;
}

export interface SearchHit {
  id: string;
  name: string;
  sku: string;
  category: string;
  price: number;
}

/** A product's own words, as the search view cuts them (the SKU whole and in parts). */
export const productWords = (h: Pick<SearchHit, 'name' | 'sku'>) => [...words(`${h.name} ${h.sku}`), h.sku.toLowerCase()];

/** Does a product match every word of the query, each as the start of one of its words? */
export const matches = (query: string[], hit: Pick<SearchHit, 'name' | 'sku'>) => matchesAll(query, productWords(hit));

const byOrder: Record<ProductOrder, (a: SearchHit, b: SearchHit) => number> = {
  name: (a, b) => compareName(a.name, b.name) || compareSku(a.sku, b.sku),
  'name-desc': (a, b) => compareName(b.name, a.name) || compareSku(b.sku, a.sku),
  price: (a, b) => a.price - b.price || compareName(a.name, b.name),
  'price-desc': (a, b) => b.price - a.price || compareName(b.name, a.name),
  sku: (a, b) => a.sku.localeCompare(b.sku),
};

/** The hits of a search, filtered and ordered; `capped` when the view held more than SEARCH_CAP. */
export async function searchHits(view: ViewFn, f: ProductFilter): Promise<{ hits: SearchHit[]; capped: boolean }> {
  type V = [string, string, string, number];
  const found = await wordSearch<V>(view, 'products_search', f.search, ([name, sku]) => productWords({ name, sku }));
  const hits = found.hits.map(({ id, value: [name, sku, category, price] }) => ({ id, name, sku, category, price }));
  return { hits: hits.filter((h) => !f.category || h.category === f.category).sort(byOrder[f.order]), capped: found.capped };
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
