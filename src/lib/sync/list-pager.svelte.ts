// A page's state for a key-paged list (key-pager.ts): the rows shown, "x-y of z",
// and the cursors of the pages visited, so "previous" goes back by key too.
import { countOf, pageOf, type Cursor, type KeyRow, type KeySource, type TimeRange } from './key-pager.ts';

export class ListPager {
  rows = $state.raw<KeyRow[]>([]);
  total = $state(0);
  page = $state(0);
  loading = $state(false);
  hasNext = $state(false);
  private starts: Array<Cursor | null> = [null];
  private sources: KeySource[] = [];
  private range: TimeRange = { lo: '', hi: '\uffff' };
  /** Answers of an older query that arrive late are dropped. */
  private ask = 0;

  constructor(readonly perPage = 20) {}

  get first() {
    return this.rows.length ? this.page * this.perPage + 1 : 0;
  }
  get last() {
    return this.page * this.perPage + this.rows.length;
  }

  /** A new query (filters changed): back to the first page. */
  reset(sources: KeySource[], range: TimeRange) {
    this.sources = sources;
    this.range = range;
    this.starts = [null];
    return this.show(0);
  }

  next() {
    return this.hasNext ? this.show(this.page + 1) : Promise.resolve();
  }

  previous() {
    return this.page > 0 ? this.show(this.page - 1) : Promise.resolve();
  }

  /** The current page again (after a change to one of its rows). */
  load() {
    return this.show(this.page);
  }

  /** Fetches page `n`, then shows it: the page number, rows and total change together. */
  private async show(n: number) {
    const ask = ++this.ask;
    this.loading = true;
    try {
      const [p, total] = await Promise.all([pageOf(this.sources, this.range, this.perPage, this.starts[n] ?? null), countOf(this.sources, this.range)]);
      if (ask !== this.ask) return;
      this.page = n;
      this.rows = p.rows;
      this.total = total;
      this.hasNext = !!p.next;
      this.starts[n + 1] = p.next;
    } finally {
      if (ask === this.ask) this.loading = false;
    }
  }
}
