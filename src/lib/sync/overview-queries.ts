// The view queries of central's overview page, shared by the page and the bench that times it.
// The charts show the last 30 days and the last 12 calendar weeks (Asia/Jakarta), so only those
// groups are asked for: the page's cost stays the same however long the shop's history grows.
// A range per region, not one exact key per region and day: Apache CouchDB looks each key up on its
// own (a probe at 100,000 orders: 90 keys 67-83 ms at p50, three ranges 22 ms; weeks 48 ms, 27-31 ms).
import { addDays, jakartaDay, weekStart } from '../model/jakarta.ts';
import { BEST_SELLERS_QUERY } from './product-sales.ts';

export const OVERVIEW_DAYS = 30;
export const OVERVIEW_WEEKS = 12;

export interface OverviewWindow {
  /** The days the daily chart shows, oldest first. */
  days: string[];
  /** The Mondays that start the weeks the weekly chart shows, oldest first. */
  weeks: string[];
}

export function overviewWindow(now = Date.now()): OverviewWindow {
  const today = jakartaDay(now);
  const monday = weekStart(today);
  return {
    days: Array.from({ length: OVERVIEW_DAYS }, (_, i) => addDays(today, i - (OVERVIEW_DAYS - 1))),
    weeks: Array.from({ length: OVERVIEW_WEEKS }, (_, i) => addDays(monday, (i - (OVERVIEW_WEEKS - 1)) * 7)),
  };
}

export type OverviewPart = 'perRegion' | 'days' | 'weeks' | 'products';
export interface OverviewQuery {
  part: OverviewPart;
  view: string;
  params: Record<string, unknown>;
}

const range = (R: string, keys: string[]) => ({ group: true, startkey: [R, keys[0]], endkey: [R, keys[keys.length - 1]] });

/** The queries the page sends at once: totals per region, each region's days and weeks, the best sellers (all regions). */
export function overviewQueries(regions: string[], w: OverviewWindow): OverviewQuery[] {
  return [
    { part: 'perRegion', view: 'orders_by_day', params: { group_level: 1 } },
    ...regions.map((R): OverviewQuery => ({ part: 'days', view: 'orders_by_day', params: range(R, w.days) })),
    ...regions.map((R): OverviewQuery => ({ part: 'weeks', view: 'orders_by_week', params: range(R, w.weeks) })),
    { part: 'products', view: 'product_sales', params: BEST_SELLERS_QUERY },
  ];
}

/** The rows of each part, from the answers to `queries` (in their order). */
export function overviewRows<Row>(queries: OverviewQuery[], answers: Row[][]): Record<OverviewPart, Row[]> {
  const out: Record<OverviewPart, Row[]> = { perRegion: [], days: [], weeks: [], products: [] };
  queries.forEach((q, i) => out[q.part].push(...answers[i]));
  return out;
}
