// The view queries of central's overview page, shared by the page and the bench that times it.
// The charts show the last 30 days and the last 12 calendar weeks (Asia/Jakarta), so only those
// groups are asked for, by exact key: the page's cost stays the same however long the shop's
// history grows (grouping all of it cost Apache CouchDB about 0.3 ms a group).
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

/** [view, params] of the four queries, in the order the page reads them: per region, per day, per week, per product (all regions). */
export function overviewQueries(regions: string[], w: OverviewWindow): Array<[string, Record<string, unknown>]> {
  return [
    ['orders_by_day', { group_level: 1 }],
    ['orders_by_day', { group: true, keys: regions.flatMap((R) => w.days.map((d) => [R, d])) }],
    ['orders_by_week', { group: true, keys: regions.flatMap((R) => w.weeks.map((d) => [R, d])) }],
    ['product_sales', BEST_SELLERS_QUERY],
  ];
}
