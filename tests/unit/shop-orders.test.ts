// The shop's pure rules: a typed cart quantity, and "my orders" from requests and order copies.
import { describe, it, expect } from 'vitest';
import { qtyProblem } from '../../src/lib/model/cart.ts';
import { myOrders } from '../../src/lib/sync/user-docs.ts';
import type { CheckoutRequest, OrderCopy } from '../../src/lib/model/index.ts';

describe('a typed cart quantity', () => {
  it('is a whole number from 1 to the stock shown; anything else says why', () => {
    expect(qtyProblem(1, 5)).toBeNull();
    expect(qtyProblem(5, 5)).toBeNull();
    expect(qtyProblem(6, 5)).toBe('qty_too_large');
    expect(qtyProblem(0, 5)).toBe('qty_too_small');
    expect(qtyProblem(-5, 5)).toBe('qty_too_small');
    expect(qtyProblem(1.5, 5)).toBe('qty_not_whole');
    expect(qtyProblem(NaN, 5)).toBe('qty_not_whole');
    expect(qtyProblem(Infinity, 5)).toBe('qty_not_whole');
    expect(qtyProblem(1, 0)).toBe('qty_too_large');
  });
});

describe('my orders', () => {
  const req = (id: string, at: string) => ({ _id: `checkout:${id}`, request_id: id, created_at: at }) as CheckoutRequest;
  const copy = (id: string, at: string, status: OrderCopy['status'] = 'placed') => ({ _id: `my-order:BDG:x:${id}`, request_id: id, created_at: at, status }) as OrderCopy;

  it('lists requests with their answers, waiting ones, and copies no request of this database asked for, newest first', () => {
    const rows = myOrders(
      [req('B', '2026-11-02T00:00:00.000Z'), req('C', '2026-11-03T00:00:00.000Z')],
      [copy('A', '2026-10-01T00:00:00.000Z', 'delivered'), copy('B', '2026-11-02T00:00:01.000Z')],
    );
    expect(rows.map((r) => [r.request?.request_id ?? null, r.copy?.request_id ?? null])).toEqual([
      ['C', null], // asked, not answered yet
      ['B', 'B'], // asked and answered: one row, not two
      [null, 'A'], // seeded history: a copy only
    ]);
  });
});
