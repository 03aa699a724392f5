// Checkout through the region service: exactly-once orders, never below
// zero, crash-safe, and deaf to a malicious shopper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_DB } from '../../server/region/checkpoints.ts';
import { startCluster, until, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';
import { Couch } from '../../server/couch-client.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';
import { viewPath } from '../../src/lib/model/design.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

let c: TestCluster;
const R = 'BDG';
const SHOPPERS = Array.from({ length: 50 }, (_, i) => ({ name: `pembeli${i}`, password: `rahasia-${i}` }));
const item = 'stock:BDG:BDG-A:HOT-1';
const product = 'product:HOT-1';

let svc: Couch;
beforeAll(async () => {
  c = await startCluster([R]);
  svc = c.admin(R).as(c.secrets.regions[R].service);
  const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
  await pusat.ok('PUT', `/catalog/${product}`, { ...v.product, _id: product, sku: 'HOT-1', name: 'Barang laris', price: 25000, created_at: now(), updated_at: now() });
  await svc.ok('PUT', '/inventory/warehouse:BDG:BDG-A', { ...v.warehouse, _id: 'warehouse:BDG:BDG-A', code: 'BDG-A' });
  await svc.ok('PUT', `/ops/ledger:BDG:seed:hot`, { ...v.ledger, _id: 'ledger:BDG:seed:hot', stock_id: item, delta: 10, reason: 'seed' });
  await svc.ok('PUT', `/inventory/${item}`, { ...v.warehouse_item, _id: item, warehouse_id: 'warehouse:BDG:BDG-A', product_id: product, quantity: 10, ledger_count: 1 });
  await c.admin(R).bulk('_users', SHOPPERS.map((s) => ({ _id: `org.couchdb.user:${s.name}`, name: s.name, type: 'user', roles: [], password: s.password })));
  expect(await until(async () => (await c.admin(R).getDoc('catalog', product)) !== null)).toBe(true);
});
afterAll(async () => c?.stop());

const shopper = (i: number) => c.anon(R).as(SHOPPERS[i]);
const checkout = (qty = 1, stock = item, prod = product) => {
  const id = ulid();
  return { _id: ids.checkout(id), type: 'checkout_request', region_code: R, request_id: id, items: [{ stock_id: stock, product_id: prod, qty }], address: 'Jl. Braga 1, Bandung', created_at: now() };
};
const copyOf = (i: number, requestId: string) => shopper(i).getDoc(userDbName(SHOPPERS[i].name), ids.orderCopy(ids.order(R, SHOPPERS[i].name, requestId)));

async function invariants() {
  const ops = (await svc.allDocs('ops')).map((r: any) => r.doc);
  const ledger = ops.filter((d: any) => d.type === 'ledger' && d.stock_id === item);
  const sum = ledger.reduce((n: number, e: any) => n + e.delta, 0);
  const snapshot = await svc.getDoc('inventory', item);
  const orders = ops.filter((d: any) => d.type === 'order');
  const sold = orders.filter((o: any) => o.status !== 'canceled').reduce((n: number, o: any) => n + o.items.reduce((m: number, l: any) => m + l.qty, 0), 0);
  const revenue = orders.filter((o: any) => o.status !== 'canceled').reduce((n: number, o: any) => n + o.items.reduce((m: number, l: any) => m + l.subtotal, 0), 0);
  const sales = ledger.filter((e: any) => e.reason === 'sale');
  const tally = ops.find((d: any) => d._id === ids.tally(item));
  return { sum, snapshot: snapshot.quantity, count: snapshot.ledger_count, entries: ledger.length, orders, sold, revenue, sales, tally };
}

/** The item's sales tally agrees with the orders (written within a second of the fold changing). */
const tallyAgrees = () =>
  until(async () => {
    const inv = await invariants();
    return inv.tally?.units === inv.sold && inv.tally?.revenue === inv.revenue && inv.sold > 0;
  }, 20_000);
/** The best sellers' view at a node: the item's product in BDG. */
const soldAt = async (node: Couch) =>
  ((await node.ok('GET', `${viewPath('ops', 'product_sales')}?group=true`)).rows as any[]).find((r) => r.key[0] === product && r.key[1] === R)?.value;

describe('region service checkout', () => {
  it('gives every shopper a per-user database only they (and the service) can use', async () => {
    const s = await c.service(R);
    expect(await until(async () => (await shopper(0).request('GET', `/${userDbName(SHOPPERS[49].name)}`)).status === 403, 20_000)).toBe(true);
    expect((await shopper(49).request('GET', `/${userDbName(SHOPPERS[49].name)}`)).status).toBe(200);
    await s.kill();
  });

  it('200 concurrent checkouts from 50 shoppers for 10 in stock sell exactly 10; a replay makes no second order', async () => {
    const s = await c.service(R);
    const requests = Array.from({ length: 200 }, (_, k) => ({ i: k % 50, req: checkout(1) }));
    await Promise.all(requests.map(({ i, req }) => shopper(i).ok('PUT', `/${userDbName(SHOPPERS[i].name)}/${req._id}`, req)));
    expect(await until(async () => (await Promise.all(requests.map(({ i, req }) => copyOf(i, req.request_id)))).every(Boolean), 60_000)).toBe(true);
    const copies = await Promise.all(requests.map(({ i, req }) => copyOf(i, req.request_id)));
    expect(copies.filter((x: any) => x.status === 'placed').length).toBe(10);
    const rejected = copies.filter((x: any) => x.status === 'rejected');
    expect(rejected.length).toBe(190);
    expect(rejected[0].rejections[0].reason).toMatch(/out of stock/);
    let inv = await invariants();
    expect(inv.snapshot).toBe(0);
    expect(inv.sum).toBe(0);
    expect(inv.count).toBe(inv.entries);
    expect(inv.orders.length).toBe(10);
    expect(inv.orders.every((o: any) => o.total === 25000 && o.items[0].price === 25000)).toBe(true);
    // Replay: the service forgets where it was in every shopper database and reads every request again.
    await s.kill();
    const checkpoint = (sh: { name: string }) => svc.getDoc(SERVICE_DB, `checkpoint:${userDbName(sh.name)}`);
    for (const sh of SHOPPERS) {
      const cp = await checkpoint(sh);
      if (cp) await svc.ok('DELETE', `/${SERVICE_DB}/${encodeURIComponent(cp._id)}?rev=${cp._rev}`);
    }
    const again = await c.service(R);
    // It has read (and answered) every request again once each shopper database has its checkpoint back.
    const reread = async () => (await Promise.all(SHOPPERS.map(checkpoint))).every(Boolean);
    expect(await until(reread, 30_000)).toBe(true);
    inv = await invariants();
    expect(inv.orders.length).toBe(10);
    expect(inv.sales.length).toBe(10);
    await again.kill();
  });

  it('survives kill -9 in the middle of a burst: every request answered, stock consistent, nothing doubled', async () => {
    // More goods arrive, recorded by the regional admin.
    const admin = c.anon(R).as(DEMO.regionAdmin(R));
    await admin.ok('PUT', '/ops/ledger:BDG:receive-1', { ...v.ledger, _id: 'ledger:BDG:receive-1', stock_id: item, delta: 25, reason: 'receive', by: DEMO.regionAdmin(R).name });
    let s = await c.service(R);
    expect(await until(async () => (await svc.getDoc('inventory', item)).quantity === 25, 20_000)).toBe(true);
    const requests = Array.from({ length: 120 }, (_, k) => ({ i: k % 50, req: checkout(1 + (k % 2)) }));
    const writes = Promise.all(requests.map(({ i, req }) => shopper(i).ok('PUT', `/${userDbName(SHOPPERS[i].name)}/${req._id}`, req)));
    // Kill it once it has begun answering the burst (the first order copy), however fast the engine is.
    expect(await until(async () => (await Promise.all(requests.slice(0, 50).map(({ i, req }) => copyOf(i, req.request_id)))).some(Boolean), 20_000)).toBe(true);
    await s.kill('SIGKILL');
    await writes;
    s = await c.service(R);
    expect(await until(async () => (await Promise.all(requests.map(({ i, req }) => copyOf(i, req.request_id)))).every(Boolean), 60_000)).toBe(true);
    const inv = await invariants();
    expect(inv.snapshot).toBeGreaterThanOrEqual(0);
    expect(inv.snapshot).toBe(inv.sum);
    expect(inv.count).toBe(inv.entries);
    expect(inv.sold).toBe(35 - inv.snapshot);
    expect(inv.sales.length).toBe(inv.orders.reduce((n: number, o: any) => n + o.items.length, 0));
    expect(new Set(inv.orders.map((o: any) => o.request_id)).size).toBe(inv.orders.length);
    // What the item sold, net of cancels, is tallied once for all the restarts in between.
    expect(await tallyAgrees()).toBe(true);
    await s.kill();
  });

  it('refuses a malicious shopper and changes nothing', async () => {
    const s = await c.service(R);
    const before = await invariants();
    const mine = userDbName(SHOPPERS[0].name);
    const me = shopper(0);
    const priced = { ...checkout(), items: [{ stock_id: item, product_id: product, qty: 1, price: 1 }] };
    expect((await me.request('PUT', `/${mine}/${priced._id}`, priced)).status).toBe(403);
    const negative = checkout(-5);
    expect((await me.request('PUT', `/${mine}/${negative._id}`, negative)).status).toBe(403);
    const other = checkout();
    expect((await me.request('PUT', `/${userDbName(SHOPPERS[1].name)}/${other._id}`, other)).status).toBe(403);
    const forged = { ...v.order_copy, _id: 'my-order:BDG:01JD0000000000000000000009', status: 'delivered' };
    expect((await me.request('PUT', `/${mine}/${forged._id}`, forged)).status).toBe(403);
    expect((await me.request('POST', '/ops', { ...v.order, _id: 'order:BDG:01JD0000000000000000000009' })).status).toBe(403);
    // Another region's warehouse item is well-formed but not sellable here: rejected with the reason.
    const foreign = checkout(1, 'stock:JKT:JKT-A:HOT-1');
    await me.ok('PUT', `/${mine}/${foreign._id}`, foreign);
    expect(await until(async () => (await copyOf(0, foreign.request_id))?.status === 'rejected', 20_000)).toBe(true);
    expect((await copyOf(0, foreign.request_id)).rejections[0].reason).toMatch(/not a warehouse item of region BDG/);
    const after = await invariants();
    expect(after.sum).toBe(before.sum);
    expect(after.orders.length).toBe(before.orders.length);
    await s.kill();
  });

  it('applies status changes through the state machine, mirrors them to the shopper, and a cancel returns the stock', async () => {
    const s = await c.service(R);
    const admin = c.anon(R).as(DEMO.regionAdmin(R));
    const { orders } = await invariants();
    const order = orders.find((o: any) => o.status === 'placed');
    const request = (status: string) => {
      const id = ulid();
      return { _id: ids.request(R, id), type: 'admin_request', region_code: R, kind: 'order_status', order_id: order._id, status, by: DEMO.regionAdmin(R).name, at: now() };
    };
    const db = userDbName(order.user_name);
    const owner = c.anon(R).as(SHOPPERS.find((x) => x.name === order.user_name)!);
    const copyStatus = async () => (await owner.getDoc(db, ids.orderCopy(order._id)))?.status;
    const shipped = request('shipped');
    await admin.ok('PUT', `/ops/${shipped._id}`, shipped);
    const refusal = await until(async () => (await svc.getDoc('ops', shipped._id.replace('request:', 'result:')))?.ok === false, 20_000);
    expect(refusal).toBe(true);
    expect((await svc.getDoc('ops', shipped._id.replace('request:', 'result:'))).message).toMatch(/placed order can only become processed or canceled/);
    const processed = request('processed');
    await admin.ok('PUT', `/ops/${processed._id}`, processed);
    expect(await until(async () => (await copyStatus()) === 'processed', 20_000)).toBe(true);
    const stockBefore = (await svc.getDoc('inventory', item)).quantity;
    expect(await tallyAgrees()).toBe(true);
    const soldBefore = (await invariants()).sold;
    const cancel = request('canceled');
    await admin.ok('PUT', `/ops/${cancel._id}`, cancel);
    expect(await until(async () => (await copyStatus()) === 'canceled', 20_000)).toBe(true);
    const returned = order.items.reduce((n: number, l: any) => n + l.qty, 0);
    expect(await until(async () => (await svc.getDoc('inventory', item)).quantity === stockBefore + returned, 20_000)).toBe(true);
    const inv = await invariants();
    expect(inv.snapshot).toBe(inv.sum);
    // The cancel comes off the tally, at the region and (replicated) in central's best sellers.
    expect(inv.sold).toBe(soldBefore - returned);
    expect(await tallyAgrees()).toBe(true);
    const central = c.admin('PUSAT');
    expect(await until(async () => JSON.stringify(await soldAt(central)) === JSON.stringify([inv.sold, inv.revenue]), 30_000)).toBe(true);
    expect(await soldAt(c.admin(R))).toEqual([inv.sold, inv.revenue]);
    // A tally made wrong while the service was down (an operator's edit) is written again from the ledger at start.
    await s.kill();
    const { tally } = await invariants();
    await svc.ok('PUT', `/ops/${ids.tally(item)}`, { ...tally, units: inv.sold + 7 });
    expect((await invariants()).tally.units).toBe(inv.sold + 7);
    const again = await c.service(R);
    expect(await tallyAgrees()).toBe(true);
    // Edited while the service runs: its next write of the tally conflicts, takes the node's and corrects it.
    const current = (await invariants()).tally;
    await svc.ok('PUT', `/ops/${ids.tally(item)}`, { ...current, units: current.units + 5 });
    const more = checkout(1);
    await shopper(3).ok('PUT', `/${userDbName(SHOPPERS[3].name)}/${more._id}`, more);
    expect(await until(async () => (await copyOf(3, more.request_id))?.status === 'placed', 20_000)).toBe(true);
    expect(await tallyAgrees()).toBe(true);
    await again.kill();
  });
});
