// `npm run bench -- --service-restart 1000000`: the region service with a long
// history. Loads a region with that many ledger entries (demo orders with
// their sale and cancel entries, and the opening stock), starts its service
// once (its first start, no checkpoint yet), kills it (-9), and measures the
// restart: from the kill to a new checkout answered in the shopper's
// database, with the service's memory (now and at its peak).
import { startCluster, until } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions, generateDemo } from '../server/ops/demo-data.ts';
import { DEMO } from '../server/config.ts';
import { ids, ulid, userDbName } from '../src/lib/model/index.ts';
import { readFileSync } from 'node:fs';
import { rssKb } from './lib.ts';
import type { TestCluster } from '../server/throwaway-cluster.ts';

const peakRssMb = (pid: number) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
};

export async function serviceRestartBench(entries: number, log: (s: string) => void) {
  const R = 'BDG';
  const c = await startCluster([R]);
  try {
    // The service alone: the region's lanes would spend the node (one thread on the embedded engine)
    // carrying the whole history to central while the restart is timed.
    const admin = c.admin(R);
    for (const row of (await admin.ok('GET', '/_replicator/_all_docs')).rows as any[]) {
      if (!row.id.startsWith('_design/')) await admin.ok('DELETE', `/_replicator/${encodeURIComponent(row.id)}?rev=${row.value.rev}`);
    }
    // How many orders make that many ledger entries (each has one to four lines; some are canceled).
    const base = { ...defaultDemoOptions(), photos: false, products: 200, usersPerRegion: 50 };
    const ledgerOf = (n: number) => generateDemo(c.topology, { ...base, ordersPerRegion: n }).regions[R].ops.filter((d: any) => d.type === 'ledger').length;
    const [at1k, at2k] = [ledgerOf(1000), ledgerOf(2000)];
    const perOrder = (at2k - at1k) / 1000; // the opening stock's entries are a constant part
    const ordersPerRegion = Math.max(10, Math.round((entries - (at1k - 1000 * perOrder)) / perOrder));
    const t0 = Date.now();
    const data = await seed(c.topology, c.secrets, { ...base, ordersPerRegion }, log);
    const seedSeconds = (Date.now() - t0) / 1000;
    const ops = data.regions[R].ops;
    const ledger = ops.filter((d: any) => d.type === 'ledger').length;
    const orders = ops.filter((d: any) => d.type === 'order').length;
    log(`bench: ${R} holds ${ledger} ledger entries and ${orders} orders; first start of its service (no checkpoint)…`);

    const t1 = Date.now();
    let svc = await c.service(R, { readyMs: 3_600_000 });
    const firstStartSeconds = (Date.now() - t1) / 1000;
    const firstPeakMb = peakRssMb(svc.proc.pid!);
    const shopper = data.regions[R].accounts[0].name;
    const item = data.regions[R].inventory.find((d: any) => d.type === 'warehouse_item' && d.quantity >= 5) as any;
    const warm = await checkoutMs(c, shopper, item);
    // Its checkpoints are written every 3 s: wait until the ops one is, then crash it.
    // Caught up first: a service that has read the feed to its end (its own health writes aside), as
    // one that has been running for a while has.
    const t3 = Date.now();
    await until(async () => {
      const cp = await admin.getDoc('sebaran-service', 'checkpoint:ops');
      if (!cp || cp.since === 0) return false;
      const rest = await admin.ok('GET', `/ops/_changes?limit=100&since=${encodeURIComponent(String(cp.since))}`);
      return (rest.results as any[]).length < 20;
    }, 3_600_000);
    const catchUpSeconds = (Date.now() - t3) / 1000;
    await new Promise((r) => setTimeout(r, 3500)); // one more flush after the warm checkout's orders
    await svc.kill('SIGKILL');

    log('bench: restarting the service after kill -9, a checkout waiting for it…');
    const t2 = performance.now();
    const answered = checkoutMs(c, shopper, item, () => t2);
    svc = await c.service(R, { readyMs: 600_000 });
    const runningMs = performance.now() - t2;
    const restartToCheckoutMs = await answered;
    const pid = svc.proc.pid!;
    const rssMb = Math.round((rssKb(pid) ?? 0) / 1024);
    const peakMb = peakRssMb(pid);
    const nodePid = c.nodes[R].proc?.pid;
    const nodeRssMb = nodePid ? Math.round((rssKb(nodePid) ?? 0) / 1024) : null;
    const steps = /start: (.*)/.exec(svc.output.join(''))?.[1] ?? '';
    log(`bench: the restarted service's start: ${steps}`);
    await svc.kill();
    return {
      engine: c.engine, ledgerEntries: ledger, orders, seedSeconds, firstStartSeconds, catchUpSeconds, firstStartPeakRssMb: firstPeakMb,
      warmCheckoutMs: warm, restartRunningMs: runningMs, restartSteps: steps, restartToCheckoutMs, serviceRssMb: rssMb, servicePeakRssMb: peakMb, nodeRssMb,
    };
  } finally {
    await c.stop();
  }
}

/** A shopper's checkout, written to their database as they would; ms from `start` until its answer is there. */
async function checkoutMs(c: TestCluster, shopper: string, item: { _id: string; product_id: string }, start?: () => number) {
  const me = c.admin('BDG').as({ name: shopper, password: DEMO.shopperPassword });
  const id = ulid();
  const db = userDbName(shopper);
  const t0 = performance.now();
  await me.ok('PUT', `/${db}/${encodeURIComponent(ids.checkout(id))}`, {
    _id: ids.checkout(id), type: 'checkout_request', region_code: 'BDG', request_id: id,
    items: [{ stock_id: item._id, product_id: item.product_id, qty: 1 }], address: 'Jl. Bench 3, Bandung', created_at: new Date().toISOString(),
  });
  const copy = ids.orderCopy(ids.order('BDG', shopper, id));
  if (!(await until(async () => !!(await me.getDoc(db, copy)), 600_000))) throw new Error('the checkout was not answered');
  return performance.now() - (start ? start() : t0);
}
