import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => c?.stop());

const product = (sku: string, price = 15000) => ({
  _id: `product:${sku}`, type: 'product', sku, name: `Produk ${sku}`, description: 'uji', category_id: 'category:uji',
  price, unit: 'pcs', active: true, created_at: now(), updated_at: now(),
});

describe('replication', () => {
  it('a catalog change at central appears at every region', async () => {
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    await pusat.ok('PUT', '/catalog/product:REP-1', product('REP-1'));
    for (const r of c.topology.regions) {
      expect(await until(async () => !!(await c.anon(r.code).getDoc('catalog', 'product:REP-1')))).toBe(true);
    }
  });

  it('a regional document reaches central and never another region', async () => {
    const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
    const wh = { _id: 'warehouse:BDG:BDG-X', type: 'warehouse', region_code: 'BDG', code: 'BDG-X', name: 'Gudang X', city: 'Bandung', delivery_days: { min: 1, max: 2 }, updated_at: now() };
    await svc.ok('PUT', '/inventory/warehouse:BDG:BDG-X', wh);
    expect(await until(async () => !!(await c.admin('PUSAT').getDoc('inventory', 'warehouse:BDG:BDG-X')))).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    for (const code of ['JKT', 'SBY']) {
      expect(await c.admin(code).getDoc('inventory', 'warehouse:BDG:BDG-X')).toBeNull();
    }
  });
});
