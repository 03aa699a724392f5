// A list page's paging state, "x-y of z" with previous/next (components/admin/PageNav.svelte):
//  - ListPager: a list read from a node's views a page at a time, by key (key-pager.ts: one view
//    range, or several merged), with where each visited page starts, so "previous" goes back by key too;
//  - SlicePager: rows already in the browser (the region's replicated stock, which the admin has
//    offline too), shown a page at a time so no list is cut silently.
import type { KeyRow, PageQuery } from './key-pager.ts';

/** What PageNav shows and drives. */
export interface Paged {
  readonly page: number;
  readonly first: number;
  readonly last: number;
  readonly total: number;
  readonly hasNext: boolean;
  readonly loading: boolean;
  next(): unknown;
  previous(): unknown;
}

export class SlicePager<T> implements Paged {
  private wanted = $state(0);
  readonly loading = false;

  /** `source` is read reactively: a filter that changes it keeps the page in range. */
  constructor(private source: () => T[], readonly perPage = 50) {}

  get total() {
    return this.source().length;
  }
  get page() {
    return Math.max(0, Math.min(this.wanted, Math.ceil(this.total / this.perPage) - 1));
  }
  get rows() {
    return this.source().slice(this.page * this.perPage, (this.page + 1) * this.perPage);
  }
  get first() {
    return this.total ? this.page * this.perPage + 1 : 0;
  }
  get last() {
    return Math.min(this.total, (this.page + 1) * this.perPage);
  }
  get hasNext() {
    return this.last < this.total;
  }
  next() {
    if (this.hasNext) this.wanted = this.page + 1;
  }
  previous() {
    if (this.page > 0) this.wanted = this.page - 1;
  }
  /** Back to the first page (a new filter or sort). */
  restart() {
    this.wanted = 0;
  }
}

export class ListPager<R = KeyRow> implements Paged {
  rows = $state.raw<R[]>([]);
  total = $state(0);
  page = $state(0);
  loading = $state(false);
  hasNext = $state(false);
  private starts: unknown[] = [null];
  private query: PageQuery<R> | null = null;
  /** Answers of an older query that arrive late are dropped. */
  private ask = 0;

  constructor(readonly perPage = 20) {}

  get first() {
    return this.rows.length ? this.page * this.perPage + 1 : 0;
  }
  get last() {
    return this.page * this.perPage + this.rows.length;
  }

  /**
   * A new query (filters or order changed): back to the first page. The rows of the old query go at
   * once, so nothing on screen answers a question no longer asked (nor can be clicked) meanwhile.
   */
  reset(query: PageQuery<R>) {
    this.clear();
    this.query = query;
    this.starts = [null];
    return this.show(0);
  }

  /** The rows shown no longer answer what is asked (a search being typed): show none until the new query lands. */
  clear() {
    this.ask++;
    this.rows = [];
    this.total = 0;
    this.hasNext = false;
    this.loading = true;
  }

  next() {
    return this.hasNext ? this.show(this.page + 1) : Promise.resolve();
  }

  previous() {
    return this.page > 0 ? this.show(this.page - 1) : Promise.resolve();
  }

  /** The current page again (after a change to one of its rows). */
  reload() {
    return this.show(this.page);
  }

  /** Fetches page `n`, then shows it: the page number, rows and total change together. */
  private async show(n: number) {
    if (!this.query) return;
    const q = this.query;
    const ask = ++this.ask;
    this.loading = true;
    try {
      const [p, total] = await Promise.all([q.page(this.starts[n] ?? null, this.perPage), q.count()]);
      if (ask !== this.ask) return;
      this.page = n;
      this.rows = p.rows;
      this.total = total;
      this.hasNext = p.next !== null;
      this.starts[n + 1] = p.next;
    } finally {
      if (ask === this.ask) this.loading = false;
    }
  }
}
