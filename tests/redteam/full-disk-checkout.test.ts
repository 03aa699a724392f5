// The region-service side of "201 means on disk" (issue #9): the region node's disk fills while the
// service has a burst of checkouts to answer. The service must not tell a shopper "placed" for an
// order the node refused, must answer every request once space returns, and after kill -9 of the
// node every order a shopper was told about, with its sale entries, must still be there (so stock
// is never rebuilt from a shortened ledger). Both engines. Needs root (mount).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, now, type TestCluster } from '../integration/harness.ts';
import { DEMO } from '../../server/config.ts';
import { engineName } from '../../server/cluster.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';
import { validFixtures as v } from '../fixtures/documents.ts';
import { fill, moveDatabases, smallDisk } from './small-disk.ts';

const R = 'SBY';
const SHOPPERS = Array.from({ length: 8 }, (_, i) => ({ name: `penuh${i}`, password: `rahasia-penuh-${i}` }));
const item = 'stock:SBY:SBY-A:ROTI-1';
const product = 'product:ROTI-1';
const disk = smallDisk();
let c: TestCluster | null = null;

beforeAll(() => disk.mount());
afterAll(async () => {
  await c?.stop();
  disk.remove();
});

const title = (what: string) => (disk.cannot ? `${what} (skipped: ${disk.cannot})` : what);

describe(`region service on a node whose disk fills up (${engineName()})`, () => {
  it.skipIf(!!disk.cannot)(title('no shopper is told "placed" for an order the node refused; every request is answered once space returns; every told order survives kill -9'), async () => {
    const cl = (c = await startCluster([R]));
    const svc = cl.admin(R).as(cl.secrets.regions[R].service);
    const pusat = cl.admin('PUSAT').as(DEMO.centralAdmin);
    await pusat.ok('PUT', `/catalog/${product}`, { ...v.product, _id: product, sku: 'ROTI-1', name: 'Roti', price: 12000, created_at: now(), updated_at: now() });
    await svc.ok('PUT', '/inventory/warehouse:SBY:SBY-A', { ...v.warehouse, _id: 'warehouse:SBY:SBY-A', region_code: R, code: 'SBY-A' });
    await svc.ok('PUT', '/ops/ledger:SBY:seed:roti', { ...v.ledger, _id: 'ledger:SBY:seed:roti', region_code: R, stock_id: item, delta: 1000, reason: 'seed', ref: undefined });
    await svc.ok('PUT', `/inventory/${item}`, { ...v.warehouse_item, _id: item, region_code: R, warehouse_id: 'warehouse:SBY:SBY-A', product_id: product, quantity: 1000, ledger_count: 1 });
    await cl.admin(R).bulk('_users', SHOPPERS.map((s) => ({ _id: `org.couchdb.user:${s.name}`, name: s.name, type: 'user', roles: [], password: s.password })));
    expect(await until(async () => (await cl.admin(R).getDoc('catalog', product)) !== null, 30_000)).toBe(true);

    // The region node's databases move to the small disk.
    const node = cl.nodes[R];
    await node.stop();
    moveDatabases(node.dir, disk, R);
    await node.start();

    // A short sweep: CouchDB may fail to announce the burst when the disk fills (server/region/sweep.ts).
    const s = await cl.service(R, { env: { SEBARAN_SWEEP_MS: '3000' } });
    const shopper = (i: number) => cl.anon(R).as(SHOPPERS[i]);
    const copyOf = (i: number, requestId: string) => shopper(i).getDoc(userDbName(SHOPPERS[i].name), ids.orderCopy(ids.order(R, SHOPPERS[i].name, requestId)));
    const sent: Array<{ i: number; id: string }> = [];
    const send = async (i: number) => {
      const id = ulid();
      const req = { _id: ids.checkout(id), type: 'checkout_request', region_code: R, request_id: id, items: [{ stock_id: item, product_id: product, qty: 1 }], address: 'Jl. Tunjungan 1, Surabaya', created_at: now() };
      await shopper(i).ok('PUT', `/${userDbName(SHOPPERS[i].name)}/${req._id}`, req);
      sent.push({ i, id });
    };
    const answered = async () => (await Promise.all(sent.map(({ i, id }) => copyOf(i, id)))).every(Boolean);
    // The service answers while the shopper databases exist (it provisions them first).
    expect(await until(async () => (await Promise.all(SHOPPERS.map((_, i) => send(i).then(() => true, () => false)))).every(Boolean), 30_000)).toBe(true);
    expect(await until(answered, 30_000)).toBe(true);

    // A burst lands while the service is paused; the disk fills before it gets to answer.
    s.proc.kill('SIGSTOP');
    for (let k = 0; k < 5; k++) await Promise.all(SHOPPERS.map((_, i) => send(i)));
    const free = fill(disk.mnt);
    s.proc.kill('SIGCONT');
    // It met the full disk (the node refused its writes), so what follows is a real test.
    const met = await until(async () => /internal_server_error/.test(s.output.join('')), 60_000);
    if (!met) console.log(`[full-disk checkout ${engineName()}] the service met no full disk; it said:\n${s.output.join('').split('\n').slice(-40).join('\n')}`);
    expect(met).toBe(true);
    // While the disk is full: nobody has been told "placed" for an order the node does not hold.
    const toldWhileFull = (await Promise.all(sent.map(({ i, id }) => copyOf(i, id)))).filter((x: any) => x?.status === 'placed');
    const ordersWhileFull = new Set((await svc.allDocs('ops', 'include_docs=false')).map((r: any) => r.id));
    expect(toldWhileFull.filter((x: any) => !ordersWhileFull.has(x.order_id)).map((x: any) => x._id)).toEqual([]);
    free();
    // Space is back: every request gets its answer, without restarting anything.
    const all = await until(answered, 150_000); // the service backs off up to a minute per shopper database after failures
    if (!all) console.log(`[full-disk checkout ${engineName()}] unanswered; the service said:\n${s.output.join('').split('\n').slice(-40).join('\n')}`);
    expect(all).toBe(true);
    await s.kill();

    // The node crashes and comes back: every order a shopper was told about is still there, with its sale.
    await node.kill('SIGKILL');
    await node.start();
    const copies = await Promise.all(sent.map(({ i, id }) => copyOf(i, id)));
    const placed = copies.filter((x: any) => x?.status === 'placed');
    const ops = (await svc.allDocs('ops')).map((r: any) => r.doc);
    const orders = new Set(ops.filter((d: any) => d.type === 'order').map((d: any) => d._id));
    const sales = ops.filter((d: any) => d.type === 'ledger' && d.reason === 'sale');
    const snapshot = await svc.getDoc('inventory', item);
    const sum = ops.filter((d: any) => d.type === 'ledger' && d.stock_id === item).reduce((n: number, e: any) => n + e.delta, 0);
    console.log(`[full-disk checkout ${engineName()}] requests ${sent.length}, told placed ${placed.length}, orders ${orders.size}, sales ${sales.length}, snapshot ${snapshot.quantity}, ledger sum ${sum}`);
    expect(copies.every(Boolean)).toBe(true);
    expect(placed.length).toBe(sent.length); // 1000 in stock: every request is an order
    expect(placed.filter((x: any) => !orders.has(x.order_id)).map((x: any) => x._id)).toEqual([]);
    expect(orders.size).toBe(placed.length);
    expect(sales.length).toBe(orders.size);
    expect(snapshot.quantity).toBe(sum);
    expect(sum).toBe(1000 - orders.size);
  }, 240_000);
});
