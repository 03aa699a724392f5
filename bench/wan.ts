// A bad WAN between central and each region (the project's fault proxy, tests/support): 150 ms added
// round trip, 1% of connections dropped, and a 30 s partition, under a steady checkout load in two
// regions and a steady stream of catalog edits at central. Measured from the nodes' own change feeds:
//  - order lag region -> central and catalog lag central -> region, p50/p95, outside the partition;
//  - convergence after the heal: until central holds every order made while cut off, and every
//    region every product written meanwhile;
//  - nothing lost or doubled (the soak's invariants: every request answered once, stock equals its
//    ledger, central holds exactly what the regions hold).
import { startCluster, until } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
import { Initializer, replicationDocs } from '../server/ops/init.ts';
import { DEMO } from '../server/config.ts';
import { ids, ulid, userDbName } from '../src/lib/model/index.ts';
import { startFaultProxy, type FaultProxy } from '../tests/support/fault-proxy.ts';
import { invariantReport, type Request } from '../tests/soak/invariants.ts';
import { validFixtures as v } from '../tests/fixtures/documents.ts';
import { median, percentile, watchArrivals } from './lib.ts';

const REGIONS = ['BDG', 'JKT'];
/** Checkouts a second per region, and catalog edits a second at central. */
const RATE = 5;
const EDITS_PER_S = 0.5;


const stats = (xs: number[]) => ({ p50: median(xs), p95: percentile(xs, 95), samples: xs.length });

