// Filtering, sorting and paging the local catalog: pure, so 5,000 products
// are handled in memory without a round trip.
import type { Product } from '$lib/model/index.ts';
import { compareName as byName } from './collate.ts';

export type SortKey = 'name' | 'priceAsc' | 'priceDesc' | 'newest';

export interface CatalogQuery {
  text: string;
  category: string;
  sort: SortKey;
  onlyAvailable: boolean;
  page: number;
  perPage: number;
}


export function queryCatalog(products: Product[], q: CatalogQuery, available: (id: string) => number) {
  const words = q.text.toLowerCase().split(/\s+/).filter(Boolean);
  let list = products.filter(
    (p) =>
      (!q.category || p.category_id === q.category) &&
      (!q.onlyAvailable || available(p._id) > 0) &&
      words.every((w) => p.name.toLowerCase().includes(w) || p.sku.toLowerCase().includes(w)),
  );
  const by: Record<SortKey, (a: Product, b: Product) => number> = {
    name: (a, b) => byName(a.name, b.name),
    priceAsc: (a, b) => a.price - b.price || byName(a.name, b.name),
    priceDesc: (a, b) => b.price - a.price || byName(a.name, b.name),
    newest: (a, b) => b.created_at.localeCompare(a.created_at),
  };
  list = list.sort(by[q.sort]);
  const pages = Math.max(1, Math.ceil(list.length / q.perPage));
  const page = Math.min(Math.max(1, q.page), pages);
  return { total: list.length, pages, page, items: list.slice((page - 1) * q.perPage, page * q.perPage) };
}
