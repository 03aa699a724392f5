import { describe, expect, it } from 'vitest';
import { cartLines, cartTotal, ids, requestEstimate } from '../../src/lib/model/index.ts';
import { queryCatalog } from '../../src/lib/ui/catalog-query.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

describe('cart rules', () => {
  const product = (id: string) => (id === v.product._id ? v.product : undefined);
  it('a line never counts more than the stock shown, and totals use the catalog price', () => {
    const lines = cartLines([{ ...v.cart_item, qty: 50 }], product, () => ({ ...v.warehouse_item, quantity: 3 }));
    expect(lines[0].max).toBe(3);
    expect(lines[0].qty).toBe(3);
    expect(cartTotal(lines)).toBe(3 * 75000);
  });
  it('a sold-out line is worth nothing', () => {
    const lines = cartLines([v.cart_item], product, () => ({ ...v.warehouse_item, quantity: 0 }));
    expect(cartTotal(lines)).toBe(0);
  });
  it("an unanswered request is estimated at the device's prices, and not at all once a product is gone", () => {
    const other = { ...v.product, _id: 'product:SEM-00002', price: 1500 };
    const two = (id: string) => (id === other._id ? other : product(id));
    expect(requestEstimate([{ product_id: v.product._id, qty: 2 }, { product_id: other._id, qty: 3 }], two)).toBe(2 * 75000 + 3 * 1500);
    expect(requestEstimate([{ product_id: v.product._id, qty: 2 }, { product_id: other._id, qty: 3 }], product)).toBeNull();
  });
});

describe('catalog query', () => {
  const products = Array.from({ length: 5000 }, (_, i) => ({
    ...v.product, _id: `product:P-${i}`, sku: `P-${i}`, name: `${i % 2 ? 'Beras' : 'Kopi'} ${i}`, price: 1000 + (i % 97) * 100,
    category_id: i % 3 ? 'category:a' : 'category:b', created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  }));
  const stock = (id: string) => (Number(id.split('-')[1]) % 5 === 0 ? 0 : 10);
  it('searches, filters by category and availability, sorts and pages 5,000 products', () => {
    const r = queryCatalog(products, { text: 'beras', category: 'category:a', sort: 'priceAsc', onlyAvailable: true, page: 2, perPage: 24 }, stock);
    expect(r.items).toHaveLength(24);
    expect(r.items.every((p) => p.name.startsWith('Beras') && p.category_id === 'category:a' && stock(p._id) > 0)).toBe(true);
    for (let i = 1; i < r.items.length; i++) expect(r.items[i].price).toBeGreaterThanOrEqual(r.items[i - 1].price);
    expect(r.page).toBe(2);
    const newest = queryCatalog(products, { text: '', category: '', sort: 'newest', onlyAvailable: false, page: 999, perPage: 24 }, stock);
    expect(newest.page).toBe(newest.pages);
    expect(queryCatalog(products, { text: '', category: '', sort: 'newest', onlyAvailable: false, page: 1, perPage: 24 }, stock).items[0].sku).toBe('P-4999');
  });
});

describe('ids', () => {
  it('names the warehouse a warehouse item is in', () => {
    expect(ids.warehouseOf(ids.stock('BDG', 'BDG-A', 'SEM-00001'))).toBe(ids.warehouse('BDG', 'BDG-A'));
  });
  it('reads a warehouse by its code, not its id, when its name is not at hand', () => {
    expect(ids.warehouseCode(ids.warehouse('BDG', 'BDG-A'))).toBe('BDG-A');
    expect(ids.warehouseCode(ids.warehouseOf(ids.stock('JKT', 'GUDANG-2', 'SEM-00001')))).toBe('GUDANG-2');
  });
});
