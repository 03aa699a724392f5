// A soak: BDG and JKT take a steady checkout load while the links between
// each region and central suffer latency (150 ms round trip), dropped
// connections, cuts mid-stream, a partition and a half-open episode. After
// healing, every invariant of the design must hold. SEBARAN_SOAK_SECONDS sets
// the length of the load (60 s by default, about 2 minutes in all).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, now, type TestCluster } from '../integration/harness.ts';
import { validFixtures as v } from '../fixtures/documents.ts';
import { seed } from '../../server/ops/seed.ts';
import { defaultDemoOptions, type DemoData } from '../../server/ops/demo-data.ts';
import { Initializer, replicationDocs } from '../../server/ops/init.ts';
import { DEMO } from '../../server/config.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { invariantReport, type Request } from './invariants.ts';

const SECONDS = Number(process.env.SEBARAN_SOAK_SECONDS ?? 60);
const REGIONS = ['BDG', 'JKT'];
/** Checkout requests per second per region. */
const RATE = 8;
const CONVERGE_MS = 240_000;

let c: TestCluster;
let data: DemoData;
const proxies: Record<string, FaultProxy> = {};

beforeAll(async () => {
  c = await startCluster(REGIONS);
  data = await seed(c.topology, c.secrets, {
    ...defaultDemoOptions(), products: 20, usersPerRegion: 30, ordersPerRegion: 40, photos: false, anchor: new Date('2026-11-01T00:00:00Z'),
  });
  // Each region reaches central only through its own fault proxy: its replication documents name the proxy.
  const init = new Initializer();
  for (const r of c.topology.regions) {
    proxies[r.code] = await startFaultProxy(c.topology.central.url);
    const seenFromRegion = { ...c.topology, central: { ...c.topology.central, url: proxies[r.code].url } };
    for (const d of replicationDocs(seenFromRegion, r, c.secrets)) await init.doc(c.admin(r.code), '_replicator', d);
  }
});
afterAll(async () => {
  if (process.env.SEBARAN_KEEP) (await import('node:child_process')).execSync(`cp -r ${c.dir} ${process.env.SEBARAN_KEEP}`);
  await Promise.all(Object.values(proxies).map((p) => p.close()));
  await c?.stop();
});

/** A steady load: RATE checkouts a second from the region's demo shoppers, each written into the shopper's own database. */
function load(R: string, requests: Request[]) {
  const shoppers = data.regions[R].accounts.map((a) => a.name);
  const items = data.regions[R].inventory.filter((d: any) => d.type === 'warehouse_item') as any[];
  let k = 0;
  const inFlight = new Set<Promise<unknown>>();
  const errors: string[] = [];
  const tick = setInterval(() => {
    const n = k++;
    const it = items[(n * 7) % items.length];
    const shopper = shoppers[n % shoppers.length];
    const id = ulid();
    const doc = {
      _id: ids.checkout(id), type: 'checkout_request', region_code: R, request_id: id,
      items: [{ stock_id: it._id, product_id: it.product_id, qty: 1 + (n % 3) }], address: 'Jl. Soak 1', created_at: new Date().toISOString(),
    };
    const p = c.anon(R).as({ name: shopper, password: DEMO.shopperPassword }).ok('PUT', `/${userDbName(shopper)}/${doc._id}`, doc)
      .then(() => requests.push({ region: R, shopper, id }))
      .catch((e) => errors.push(String(e)))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / RATE);
  return {
    errors,
    async stop() {
      clearInterval(tick);
      await Promise.all(inFlight);
    },
  };
}

/** The faults, on a schedule scaled to the soak's length. Returns the log of what was done when. */
function faultSchedule(t0: number) {
  const log: string[] = [];
  const at = (s: number, what: string, f: () => void) =>
    setTimeout(() => {
      f();
      log.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    }, s * 1000);
  const bdg = proxies.BDG;
  const jkt = proxies.JKT;
  const partitionS = Math.min(15, Math.max(10, SECONDS / 4));
  const timers = [
    at(SECONDS * 0.2, `partition ${partitionS} s (BDG black-holed, JKT reset and refused)`, () => {
      bdg.partition({ existing: 'blackhole', incoming: 'blackhole' });
      jkt.partition({ existing: 'reset', incoming: 'refuse' });
    }),
    at(SECONDS * 0.2 + partitionS, 'partition healed', () => {
      bdg.healPartition();
      jkt.healPartition();
    }),
    at(SECONDS * 0.7, 'half-open episode begins: BDG answers stop coming down, JKT requests stop going up', () => halfOpen()),
  ];
  // The episode waits for an open connection on each link (CouchDB keeps few, and a cut may just have closed them).
  const halfOpened = { BDG: 0, JKT: 0 };
  let retry: NodeJS.Timeout | undefined;
  const halfOpen = () => {
    if (!halfOpened.BDG) halfOpened.BDG = bdg.halfOpen('down', 0.5);
    if (!halfOpened.JKT) halfOpened.JKT = jkt.halfOpen('up', 0.5);
    if (halfOpened.BDG && halfOpened.JKT) log.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: half-open ${halfOpened.BDG} BDG, ${halfOpened.JKT} JKT connection(s)`);
    else retry = setTimeout(halfOpen, 200);
  };
  // Occasional cuts mid-stream, on both links.
  const cuts = setInterval(() => {
    if (bdg.partitioned) return;
    const n = bdg.cut(0.2) + jkt.cut(0.2);
    log.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: cut ${n} connection(s)`);
  }, 7000);
  return { log, stop: () => (timers.forEach(clearTimeout), clearInterval(cuts), clearTimeout(retry)) };
}

