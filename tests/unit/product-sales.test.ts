// Reading product_sales rows: the best sellers are the n largest by units, and a product's split
// lists every region asked for, in that order, with 0 where it sold nothing.
import { describe, expect, it } from 'vitest';
import { rng } from './random-text.ts';
import { bestSellers, salesByRegion } from '../../src/lib/sync/product-sales.ts';

describe('product_sales rows', () => {
  it('best sellers: at most n, by units, none left out that outsold one kept (generated, seeded)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = rng(seed);
      const count = Math.floor(next() * 40);
      // Few distinct unit counts, so ties are common.
      const rs = Array.from({ length: count }, (_, i) => ({ id: `product:P${i}`, units: Math.floor(next() * 8), revenue: Math.floor(next() * 1e7) }));
      const n = 1 + Math.floor(next() * 15);
      const best = bestSellers(rs.map((r) => ({ key: [r.id], value: [r.units, r.revenue] as [number, number] })), n);
      const where = `seed ${seed}`;
      expect(best.length, where).toBe(Math.min(n, rs.length));
      for (let i = 1; i < best.length; i++) expect(best[i - 1].units, where).toBeGreaterThanOrEqual(best[i].units);
      const kept = new Set(best.map((b) => b.product));
      const floor = best.length ? best[best.length - 1].units : Infinity;
      for (const r of rs) if (!kept.has(r.id)) expect(r.units, where).toBeLessThanOrEqual(floor);
      for (const b of best) expect(rs.find((r) => r.id === b.product), where).toMatchObject({ units: b.units, revenue: b.revenue });
    }
  });

  it('sales by region: every region asked for, in order, 0 where none sold', () => {
    const rows = [
      { key: ['product:A', 'BDG'], value: [3, 30_000] as [number, number] },
      { key: ['product:A', 'SBY'], value: [1, 10_000] as [number, number] },
    ];
    expect(salesByRegion(rows, ['JKT', 'BDG', 'SBY'])).toEqual([
      { region: 'JKT', units: 0, revenue: 0 },
      { region: 'BDG', units: 3, revenue: 30_000 },
      { region: 'SBY', units: 1, revenue: 10_000 },
    ]);
  });
});
