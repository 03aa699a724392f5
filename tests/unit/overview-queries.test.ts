// The central overview's window: the last 30 Jakarta days and the last 12 calendar weeks, whatever
// the hour in UTC, asked as one range per region; and each answer goes to its part of the page.
import { describe, expect, it } from 'vitest';
import { overviewQueries, overviewRows, overviewWindow } from '../../src/lib/sync/overview-queries.ts';

describe('central overview queries', () => {
  it('asks for the last 30 days and 12 weeks up to today in Jakarta, a range per region', () => {
    // 2026-12-02 18:30 UTC is already Thursday 3 December in Jakarta.
    const w = overviewWindow(Date.parse('2026-12-02T18:30:00Z'));
    expect([w.days.length, w.days[0], w.days[29]]).toEqual([30, '2026-11-04', '2026-12-03']);
    expect([w.weeks.length, w.weeks[0], w.weeks[11]]).toEqual([12, '2026-09-14', '2026-11-30']);
    const qs = overviewQueries(['JKT', 'BDG'], w);
    expect(qs.map((q) => q.part)).toEqual(['perRegion', 'days', 'days', 'weeks', 'weeks', 'products']);
    expect(qs[0]).toEqual({ part: 'perRegion', view: 'orders_by_day', params: { group_level: 1 } });
    expect(qs[2].params).toEqual({ group: true, startkey: ['BDG', '2026-11-04'], endkey: ['BDG', '2026-12-03'] });
    expect(qs[3].params).toEqual({ group: true, startkey: ['JKT', '2026-09-14'], endkey: ['JKT', '2026-11-30'] });
    expect(qs[5]).toEqual({ part: 'products', view: 'product_sales', params: { group_level: 1 } });
  });

  it('gives each part the rows of its queries, regions in order', () => {
    const qs = overviewQueries(['JKT', 'BDG', 'SBY'], overviewWindow());
    const answers = qs.map((q, i) => [{ part: q.part, i }]);
    const rows = overviewRows(qs, answers);
    expect(rows.perRegion.map((r) => r.i)).toEqual([0]);
    expect(rows.days.map((r) => r.i)).toEqual([1, 2, 3]);
    expect(rows.weeks.map((r) => r.i)).toEqual([4, 5, 6]);
    expect(rows.products.map((r) => r.i)).toEqual([7]);
  });
});
