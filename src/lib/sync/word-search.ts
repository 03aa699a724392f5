// Search by word prefix over a view that emits every word of a document as its key (products_search,
// users_search): the view range of the query's longest word, one hit per document, kept when every
// other query word starts one of the document's words too. Lists then page the hits in hand.
import type { ViewFn } from './key-pager.ts';

/** A search reads at most this many rows; past it the page says the search is too broad. */
export const SEARCH_CAP = 2000;

/** The words of a text as the search views cut them: lower case, split at spaces and punctuation. */
export const words = (text: string) => text.toLowerCase().split(/[\s.,;:!?()/&+"'@_-]+/).filter(Boolean);

/** Does a document with these words match every word of the query, each as the start of one of its words? */
export const matchesAll = (query: string[], own: string[]) => query.every((q) => own.some((w) => w.startsWith(q)));

export interface Hit<V> {
  id: string;
  value: V;
}

export async function wordSearch<V>(view: ViewFn, name: string, text: string, ownWords: (v: V) => string[]): Promise<{ hits: Hit<V>[]; capped: boolean }> {
  const query = words(text);
  if (!query.length) return { hits: [], capped: false };
  const longest = query.reduce((a, b) => (b.length > a.length ? b : a), '');
  const rows = await view(name, { startkey: longest, endkey: `${longest}\ufff0`, limit: SEARCH_CAP + 1 });
  const seen = new Map<string, Hit<V>>();
  for (const r of rows.slice(0, SEARCH_CAP)) if (!seen.has(r.id!)) seen.set(r.id!, { id: r.id!, value: r.value as V });
  return { hits: [...seen.values()].filter((h) => matchesAll(query, ownWords(h.value))), capped: rows.length > SEARCH_CAP };
}
