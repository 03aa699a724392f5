import { describe, expect, it } from 'vitest';
import { canMove, moveProblem, nextStatuses, foldLedger, stockStatus, decideCheckout, mergeLines } from '../../src/lib/model/index.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

describe('order state machine', () => {
  it('moves forward one step at a time and cancels only before shipping', () => {
    expect(nextStatuses('placed')).toEqual(['processed', 'canceled']);
    expect(canMove('processed', 'shipped')).toBe(true);
    expect(canMove('placed', 'shipped')).toBe(false);
    expect(canMove('shipped', 'canceled')).toBe(false);
    expect(canMove('delivered', 'canceled')).toBe(false);
    expect(moveProblem('delivered', 'processed')).toMatch(/cannot change any more/);
    expect(moveProblem('placed', 'placed')).toMatch(/already placed/);
  });
});

describe('ledger folding', () => {
  it('sums each item and counts its entries', () => {
    const f = foldLedger([
      { stock_id: 'a', delta: 10 }, { stock_id: 'a', delta: -3 }, { stock_id: 'b', delta: 5 }, { stock_id: 'a', delta: 2 },
    ]);
    expect(f.get('a')).toEqual({ quantity: 9, count: 3, units: 0, revenue: 0 });
    expect(f.get('b')).toEqual({ quantity: 5, count: 1, units: 0, revenue: 0 });
  });
  it('counts what sold, net of cancels, from sales and cancels only', () => {
    const f = foldLedger([
      { stock_id: 'a', delta: 10, reason: 'receive', amount: 999 },
      { stock_id: 'a', delta: -3, reason: 'sale', amount: 30_000 },
      { stock_id: 'a', delta: -2, reason: 'sale', amount: 20_000 },
      { stock_id: 'a', delta: 2, reason: 'cancel', amount: 20_000 },
      { stock_id: 'a', delta: -1, reason: 'count' },
    ]);
    expect(f.get('a')).toEqual({ quantity: 6, count: 5, units: 3, revenue: 30_000 });
  });
  it('marks low and sold-out stock', () => {
    expect(stockStatus(0, 10)).toBe('out');
    expect(stockStatus(10, 10)).toBe('low');
    expect(stockStatus(11, 10)).toBe('normal');
  });
});

describe('checkout decision', () => {
  const stock = (available: number) => (id: string) =>
    id === v.warehouse_item._id ? { item: v.warehouse_item, available } : undefined;
  const product = (id: string) => (id === v.product._id ? v.product : undefined);
  const req = (qty: number, extra: object = {}) => ({ region_code: 'BDG', items: [{ stock_id: v.warehouse_item._id, product_id: v.product._id, qty }], ...extra });

  it('prices come from the catalog: quantity x catalog price', () => {
    const d = decideCheckout(req(3), 'BDG', stock(30), product);
    expect(d.ok).toBe(true);
    expect(d.items[0].price).toBe(75000);
    expect(d.total).toBe(225000);
  });
  it('duplicate lines are checked together against stock', () => {
    expect(mergeLines([...req(2).items, ...req(3).items])[0].qty).toBe(5);
    const d = decideCheckout({ region_code: 'BDG', items: [...req(2).items, ...req(3).items] }, 'BDG', stock(4), product);
    expect(d.ok).toBe(false);
    expect(d.rejections[0].reason).toBe('only 4 left in stock, 5 requested');
  });
  it('rejects the whole order with a reason per failing line', () => {
    const d = decideCheckout({ region_code: 'BDG', items: [...req(1).items, { stock_id: 'stock:JKT:JKT-A:X', product_id: 'product:X', qty: 1 }] }, 'BDG', stock(0), product);
    expect(d.ok).toBe(false);
    expect(d.rejections.map((r) => r.reason)).toEqual(['out of stock', 'not a warehouse item of region BDG']);
    expect(d.total).toBe(0);
  });
  it('refuses a request for another region and an inactive product', () => {
    expect(decideCheckout(req(1, { region_code: 'JKT' }), 'BDG', stock(5), product).rejections[0].reason).toMatch(/belongs to region JKT/);
    const inactive = (id: string) => (id === v.product._id ? { ...v.product, active: false } : undefined);
    expect(decideCheckout(req(1), 'BDG', stock(5), inactive).rejections[0].reason).toMatch(/no longer sold/);
  });
});

describe('dashboard periods (Asia/Jakarta calendar)', () => {
  it('counts today, the week from Monday and the month from the 1st', async () => {
    const { periodTotals, weekStart } = await import('../../src/lib/ui/figures.ts');
    expect(weekStart('2026-11-24')).toBe('2026-11-23'); // a Tuesday
    expect(weekStart('2026-11-23')).toBe('2026-11-23');
    expect(weekStart('2026-11-01')).toBe('2026-10-26'); // a Sunday
    const rows = ['2026-10-31', '2026-11-01', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25'].map((day, i) => ({ day, count: 1, sum: 10 ** i }));
    // 2026-11-24 20:00 UTC is already 25 November in Jakarta.
    const late = periodTotals(rows, Date.parse('2026-11-24T20:00:00Z'));
    expect(late.today).toEqual({ count: 1, sum: 100000 });
    expect(late.week).toEqual({ count: 3, sum: 1000 + 10000 + 100000 });
    expect(late.month).toEqual({ count: 5, sum: 10 + 100 + 1000 + 10000 + 100000 });
    const early = periodTotals(rows, Date.parse('2026-11-24T03:00:00Z'));
    expect(early.week).toEqual({ count: 2, sum: 1000 + 10000 });
    expect(early.month.count).toBe(4);
  });
});
