// The region service's duties toward things made without it: the first warehouse item of a product
// a warehouse never held (a receipt names it), and a shopper's copy of every order of theirs (orders
// from before their database, e.g. seeded history). Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';
import { Couch } from '../../server/couch-client.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

let c: TestCluster;
const R = 'BDG';
const product = 'product:BARU-1';
let svc: Couch;
let admin: Couch;

beforeAll(async () => {
  c = await startCluster([R]);
  svc = c.admin(R).as(c.secrets.regions[R].service);
  admin = c.admin(R).as(DEMO.regionAdmin(R));
  await c.admin('PUSAT').as(DEMO.centralAdmin).ok('PUT', `/catalog/${product}`, { ...v.product, _id: product, sku: 'BARU-1', name: 'Produk baru', created_at: now(), updated_at: now() });
  for (const code of ['BDG-A', 'BDG-B']) await svc.ok('PUT', `/inventory/warehouse:BDG:${code}`, { ...v.warehouse, _id: `warehouse:BDG:${code}`, code });
  expect(await until(async () => (await svc.getDoc('catalog', product)) !== null)).toBe(true);
});
afterAll(async () => c?.stop());

const receipt = (stockId: string, delta: number) => {
  const _id = ids.ledger(R, `receive:${ulid()}`);
  return admin.ok('PUT', `/ops/${_id}`, { _id, type: 'ledger', region_code: R, stock_id: stockId, delta, reason: 'receive', by: DEMO.regionAdmin(R).name, at: now() });
};
const quantity = async (id: string) => (await svc.getDoc('inventory', id))?.quantity;

describe('region service: first stock and order copies', () => {
  it('makes the warehouse item a receipt names, also for one written while the service was down; a receipt naming no warehouse makes nothing', async () => {
    const s = await c.service(R);
    const b = ids.stock(R, 'BDG-B', 'BARU-1');
    await receipt(b, 4);
    expect(await until(async () => (await quantity(b)) === 4)).toBe(true);
    expect(await svc.getDoc('inventory', b)).toMatchObject({ type: 'warehouse_item', warehouse_id: 'warehouse:BDG:BDG-B', product_id: product, ledger_count: 1 });
    const bogus = ids.stock(R, 'NOPE', 'BARU-1');
    await receipt(bogus, 3);
    await receipt(b, 1); // folded after the bogus one: when it shows, the bogus one was seen
    expect(await until(async () => (await quantity(b)) === 5)).toBe(true);
    expect(await svc.getDoc('inventory', bogus)).toBeNull();
    await s.kill();
    const a = ids.stock(R, 'BDG-A', 'BARU-1');
    await receipt(a, 7);
    const again = await c.service(R);
    expect(await until(async () => (await quantity(a)) === 7)).toBe(true);
    await again.kill();
  });

  it("gives a shopper a copy of every order of theirs the region holds, also ones made before their database", async () => {
    const name = 'lama.bdg';
    const orders = [ulid(Date.now() - 86_400_000), ulid()].map((rid) => ({
      ...v.order, _id: ids.order(R, name, rid), user_name: name, request_id: rid, status: 'delivered' as const,
      history: [{ status: 'placed' as const, at: now(), by: name }, { status: 'delivered' as const, at: now(), by: 'admin-bdg' }],
    }));
    for (const o of orders) await svc.ok('PUT', `/ops/${encodeURIComponent(o._id)}`, o);
    await c.admin(R).ok('PUT', `/_users/org.couchdb.user:${name}`, { _id: `org.couchdb.user:${name}`, name, type: 'user', roles: [], password: 'rahasia-123' });
    const s = await c.service(R);
    const shopper = c.anon(R).as({ name, password: 'rahasia-123' });
    const copies = async () => {
      const r = await shopper.request('GET', `/${userDbName(name)}/_all_docs?include_docs=true`);
      return r.status === 200 ? (r.json.rows as any[]).map((x) => x.doc).filter((d) => d.type === 'order_copy') : [];
    };
    expect(await until(async () => (await copies()).length === 2, 30_000)).toBe(true);
    const got = await copies();
    expect(got.map((d) => d.order_id).sort()).toEqual(orders.map((o) => o._id).sort());
    expect(got.every((d) => d.status === 'delivered' && d.history.length === 2)).toBe(true);
    await s.kill();
  });
});
