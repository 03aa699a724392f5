// The central overview's window: the last 30 Jakarta days and the last 12 calendar weeks, whatever
// the hour in UTC, and one exact key per region and day or week.
import { describe, expect, it } from 'vitest';
import { overviewQueries, overviewWindow } from '../../src/lib/sync/overview-queries.ts';

describe('central overview queries', () => {
  it('asks for the last 30 days and 12 weeks up to today in Jakarta', () => {
    // 2026-12-02 18:30 UTC is already Thursday 3 December in Jakarta.
    const w = overviewWindow(Date.parse('2026-12-02T18:30:00Z'));
    expect([w.days.length, w.days[0], w.days[29]]).toEqual([30, '2026-11-04', '2026-12-03']);
    expect([w.weeks.length, w.weeks[0], w.weeks[11]]).toEqual([12, '2026-09-14', '2026-11-30']);
    const [perRegion, days, weeks, products] = overviewQueries(['JKT', 'BDG'], w);
    expect(perRegion).toEqual(['orders_by_day', { group_level: 1 }]);
    expect((days[1].keys as unknown[]).length).toBe(60);
    expect((days[1].keys as unknown[])[30]).toEqual(['BDG', '2026-11-04']);
    expect((weeks[1].keys as unknown[])[11]).toEqual(['JKT', '2026-11-30']);
    expect(products).toEqual(['product_sales', { group_level: 1 }]);
  });
});
