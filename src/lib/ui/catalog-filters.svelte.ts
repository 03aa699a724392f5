// The shopper's catalog search, category, sort and page: kept in this module,
// which outlives the catalog page, so opening a product and coming back finds
// the list as it was left.
import type { SortKey } from '$lib/ui/catalog-query.ts';

export const catalogFilters = $state({ text: '', category: '', sort: 'name' as SortKey, onlyAvailable: false, page: 1 });
