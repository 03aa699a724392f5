import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, type TestCluster } from './harness.ts';
import { seed } from '../../server/ops/seed.ts';
import { defaultDemoOptions, type DemoData } from '../../server/ops/demo-data.ts';
import { viewPath } from '../../src/lib/model/design.ts';

let c: TestCluster;
let data: DemoData;
beforeAll(async () => {
  c = await startCluster();
  data = await seed(c.topology, c.secrets, {
    ...defaultDemoOptions(), products: 60, usersPerRegion: 8, ordersPerRegion: 150, anchor: new Date('2026-11-01T00:00:00Z'),
  });
});
afterAll(async () => c?.stop());

const docsOf = async (code: string, db: string) =>
  (await c.admin(code).allDocs(db)).map((r) => r.doc).filter((d) => !d._id.startsWith('_design/'));

describe('demo seed across the cluster', () => {
  it('every regional document reaches central', async () => {
    for (const db of ['inventory', 'ops'] as const) {
      const expected = c.topology.regions.reduce((n, r) => n + data.regions[r.code][db].length, 0);
      const ok = await until(async () => (await docsOf('PUSAT', db)).length === expected, 60_000);
      expect(ok, `central ${db} should hold ${expected} documents`).toBe(true);
    }
  });

  it('a regional node holds no document of another region', async () => {
    for (const r of c.topology.regions) {
      for (const db of ['inventory', 'ops']) {
        const docs = await docsOf(r.code, db);
        expect(docs.length).toBe(data.regions[r.code][db as 'inventory' | 'ops'].length);
        const foreign = docs.filter((d) => d.region_code !== r.code);
        expect(foreign.map((d) => d._id)).toEqual([]);
      }
      const catalog = await docsOf(r.code, 'catalog');
      expect(catalog.length).toBe(data.catalog.length);
    }
  });

  it('every stock snapshot equals the sum of its ledger', async () => {
    const inventory = await docsOf('PUSAT', 'inventory');
    const ops = await docsOf('PUSAT', 'ops');
    const sums = new Map<string, number>();
    for (const e of ops.filter((d) => d.type === 'ledger')) sums.set(e.stock_id, (sums.get(e.stock_id) ?? 0) + e.delta);
    const items = inventory.filter((d) => d.type === 'warehouse_item');
    expect(items.length).toBeGreaterThan(100);
    for (const it of items) expect(it.quantity, it._id).toBe(sums.get(it._id) ?? 0);
    expect(items.some((it) => it.quantity === 0)).toBe(true);
    expect(items.some((it) => it.quantity > 0 && it.quantity < it.low_threshold)).toBe(true);
  });

  it('product photos are stored as attachments and replicate to regions', async () => {
    // Read as the app server reads for a shopper: with the region's reader account.
    const res = await c.anon('BDG').as(c.secrets.regions.BDG.reader).request('GET', '/catalog/product:SEM-00001/photo.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  });
});

describe('dashboard views agree with the raw documents', () => {
  const jakartaDay = (iso: string) => new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 10);
  it('sales per region and day, and per product, equal a recomputation from the orders', async () => {
    const orders = (await docsOf('PUSAT', 'ops')).filter((d) => d.type === 'order' && d.status !== 'canceled');
    const byDay = new Map<string, { count: number; sum: number }>();
    const byProduct = new Map<string, [number, number]>();
    for (const o of orders) {
      const k = JSON.stringify([o.region_code, jakartaDay(o.created_at)]);
      const e = byDay.get(k) ?? { count: 0, sum: 0 };
      e.count++;
      e.sum += o.total;
      byDay.set(k, e);
      for (const it of o.items) {
        const pk = JSON.stringify([it.product_id, o.region_code]);
        const p = byProduct.get(pk) ?? [0, 0];
        byProduct.set(pk, [p[0] + it.qty, p[1] + it.subtotal]);
      }
    }
    const day = (await c.admin('PUSAT').ok('GET', `${viewPath('ops', 'orders_by_day')}?group=true`)).rows as any[];
    expect(day.length).toBe(byDay.size);
    for (const r of day) {
      const want = byDay.get(JSON.stringify(r.key))!;
      expect(r.value.count).toBe(want.count);
      expect(r.value.sum).toBe(want.sum);
    }
    const products = (await c.admin('PUSAT').ok('GET', `${viewPath('ops', 'product_sales')}?group=true`)).rows as any[];
    expect(products.length).toBe(byProduct.size);
    for (const r of products) expect(r.value).toEqual(byProduct.get(JSON.stringify(r.key)));
    // The overview's best sellers: one row a product, every region summed.
    const across = new Map<string, [number, number]>();
    for (const [k, [u, s]] of byProduct) {
      const id = JSON.parse(k)[0];
      const a = across.get(id) ?? [0, 0];
      across.set(id, [a[0] + u, a[1] + s]);
    }
    const top = (await c.admin('PUSAT').ok('GET', `${viewPath('ops', 'product_sales')}?group_level=1`)).rows as any[];
    expect(top.length).toBe(across.size);
    expect(Object.fromEntries(top.map((r) => [r.key[0], r.value]))).toEqual(Object.fromEntries(across));
    // A region node's best sellers are its own region's rows.
    const bdgTop = (await c.admin('BDG').ok('GET', `${viewPath('ops', 'product_sales')}?group_level=1`)).rows as any[];
    expect(bdgTop.map((r) => [r.key[0], r.value])).toEqual(products.filter((r) => r.key[1] === 'BDG').map((r) => [r.key[0], r.value]));
    // A region node computes the same figures for its own region.
    const bdg = (await c.admin('BDG').ok('GET', `${viewPath('ops', 'orders_by_day')}?group=true`)).rows as any[];
    expect(bdg).toEqual(day.filter((r) => r.key[0] === 'BDG'));
    const weeks = (await c.admin('BDG').ok('GET', `${viewPath('ops', 'orders_by_week')}?group=true`)).rows as any[];
    expect(weeks.reduce((n, r) => n + r.value.count, 0)).toBe(orders.filter((o) => o.region_code === 'BDG').length);
    expect(weeks.every((r) => new Date(r.key[1] + 'T00:00:00Z').getUTCDay() === 1)).toBe(true);
  });
});
