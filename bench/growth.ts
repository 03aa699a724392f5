// `npm run bench -- --growth`: how the costs grow with the number of regions on one central, and with
// the catalog's size. For each point a throwaway cluster with small demo data and no region services
// (the lanes are what grows), then, from the nodes' own change feeds:
//  - regions (3, 10, 30): every region writes 2 orders a second for `loadS` seconds (the business grows
//    with its regions); measured are the order lag region -> central's merged `ops`, the lag of a
//    request central writes for BDG, a catalog change's lag until the last region has it, and central's
//    CPU seconds per second of load (its process and its children), in total and per region;
//  - catalog (200, 5,000, 50,000 products, 3 regions): until every region holds the catalog, a
//    catalog change's lag, a fresh device's first pull (catalog + BDG stock) and central's memory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { startCluster, until, type TestCluster } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
import { DEMO, projectRoot } from '../server/config.ts';
import { createAppServer, readersOf } from '../server/app-server.ts';
import { freePort } from '../server/cluster.ts';
import { ulid, ids } from '../src/lib/model/index.ts';
import { centralDbOf } from '../src/lib/model/topology.ts';
import { validFixtures as v } from '../tests/fixtures/documents.ts';
import { pullChanges } from '../src/lib/sync/pull.ts';
import { descendants, median, percentile, rssKb, watchArrivals } from './lib.ts';

const stats = (xs: number[]) => ({ p50: median(xs), p95: percentile(xs, 95), samples: xs.length });
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** JKT, BDG, SBY, then RAA, RAB, …: request ids want 2-5 capital letters. */
export const regionCodes = (n: number) => ['JKT', 'BDG', 'SBY', ...Array.from({ length: Math.max(0, n - 3) }, (_, i) => `R${LETTERS[Math.floor(i / 26)]}${LETTERS[i % 26]}`)].slice(0, n);

/** CPU seconds a process and its children have used (utime + stime, from /proc). */
function cpuSeconds(pid: number) {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      /* ended meanwhile */
    }
  }
  return total;
}


const now = () => new Date().toISOString();

async function small(c: TestCluster, products: number) {
  return seed(c.topology, c.secrets, { ...defaultDemoOptions(), products, usersPerRegion: 2, ordersPerRegion: 5, photos: false });
}

export async function regionGrowth(n: number, log: (s: string) => void, loadS = 20) {
  const codes = regionCodes(n);
  log(`bench growth: ${n} regions on one central…`);
  const c = await startCluster(codes);
  try {
    await small(c, 200);
    const central = c.admin('PUSAT').as(DEMO.centralAdmin);
    const stop = { done: false };
    const atCentral = new Map<string, number>();
    const atBdg = new Map<string, number>();
    const catalogAt = new Map<string, Map<string, number>>(codes.map((R) => [R, new Map()]));
    const watchers = [
      watchArrivals(c.admin('PUSAT'), 'ops', 'order:', atCentral, stop, 2000),
      watchArrivals(c.admin('BDG'), 'ops', 'request:BDG:', atBdg, stop, 2000),
      ...codes.map((R) => watchArrivals(c.admin(R), 'catalog', 'product:GROW-', catalogAt.get(R)!, stop, 2000)),
    ];
    await new Promise((r) => setTimeout(r, 1000)); // the watchers' first long-poll is open (they start at 'now')
    const written = new Map<string, number>();
    const requests = new Map<string, number>();
    const edits = new Map<string, number>();
    const errors: string[] = [];
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => (inFlight.add(p), void p.finally(() => inFlight.delete(p)));
    const pid = c.nodes.PUSAT.proc!.pid!;
    const cpu0 = cpuSeconds(pid);
    const t0 = Date.now();
    let k = 0;
    // 2 orders a second per region, spread over the second; a request for BDG and a catalog edit every 2 s.
    const orders = setInterval(() => {
      const R = codes[k++ % codes.length];
      const rid = ulid();
      const id = ids.order(R, 'budi', rid);
      const doc = { ...v.order, _id: id, region_code: R, request_id: rid, items: v.order.items.map((i) => ({ ...i, stock_id: `stock:${R}:${R}-A:SEM-00001`, warehouse_id: `warehouse:${R}:${R}-A` })), created_at: now(), updated_at: now() };
      const at = Date.now();
      track(c.admin(R).as(c.secrets.regions[R].service).ok('PUT', `/ops/${encodeURIComponent(id)}`, doc).then(() => written.set(id, at), (e) => errors.push(String(e))));
    }, 1000 / (2 * codes.length));
    const others = setInterval(() => {
      const rid = `request:BDG:${ulid()}`;
      const at = Date.now();
      track(central.ok('PUT', `/${centralDbOf('ops', 'BDG')}/${encodeURIComponent(rid)}`, { _id: rid, type: 'admin_request', region_code: 'BDG', kind: 'restock', product_id: 'product:SEM-00001', qty: 5, by: DEMO.centralAdmin.name, at: now() })
        .then(() => requests.set(rid, at), (e) => errors.push(String(e))));
      const pidOf = `product:GROW-${ulid()}`;
      const at2 = Date.now();
      track(central.ok('PUT', `/catalog/${pidOf}`, { ...v.product, _id: pidOf, sku: pidOf.slice('product:'.length), name: 'Produk uji', created_at: now(), updated_at: now() })
        .then(() => edits.set(pidOf, at2), (e) => errors.push(String(e))));
    }, 2000);
    await new Promise((r) => setTimeout(r, loadS * 1000)); // the load's length is the point here, not a condition
    clearInterval(orders);
    clearInterval(others);
    await Promise.all(inFlight);
    const seconds = (Date.now() - t0) / 1000;
    const arrived = await until(async () => [...written.keys()].every((id) => atCentral.has(id)) && [...requests.keys()].every((id) => atBdg.has(id))
      && [...edits.keys()].every((id) => codes.every((R) => catalogAt.get(R)!.has(id))), 300_000);
    const centralCpuPerS = (cpuSeconds(pid) - cpu0) / ((Date.now() - t0) / 1000);
    stop.done = true;
    await Promise.all(watchers);
    const lag = (m: Map<string, number>, seen: Map<string, number>) => [...m].filter(([id]) => seen.has(id)).map(([id, at]) => seen.get(id)! - at);
    const catalogLast = [...edits].filter(([id]) => codes.every((R) => catalogAt.get(R)!.has(id))).map(([id, at]) => Math.max(...codes.map((R) => catalogAt.get(R)!.get(id)!)) - at);
    return {
      regions: n, loadSeconds: seconds, ordersPerSecond: written.size / seconds, allArrived: arrived, writeErrors: errors.length,
      orderLagMs: stats(lag(written, atCentral)), requestLagMs: stats(lag(requests, atBdg)), catalogLagLastRegionMs: stats(catalogLast),
      centralCpuPerS, centralCpuPerRegion: centralCpuPerS / n, centralRssMb: Math.round((rssKb(pid) ?? 0) / 1024),
    };
  } finally {
    await c.stop();
  }
}

