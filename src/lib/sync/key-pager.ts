// Newest-first lists that page by key, never by `skip`: a page starts at the
// first row's key and document id (CouchDB's startkey + startkey_docid), so
// page 2,000 costs what page 1 costs, and rows written meanwhile never shift a
// page. Several sources (central's one view range per region) are merged by
// (time, id), each asked from the same cursor. The total comes from the
// views' `_count` reduce over the same range: "21-40 of 1,014", never a
// silently cut list.

/** A view row whose key ends with the row's time (created_at, UTC ISO). */
export interface KeyRow {
  id: string;
  key: unknown[];
  value: any;
}

/** One view range: the key prefix ([region], [region, status], ...) and how to query it. */
export interface KeySource {
  prefix: unknown[];
  /** A view query with reduce=false (rows). */
  rows(params: Record<string, unknown>): Promise<KeyRow[]>;
  /** The same range reduced (the view's `_count`). */
  count(params: Record<string, unknown>): Promise<number>;
}

/** Where a page starts: its first row (inclusive). */
export interface Cursor {
  at: string;
  id: string;
}

/** Time bounds of the range, both inclusive ('' and '\uffff' leave a side open); newest first unless `oldestFirst`. */
export interface TimeRange {
  lo: string;
  hi: string;
  oldestFirst?: boolean;
}

const atOf = (r: KeyRow) => String(r.key[r.key.length - 1]);