export async function wanBench(log: (s: string) => void, seconds = 120, partitionS = 30) {
  const c = await startCluster(REGIONS);
  const proxies: Record<string, FaultProxy> = {};
  try {
    log(`bench wan: ${seconds} s of load, a ${partitionS} s partition, on ${c.engine}…`);
    const data = await seed(c.topology, c.secrets, { ...defaultDemoOptions(), products: 30, usersPerRegion: 30, ordersPerRegion: 10, photos: false });
    // Each region reaches central only through its own proxy: its replication documents name the proxy.
    const init = new Initializer();
    for (const r of c.topology.regions) {
      proxies[r.code] = await startFaultProxy(c.topology.central.url);
      const seenFromRegion = { ...c.topology, central: { ...c.topology.central, url: proxies[r.code].url } };
      for (const d of replicationDocs(seenFromRegion, r, c.secrets)) await init.doc(c.admin(r.code), '_replicator', d);
    }
    const services = await Promise.all(REGIONS.map((R) => c.service(R)));
    const shopperDbs = REGIONS.flatMap((R) => data.regions[R].accounts.map((a) => ({ R, db: userDbName(a.name) })));
    await until(async () => (await Promise.all(shopperDbs.map(({ R, db }) => c.admin(R).request('GET', `/${db}`)))).every((r) => r.status === 200), 60_000);
    for (const p of Object.values(proxies)) p.set({ latencyUpMs: 75, latencyDownMs: 75, jitterMs: 10, dropRate: 0.01, dropMode: 'reset' });

    const stop = { done: false };
    const ordersAt: Record<string, Map<string, number>> = { PUSAT: new Map(), ...Object.fromEntries(REGIONS.map((R) => [R, new Map()])) };
    const productsAt: Record<string, Map<string, number>> = Object.fromEntries(REGIONS.map((R) => [R, new Map()]));
    const watchers = [
      watchArrivals(c.admin('PUSAT'), 'ops', 'order:', ordersAt.PUSAT, stop),
      ...REGIONS.flatMap((R) => [watchArrivals(c.admin(R), 'ops', 'order:', ordersAt[R], stop), watchArrivals(c.admin(R), 'catalog', 'product:WAN-', productsAt[R], stop)]),
    ];

    // The load: checkouts into shoppers' databases at their region, edits at central.
    const requests: Request[] = [];
    const errors: string[] = [];
    const written = new Map<string, number>();
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => (inFlight.add(p), void p.finally(() => inFlight.delete(p)));
    let k = 0;
    const checkouts = setInterval(() => {
      for (const R of REGIONS) {
        const n = k++;
        const items = data.regions[R].inventory.filter((d: any) => d.type === 'warehouse_item') as any[];
        const it = items[(n * 7) % items.length];
        const shopper = data.regions[R].accounts[n % data.regions[R].accounts.length].name;
        const id = ulid();
        const doc = {
          _id: ids.checkout(id), type: 'checkout_request', region_code: R, request_id: id,
          items: [{ stock_id: it._id, product_id: it.product_id, qty: 1 }], address: 'Jl. WAN 1', created_at: new Date().toISOString(),
        };
        track(c.anon(R).as({ name: shopper, password: DEMO.shopperPassword }).ok('PUT', `/${userDbName(shopper)}/${doc._id}`, doc)
          .then(() => requests.push({ region: R, shopper, id }), (e) => errors.push(String(e))));
      }
    }, 1000 / RATE);
    const central = c.admin('PUSAT').as(DEMO.centralAdmin);
    const edits = setInterval(() => {
      const id = `product:WAN-${ulid()}`;
      const at = Date.now();
      const now = new Date().toISOString();
      track(central.ok('PUT', `/catalog/${id}`, { ...v.product, _id: id, sku: id.slice('product:'.length), name: 'Produk uji WAN', price: 1000, created_at: now, updated_at: now })
        .then(() => written.set(id, at), (e) => errors.push(String(e))));
    }, 1000 / EDITS_PER_S);

    const t0 = Date.now();
    const cutAt = t0 + ((seconds - partitionS) / 2) * 1000;
    const healAt = cutAt + partitionS * 1000;
    await new Promise((r) => setTimeout(r, cutAt - Date.now())); // the schedule is the point here, not a condition
    for (const p of Object.values(proxies)) p.partition({ existing: 'blackhole', incoming: 'blackhole' });
    await new Promise((r) => setTimeout(r, healAt - Date.now()));
    for (const p of Object.values(proxies)) p.healPartition();
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + seconds * 1000 - Date.now())));
    clearInterval(checkouts);
    clearInterval(edits);
    await Promise.all(inFlight);
    const loadEnd = Date.now();

    // Convergence after the heal: what was made while cut off, arrived.
    const regionOrders = () => REGIONS.flatMap((R) => [...ordersAt[R]].map(([id, at]) => ({ id, at })));
    const cutOffOrders = () => regionOrders().filter((o) => o.at >= cutAt && o.at < healAt);
    const cutOffEdits = () => [...written].filter(([, at]) => at >= cutAt && at < healAt);
    await until(async () => cutOffOrders().every((o) => ordersAt.PUSAT.has(o.id)) && cutOffEdits().every(([id]) => REGIONS.every((R) => productsAt[R].has(id))), 180_000);
    const ordersConverged = Math.max(0, ...cutOffOrders().map((o) => (ordersAt.PUSAT.get(o.id) ?? Infinity) - healAt));
    const catalogConverged = Math.max(0, ...cutOffEdits().flatMap(([id]) => REGIONS.map((R) => (productsAt[R].get(id) ?? Infinity) - healAt)));

    // Lags outside the partition (from the heal until the backlog is through, the lag is the backlog's).
    const settled = healAt + Math.max(ordersConverged, catalogConverged);
    const outside = (at: number) => at < cutAt || (at > settled && at < loadEnd);
    await until(async () => regionOrders().every((o) => ordersAt.PUSAT.has(o.id)), 120_000);
    const orderLags = regionOrders().filter((o) => outside(o.at) && ordersAt.PUSAT.has(o.id)).map((o) => ordersAt.PUSAT.get(o.id)! - o.at);
    const catalogLags = [...written].filter(([, at]) => outside(at)).flatMap(([id, at]) => REGIONS.map((R) => productsAt[R].get(id)).filter((x): x is number => !!x).map((x) => x - at));

    // Nothing lost or doubled.
    await until(async () => {
      const r = await invariantReport(c, REGIONS, requests);
      return r.centralMatches && !r.problems.length;
    }, 180_000);
    const report = await invariantReport(c, REGIONS, requests);
    stop.done = true;
    await Promise.all(watchers);
    await Promise.all(services.map((s) => s.kill()));
    return {
      engine: c.engine, seconds, partitionS, regions: REGIONS, checkoutsPerSecond: RATE * REGIONS.length, editsPerSecond: EDITS_PER_S,
      faults: { addedRoundTripMs: 150, jitterMs: 10, dropRate: 0.01 },
      requests: requests.length, writeErrors: errors.length, placed: report.placed, rejected: report.rejected, unanswered: report.unanswered,
      orderLagMs: stats(orderLags), catalogLagMs: stats(catalogLags),
      convergenceAfterHealMs: { orders: ordersConverged, catalog: catalogConverged },
      problems: report.problems,
      proxies: Object.fromEntries(Object.entries(proxies).map(([R, p]) => [R, p.counters])),
    };
  } finally {
    await Promise.all(Object.values(proxies).map((p) => p.close()));
    await c.stop();
  }
}
