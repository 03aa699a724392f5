// Shopper lists at both admin levels: one range of the ops `users_sorted` view (by account name or
// newest first, one region or every region at central), paged by key; a search reads word-prefix
// hits from `users_search` and pages them in hand. Profiles of a page are fetched by id.
import type { UserProfile } from '../model/index.ts';
import { arrayQuery, docsOf, viewRange, type PageQuery, type ViewFn } from './key-pager.ts';
import { wordSearch, words } from './word-search.ts';

export type UserOrder = 'name' | 'newest';

export interface UserFilter {
  /** A region code, or 'all' (central). */
  scope: string;
  search: string;
  order: UserOrder;
}

type Value = [string, string, string, string];

export async function userQuery(view: ViewFn, docs: (ids: string[]) => Promise<UserProfile[]>, f: UserFilter): Promise<{ query: PageQuery<UserProfile>; capped: boolean }> {
  if (words(f.search).length) {
    const found = await wordSearch<Value>(view, 'users_search', f.search, ([, name, full, email]) => [...words(`${name} ${full} ${email}`), name]);
    const hits = found.hits.filter((h) => f.scope === 'all' || h.value[0] === f.scope).sort((a, b) => (a.value[1] < b.value[1] ? -1 : 1));
    return { query: arrayQuery(hits, (page) => docs(page.map((h) => h.id))), capped: found.capped };
  }
  const field = f.order === 'newest' ? 'joined' : 'name';
  const range = viewRange(view, 'users_sorted', { lo: [f.scope, field], hi: [f.scope, field, {}], descending: f.order === 'newest', includeDocs: true });
  return { query: docsOf<UserProfile>(range), capped: false };
}

/** Shoppers per region, from the same view's counts. */
export async function usersPerRegion(view: ViewFn) {
  const rows = await view('users_sorted', { group_level: 2 });
  return rows.filter((r) => r.key[1] === 'name' && r.key[0] !== 'all').map((r) => [r.key[0] as string, r.value as number] as const);
}