/** Descending by (time, id), the order CouchDB gives a descending view with equal keys. */
export function newestFirst(a: KeyRow, b: KeyRow) {
  const x = atOf(a), y = atOf(b);
  if (x !== y) return x < y ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Ascending by (time, id): the order of an ascending view with equal keys. */
export const oldestFirst = (a: KeyRow, b: KeyRow) => newestFirst(b, a);

/** Whether a row is at or after the cursor in the list's order (on its page or a later one). */
const from = (c: Cursor | null, oldest: boolean) => (r: KeyRow) =>
  !c || (oldest ? atOf(r) > c.at || (atOf(r) === c.at && r.id >= c.id) : atOf(r) < c.at || (atOf(r) === c.at && r.id <= c.id));

/** One page from `cursor` on, and the cursor of the page after it (null: this is the last). */
export async function pageOf(sources: KeySource[], range: TimeRange, perPage: number, cursor: Cursor | null) {
  const oldest = !!range.oldestFirst;
  const parts = await Promise.all(
    sources.map((s) =>
      s.rows({
        ...(oldest ? {} : { descending: true }),
        startkey: [...s.prefix, cursor ? cursor.at : oldest ? range.lo : range.hi],
        ...(cursor ? { startkey_docid: cursor.id } : {}),
        endkey: [...s.prefix, oldest ? range.hi : range.lo],
        limit: perPage + 1,
        reduce: false,
      }),
    ),
  );
  const merged = parts.flat().filter(from(cursor, oldest)).sort(oldest ? oldestFirst : newestFirst);
  const extra = merged[perPage];
  return { rows: merged.slice(0, perPage), next: extra ? { at: atOf(extra), id: extra.id } : null };
}

/** How many rows the range holds across every source. */
export async function countOf(sources: KeySource[], range: TimeRange) {
  const counts = await Promise.all(
    sources.map((s) => s.count({ descending: true, startkey: [...s.prefix, range.hi], endkey: [...s.prefix, range.lo], reduce: true })),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export type ViewFn = (name: string, params: Record<string, unknown>) => Promise<Array<{ id?: string; key: any; value: any; doc?: any }>>;

/** A view's range under `prefix`, as a source: rows with reduce=false, the count from its `_count`. */
export function viewSource(view: ViewFn, name: string, prefix: unknown[]): KeySource {
  return {
    prefix,
    rows: async (p) => (await view(name, p)) as KeyRow[],
    count: async (p) => Number((await view(name, p))[0]?.value ?? 0),
  };
}

const cmpKey = (a: unknown[], b: unknown[]) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = String(a[i] ?? ''), y = String(b[i] ?? '');
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/**
 * Rows already in hand (a filter no view serves, over a range known to be small) answered as a
 * view query would be, either way: startkey + startkey_docid inclusive, endkey inclusive, limit.
 * Keys compare as strings part by part, which is CouchDB's order for the codes and ISO times used here.
 */
export function memorySource(prefix: unknown[], rows: KeyRow[]): KeySource {
  const asc = [...rows].sort((a, b) => cmpKey(a.key, b.key) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const desc = [...asc].reverse();
  const select = (p: Record<string, any>) =>
    p.descending
      ? desc.filter((r) => {
          const c = cmpKey(r.key, p.startkey);
          return (c < 0 || (c === 0 && (p.startkey_docid === undefined || r.id <= p.startkey_docid))) && cmpKey(r.key, p.endkey) >= 0;
        })
      : asc.filter((r) => {
          const c = cmpKey(r.key, p.startkey);
          return (c > 0 || (c === 0 && (p.startkey_docid === undefined || r.id >= p.startkey_docid))) && cmpKey(r.key, p.endkey) <= 0;
        });
  return {
    prefix,
    rows: async (p) => select(p).slice(0, typeof p.limit === 'number' ? p.limit : undefined),
    count: async (p) => select(p).length,
  };
}

/** One page of a query, and where the page after it starts (null: this is the last). */
export interface Page<R> {
  rows: R[];
  next: unknown | null;
}

/** A list read a page at a time from wherever it lives (ListPager drives it). */
export interface PageQuery<R = KeyRow> {
  page(start: unknown | null, perPage: number): Promise<Page<R>>;
  count(): Promise<number>;
}

/** Several sources merged newest first over a time range (the order lists). */
export function mergedQuery(sources: KeySource[], range: TimeRange): PageQuery {
  return {
    page: (start, perPage) => pageOf(sources, range, perPage, start as Cursor | null),
    count: () => countOf(sources, range),
  };
}

/** A reduced row's count: `_count` gives a number, `_stats` an object with `count`. */
export const countValue = (v: unknown) => Number(typeof v === 'object' && v ? (v as { count?: number }).count : v) || 0;

/**
 * One view range in the view's own order (or reversed), paged by key: each page starts at the key and
 * document id of the row after the last one shown. No client-side sorting, so CouchDB's collation
 * (ICU for strings) is the only order there is. `lo` and `hi` bound the range in ascending terms.
 */
export function viewRange(view: ViewFn, name: string, r: { lo: unknown[]; hi: unknown[]; descending?: boolean; includeDocs?: boolean }): PageQuery {
  const desc = !!r.descending;
  return {
    async page(start, perPage) {
      const at = start as { key: unknown[]; id: string } | null;
      const rows = (await view(name, {
        reduce: false,
        ...(desc ? { descending: true } : {}),
        startkey: at ? at.key : desc ? r.hi : r.lo,
        ...(at ? { startkey_docid: at.id } : {}),
        endkey: desc ? r.lo : r.hi,
        limit: perPage + 1,
        ...(r.includeDocs ? { include_docs: true } : {}),
      })) as KeyRow[];
      const extra = rows[perPage];
      return { rows: rows.slice(0, perPage), next: extra ? { key: extra.key, id: extra.id } : null };
    },
    async count() {
      return countValue((await view(name, { reduce: true, startkey: r.lo, endkey: r.hi }))[0]?.value);
    },
  };
}

/** A query of rows read with include_docs, as a query of their documents. */
export function docsOf<D>(q: PageQuery): PageQuery<D> {
  return {
    page: async (start, n) => {
      const p = await q.page(start, n);
      return { rows: p.rows.map((r) => (r as KeyRow & { doc: D }).doc), next: p.next };
    },
    count: () => q.count(),
  };
}

/** Rows already in hand (search hits), paged by position; `fill` turns a page of them into what is shown. */
export function arrayQuery<T, R>(items: T[], fill: (page: T[]) => Promise<R[]>): PageQuery<R> {
  return {
    async page(start, perPage) {
      const from = Number(start ?? 0);
      return { rows: await fill(items.slice(from, from + perPage)), next: from + perPage < items.length ? from + perPage : null };
    },
    count: async () => items.length,
  };
}

/** View query parameters as CouchDB reads them: keys (and anything not a string) as JSON, strings as they are. */
export function viewQuery(params: Record<string, unknown>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, typeof v === 'string' && !['startkey', 'endkey', 'key'].includes(k) ? v : JSON.stringify(v));
  return q.toString();
}
