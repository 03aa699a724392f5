// What goes into a report: whole Jakarta days, no canceled orders, the words in the reader's language.
import { describe, expect, it } from 'vitest';
import { salesReport } from '../../src/lib/reports/build.ts';
import { reportMessages } from '../../src/lib/i18n/reports.ts';

const region = { code: 'BDG', name: 'Bandung' };
const order = (created_at: string, status = 'placed', subtotal = 10_000) => ({
  status, created_at, items: [{ product_id: 'product:KOPI-1', name: 'Kopi', qty: 1, subtotal }],
});

describe('the sales report', () => {
  it('counts orders by their day in Asia/Jakarta, both ends of the period included', () => {
    const r = salesReport({
      locale: 'id', region, from: '2026-10-27', to: '2026-11-25', now: 0,
      orders: [
        order('2026-10-26T16:59:59.000Z'), // 23:59 WIB on the 26th: before the period
        order('2026-10-26T17:00:00.000Z'), // 00:00 WIB on the 27th: first day
        order('2026-11-25T16:59:59.000Z'), // 23:59 WIB on the 25th: last day
        order('2026-11-25T17:00:00.000Z'), // 00:00 WIB on the 26th: after the period
      ],
    });
    expect(r.rows).toEqual([['Kopi', 'KOPI-1', 2, 20_000]]);
    expect(r.total).toEqual(['Total (2 pesanan)', null, 2, 20_000]);
    expect(r.chart!.bars.length).toBe(30);
    expect(r.chart!.bars[0]).toEqual({ key: '2026-10-27', label: '27 Okt 2026', value: 10_000 });
    expect(r.chart!.bars[29]).toEqual({ key: '2026-11-25', label: '25 Nov 2026', value: 10_000 });
    expect(r.subtitle).toBe('Bandung (BDG) · 27 Okt 2026 – 25 Nov 2026');
    // Every day of the period has its row in the breakdown, empty days as 0, and its total agrees with the report's.
    expect(r.breakdown!.rows.length).toBe(30);
    expect(r.breakdown!.rows[0]).toEqual(['2026-10-27', 1, 1, 10_000]);
    expect(r.breakdown!.rows[1]).toEqual(['2026-10-28', 0, 0, 0]);
    expect(r.breakdown!.total).toEqual(['Total', 2, 2, 20_000]);
  });

  it('leaves canceled orders out of the rows, the totals and the chart', () => {
    const r = salesReport({ locale: 'en', region, from: '2026-11-01', to: '2026-11-02', now: 0, orders: [order('2026-11-01T03:00:00Z', 'canceled'), order('2026-11-01T04:00:00Z', 'delivered', 5_000)] });
    expect(r.rows).toEqual([['Kopi', 'KOPI-1', 1, 5_000]]);
    expect(r.total[0]).toBe('Total (orders: 1)'); // no plural to get wrong
    expect(r.chart!.bars).toEqual([{ key: '2026-11-01', label: '1 Nov 2026', value: 5_000 }, { key: '2026-11-02', label: '2 Nov 2026', value: 0 }]);
    expect(r.breakdown!.rows).toEqual([['2026-11-01', 1, 1, 5_000], ['2026-11-02', 0, 0, 0]]);
    expect(r.breakdown!.columns.map((c) => c.label)).toEqual(['Day', 'Orders', 'Units sold', 'Revenue']);
  });

  it('charts months instead of days past two months', () => {
    const r = salesReport({ locale: 'id', region, from: '2026-01-15', to: '2026-11-25', now: 0, orders: [order('2026-03-10T03:00:00Z')] });
    expect(r.chart!.title).toBe('Penjualan bulanan (pendapatan)');
    expect(r.chart!.bars.map((b) => b.key)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    expect(r.chart!.bars[2].value).toBe(10_000);
    expect(r.chart!.bars[2].label).toBe('Mar 2026');
    expect(r.breakdown!.sheet).toBe('Per bulan');
    expect(r.breakdown!.rows[2]).toEqual(['2026-03', 1, 1, 10_000]);
  });
});

describe('report words', () => {
  it('exist in Indonesian and English, with the same placeholders', () => {
    const places = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(reportMessages.en).sort()).toEqual(Object.keys(reportMessages.id).sort());
    for (const [k, v] of Object.entries(reportMessages.id)) {
      expect(v.trim(), k).not.toBe('');
      expect(places(reportMessages.en[k as keyof typeof reportMessages.en]), k).toEqual(places(v));
    }
  });
});
