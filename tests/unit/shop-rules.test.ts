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
    expect(f.get('a')).toEqual({ quantity: 9, count: 3 });
    expect(f.get('b')).toEqual({ quantity: 5, count: 1 });
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