/** Writes a product at central and waits until every region has it; says which did not. */
async function probe(ms: number) {
  const id = `product:SOAK-${ulid()}`;
  await c.admin('PUSAT').as(DEMO.centralAdmin).ok('PUT', `/catalog/${id}`, {
    ...v.product, _id: id, sku: id.slice('product:'.length), name: 'Soak probe', price: 1000, created_at: now(), updated_at: now(),
  });
  const has = async () => Promise.all(REGIONS.map(async (R) => (await c.admin(R).getDoc('catalog', id)) !== null));
  const ok = await until(async () => (await has()).every(Boolean), ms);
  const got = await has();
  return { ok, missing: REGIONS.filter((_, k) => !got[k]) };
}

describe('soak under faults between regions and central', () => {
  it('after a steady checkout load through latency, drops, cuts, a partition and half-open links, every invariant holds once healed', async () => {
    const services = await Promise.all(REGIONS.map((R) => c.service(R)));
    const shopperDbs = REGIONS.flatMap((R) => data.regions[R].accounts.map((a) => ({ R, db: userDbName(a.name) })));
    expect(await until(async () => (await Promise.all(shopperDbs.map(({ R, db }) => c.admin(R).request('GET', `/${db}`)))).every((r) => r.status === 200), 60_000)).toBe(true);

    for (const p of Object.values(proxies)) p.set({ latencyUpMs: 75, latencyDownMs: 75, jitterMs: 10, dropRate: 0.01, dropMode: 'reset' });
    // Before any fault: a product written at central reaches both regions (what the probe after the heal relies on).
    expect((await probe(60_000)).missing).toEqual([]);
    const requests: Request[] = [];
    const t0 = Date.now();
    const loads = REGIONS.map((R) => load(R, requests));
    const faults = faultSchedule(t0);
    await new Promise((r) => setTimeout(r, SECONDS * 1000)); // the soak's length is the point here, not a wait for a condition
    faults.stop();
    await Promise.all(loads.map((l) => l.stop()));
    for (const p of Object.values(proxies)) p.heal();
    const healedAt = Date.now();

    // Shoppers talk to their region directly: every request is answered there whatever central's link does.
    const answer = (q: Request) => c.admin(q.region).getDoc(userDbName(q.shopper), ids.orderCopy(ids.order(q.region, q.shopper, q.id)));
    const answered = await until(async () => (await Promise.all(requests.map(answer))).every(Boolean), 120_000);
    const answeredS = (Date.now() - healedAt) / 1000;

    let report = await invariantReport(c, REGIONS, requests);
    const converged = await until(async () => {
      report = await invariantReport(c, REGIONS, requests);
      // Sales tallies trail their orders by a second: wait for them too, not only for equal copies.
      return report.centralMatches && !report.problems.length;
    }, CONVERGE_MS);
    const convergedS = (Date.now() - healedAt) / 1000;
    // The pull lanes came back too: a product written at central after the heal reaches both regions.
    const probeAt = Date.now();
    const pulled = await probe(CONVERGE_MS);
    const pulledS = (Date.now() - probeAt) / 1000;

    console.log([
      `soak on ${c.engine}: ${SECONDS} s of load, ${requests.length} checkout requests (${loads.flatMap((l) => l.errors).length} writes refused)`,
      `  answered: ${report.placed} orders, ${report.rejected} rejections, ${report.unanswered} unanswered (all answered ${answered ? `${answeredS.toFixed(1)} s after heal` : 'NEVER'})`,
      `  central ${converged ? `converged ${convergedS.toFixed(1)} s after heal` : `did NOT converge within ${CONVERGE_MS / 1000} s`}`,
      `  a product written at central after that ${pulled.ok ? `reached both regions in ${pulledS.toFixed(1)} s` : `did NOT reach ${pulled.missing.join(', ')} within ${CONVERGE_MS / 1000} s`}`,
      ...faults.log.map((l) => `  fault ${l}`),
      ...Object.entries(proxies).map(([R, p]) => `  proxy ${R}: ${JSON.stringify(p.counters)}`),
      ...report.problems.map((p) => `  PROBLEM: ${p}`),
    ].join('\n'));

    await Promise.all(services.map((s) => s.kill()));
    expect(loads.flatMap((l) => l.errors)).toEqual([]);
    expect(answered, 'every checkout request answered').toBe(true);
    expect(report.problems).toEqual([]);
    expect(converged, 'central holds exactly the regions\' documents').toBe(true);
    expect(pulled.missing, 'central\'s writes reach the regions again').toEqual([]);
    // The faults really happened.
    for (const p of Object.values(proxies)) {
      expect(p.counters.partitions).toBe(1);
      expect(p.counters.halfOpened).toBeGreaterThan(0);
    }
    expect(proxies.BDG.counters.cut + proxies.JKT.counters.cut).toBeGreaterThan(0);
  }, SECONDS * 1000 + 600_000);
});