export async function catalogGrowth(products: number, log: (s: string) => void, samples = 10) {
  log(`bench growth: ${products} products, 3 regions…`);
  const codes = regionCodes(3);
  const c = await startCluster(codes);
  try {
    const t0 = Date.now();
    const data = await small(c, products);
    const want = data.catalog.length;
    await until(async () => (await Promise.all(codes.map(async (R) => (await c.admin(R).ok('GET', '/catalog')).doc_count - 1))).every((n) => n >= want), 1_800_000);
    const toRegionsSeconds = (Date.now() - t0) / 1000;
    const central = c.admin('PUSAT').as(DEMO.centralAdmin);
    const stop = { done: false };
    const seen = codes.map(() => new Map<string, number>());
    const lags: number[] = [];
    const watchers = codes.map((R, k) => watchArrivals(c.admin(R), 'catalog', 'product:GROW-', seen[k], stop, 2000));
    await new Promise((r) => setTimeout(r, 1000)); // the watchers' first long-poll is open (they start at 'now')
    for (let i = 0; i < samples; i++) {
      // One product, watched at every region; the lag is until the last one has it.
      const id = `product:GROW-${ulid()}`;
      const t = Date.now();
      await central.ok('PUT', `/catalog/${id}`, { ...v.product, _id: id, sku: id.slice('product:'.length), name: 'Produk uji', created_at: now(), updated_at: now() });
      if (await until(async () => seen.every((m) => m.has(id)), 60_000)) lags.push(Math.max(...seen.map((m) => m.get(id)!)) - t);
    }
    stop.done = true;
    await Promise.all(watchers);
    // A fresh device's first pull of the catalog and BDG's stock, through the app server (as devices read).
    const dir = mkdtempSync(join(tmpdir(), 'sebaran-growth-'));
    const app = createAppServer(c.topology, join(projectRoot, 'build'), { readers: readersOf(c.secrets) });
    const appPort = await freePort();
    await new Promise<void>((ok) => app.listen(appPort, '127.0.0.1', ok));
    const tp = Date.now();
    let docs = 0;
    for (const db of ['catalog', 'inventory']) {
      const local = new PouchDB(join(dir, db));
      await pullChanges({ url: `http://127.0.0.1:${appPort}/db/bdg/${db}`, local });
      docs += (await local.info()).doc_count;
      await local.close();
    }
    app.closeAllConnections();
    app.close();
    const firstPullSeconds = (Date.now() - tp) / 1000;
    rmSync(dir, { recursive: true, force: true });
    const pid = c.nodes.PUSAT.proc!.pid!;
    return {
      products: want, toEveryRegionSeconds: toRegionsSeconds, catalogLagLastRegionMs: stats(lags), firstPullSeconds, firstPullDocs: docs,
      centralRssMb: Math.round((rssKb(pid) ?? 0) / 1024), bdgRssMb: Math.round((rssKb(c.nodes.BDG.proc!.pid!) ?? 0) / 1024),
    };
  } finally {
    await c.stop();
  }
}
