// A region with one product in stock and a few shoppers, for the red-team
// tests of the region service, and the invariants every test ends with.
import { expect } from 'vitest';
import { startCluster, until, now, type TestCluster } from '../../server/throwaway-cluster.ts';
import { DEMO } from '../../server/config.ts';
import { Couch } from '../../server/couch-client.ts';
import { SERVICE_DB } from '../../server/region/checkpoints.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

export { until, now, DEMO, SERVICE_DB };
export const R = 'BDG';
export const item = 'stock:BDG:BDG-A:HOT-1';
export const product = 'product:HOT-1';

export interface Region {
  c: TestCluster;
  svc: Couch;
  admin: Couch;
  regionAdmin: Couch;
  shopper(name: string): Couch;
}

export const password = (name: string) => `rahasia-${name}`;

/** A throwaway BDG region with `stock` of one product and accounts for `shoppers`. */
export async function region(shoppers: string[], stock = 30): Promise<Region> {
  const c = await startCluster([R]);
  const svc = c.admin(R).as(c.secrets.regions[R].service);
  const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
  await pusat.ok('PUT', `/catalog/${product}`, { ...v.product, _id: product, sku: 'HOT-1', name: 'Barang laris', price: 25000, created_at: now(), updated_at: now() });
  await svc.ok('PUT', '/inventory/warehouse:BDG:BDG-A', { ...v.warehouse, _id: 'warehouse:BDG:BDG-A', code: 'BDG-A' });
  await svc.ok('PUT', '/ops/ledger:BDG:seed:hot', { ...v.ledger, _id: 'ledger:BDG:seed:hot', stock_id: item, delta: stock, reason: 'seed', ref: undefined });
  await svc.ok('PUT', `/inventory/${item}`, { ...v.warehouse_item, _id: item, warehouse_id: 'warehouse:BDG:BDG-A', product_id: product, quantity: stock, ledger_count: 1 });
  await addShoppers(c, shoppers);
  expect(await until(async () => (await c.admin(R).getDoc('catalog', product)) !== null, 30_000)).toBe(true);
  return {
    c, svc, admin: c.admin(R), regionAdmin: c.anon(R).as(DEMO.regionAdmin(R)),
    shopper: (name) => c.anon(R).as({ name, password: password(name) }),
  };
}

export async function addShoppers(c: TestCluster, names: string[]) {
  if (names.length) await c.admin(R).bulk('_users', names.map((name) => ({ _id: `org.couchdb.user:${name}`, name, type: 'user', roles: [], password: password(name) })));
}

export function checkout(qty = 1, over: Record<string, unknown> = {}) {
  const id = ulid();
  return {
    _id: ids.checkout(id), type: 'checkout_request', region_code: R, request_id: id,
    items: [{ stock_id: item, product_id: product, qty }], address: 'Jl. Braga 1, Bandung', created_at: now(), ...over,
  };
}

/** Writes a request into the shopper's database (the database must exist: the service or the sign-up made it). */
export async function place(r: Region, name: string, doc: any) {
  const db = userDbName(name);
  expect(await until(async () => (await r.shopper(name).request('GET', `/${db}`)).status === 200, 30_000)).toBe(true);
  return r.shopper(name).request('PUT', `/${db}/${doc._id}`, doc);
}

export const answerOf = (r: Region, name: string, requestId: string) =>
  r.svc.getDoc(userDbName(name), ids.orderCopy(ids.order(R, name, requestId)));

export const range = (p: string) => `include_docs=true&startkey=${encodeURIComponent(JSON.stringify(p))}&endkey=${encodeURIComponent(JSON.stringify(p + '\uffff'))}`;

/** Waits until every checkout request in these shoppers' databases has its answer. */
export async function allAnswered(r: Region, names: string[], ms = 60_000) {
  return until(async () => {
    for (const name of names) {
      const db = userDbName(name);
      const reqs = await r.svc.allDocs(db, range('checkout:'));
      const answers = new Set((await r.svc.allDocs(db, range('my-order:'))).map((x: any) => x.doc.request_id));
      if (reqs.some((x: any) => !answers.has(x.doc._id.slice('checkout:'.length)))) return false;
    }
    return true;
  }, ms);
}

/**
 * What must hold at any quiet moment: every request answered exactly once (one copy per request, none
 * without one), every snapshot equal to its ledger fold, and no stock taken without an order.
 */
export async function invariants(r: Region, names: string[]) {
  for (const name of names) {
    const db = userDbName(name);
    const reqs = (await r.svc.allDocs(db, range('checkout:'))).map((x: any) => x.doc);
    const answers = (await r.svc.allDocs(db, range('my-order:'))).map((x: any) => x.doc);
    const keys = reqs.map((q: any) => q._id.slice('checkout:'.length)).sort();
    expect(answers.map((a: any) => a.request_id).sort(), `answers in ${name}'s database`).toEqual(keys);
    for (const a of answers) expect(a._id).toBe(ids.orderCopy(ids.order(R, name, a.request_id)));
  }
  const ledger = (await r.svc.allDocs('ops', range(`ledger:${R}:`))).map((x: any) => x.doc);
  const orders = (await r.svc.allDocs('ops', range(`order:${R}:`))).map((x: any) => x.doc);
  const snapshots = (await r.svc.allDocs('inventory', range(`stock:${R}:`))).map((x: any) => x.doc);
  for (const s of snapshots) {
    const entries = ledger.filter((e: any) => e.stock_id === s._id);
    const sum = entries.reduce((n: number, e: any) => n + e.delta, 0);
    expect(s.quantity, `${s._id} snapshot == ledger`).toBe(Math.max(0, sum));
    expect(s.ledger_count, `${s._id} ledger_count`).toBe(entries.length);
    expect(sum).toBeGreaterThanOrEqual(0);
  }
  const orderIds = new Set(orders.map((o: any) => o._id));
  for (const e of ledger.filter((x: any) => x.reason === 'sale' || x.reason === 'cancel')) {
    expect(orderIds.has(e.ref), `${e._id} belongs to an order`).toBe(true);
  }
  for (const o of orders) {
    const taken = ledger.filter((e: any) => e.ref === o._id && e.reason === 'sale');
    const back = ledger.filter((e: any) => e.ref === o._id && e.reason === 'cancel');
    expect(taken.map((e: any) => [e.stock_id, -e.delta]).sort(), `${o._id} takes its lines`).toEqual(o.items.map((l: any) => [l.stock_id, l.qty]).sort());
    expect(back.length).toBe(o.status === 'canceled' ? o.items.length : 0);
  }
  return { ledger, orders, snapshots };
}
