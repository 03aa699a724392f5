// `npm run bench -- --scale 100000`: the admin dashboards at scale. Loads
// that many orders over the regions, lets replication carry them to central,
// then times central's overview queries, the order list's first page and a
// deep page reached by key paging, and its filters (warm). Then restarts
// central and times how long until the overview is answered again.
import { startCluster, until } from '../server/throwaway-cluster.ts';
import { load, seed } from '../server/ops/seed.ts';
import { defaultDemoOptions, generateDemo, type DemoOptions } from '../server/ops/demo-data.ts';
import type { Log } from '../server/ops/init.ts';
import type { Couch } from '../server/couch-client.ts';
import { engineName } from '../server/cluster.ts';
import { DEMO } from '../server/config.ts';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { dataDocCount, descendants, nodeMemoryMb, safeList } from './lib.ts';
import { centralOverview, centralView, overviewQueryStrings, timed } from './overview.ts';

/** Bytes on disk under `dir`, and of those the view indexes' (the embedded node's `_views`, CouchDB's `.view` files). */
function diskMb(dir: string) {
  let all = 0;
  let views = 0;
  const walk = (d: string, inViews: boolean) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, inViews || e.name === '_views');
      else if (e.isFile()) {
        const n = statSync(p).size;
        all += n;
        if (inViews || e.name.endsWith('.view')) views += n;
      }
    }
  };
  walk(dir, false);
  return { totalMb: Math.round(all / 1048576), viewsMb: Math.round(views / 1048576) };
}

/** The deep page the target names (page 2,000 of 20), or the last full one a smaller run has. */
const DEEP_PAGE = 2000;
/** How long loading and the first build may take before the run gives up: a million orders here take well over an hour. */
const LOAD_LIMIT_MS = 4 * 3_600_000;
const PAGE = 20;
/**
 * The region nodes' scheduling priority. Central is what this bench measures; in a deployment the
 * regions run on their own machines, here they share two cores with it. Lowered, they still take
 * every cycle central leaves, but no longer halve central's share (measured: ~1,000 -> 1,200-1,750
 * writes a second at central while loading a million orders).
 */
const REGION_NICE = 15;

type Cluster = Awaited<ReturnType<typeof startCluster>>;

/**
 * `--direct`: every region's `ops` written straight into central's merged `ops` as a server admin (the
 * same write rules; no region node or lane involved). Central's queries, memory and restart are what
 * the scale target names; through the lanes central writes each document twice (`ops-<r>`, then the
 * merge) at ~1,700 writes a second here, over an hour for a million orders before a query is timed.
 */
async function loadAtCentral(c: Cluster, o: DemoOptions, log: Log) {
  const data = generateDemo(c.topology, o);
  const central = c.admin('PUSAT');
  await load(central, 'catalog', data.catalog, 'catalog at central', log);
  const couch = engineName() === 'couchdb';
  if (couch) await holdBackgroundWork(central, 'ops', true);
  for (const r of c.topology.regions) await load(central, 'ops', data.regions[r.code].ops, `${r.code} orders, users and ledger into central's ops`, log, 2);
  if (couch) await holdBackgroundWork(central, 'ops', false);
  return data;
}

/**
 * Apache CouchDB's background work on a database that is being written: its indexer (ken) folds each
 * batch of changes into every view as it lands, and its compaction daemon (smoosh) queues a file whose
 * size is over twice its live data, which under a bulk load is always. At a million orders here the
 * database's compactions restarted behind the writes over and over, and with the indexer the writes
 * fell from ~800 a second to ~450 (110,000 documents with both held: ~1,600 a second, and the views
 * built after it at about that rate). As an operator importing history would, the bench holds both
 * for the load (`[ken.ignore]` for each shard; each smoosh channel's `max_size`: a larger file is not
 * queued). The indexer is let go after the load, and the first query builds the views. Compaction
 * stays held for the rest of the run, so none starts under the timed queries; the disk figure is the
 * files as written. `_config` writes persist, so central's restart keeps both settings.
 */
const SMOOSH_CHANNELS = ['ratio_dbs', 'slack_dbs', 'ratio_views', 'slack_views'];
async function holdBackgroundWork(central: Couch, db: string, loading: boolean) {
  const config = (section: string, key: string) => `/_node/_local/_config/${section}/${encodeURIComponent(key)}`;
  // a JSON string, as _config takes values
  if (loading) for (const ch of SMOOSH_CHANNELS) await central.ok('PUT', config(`smoosh.${ch}`, 'max_size'), JSON.stringify('1'));
  // ken names a database by its shards' files: shards/<range>/<db><suffix>.
  const map = (await central.ok('GET', `/_node/_local/_dbs/${db}`)) as { shard_suffix: number[]; by_range: Record<string, unknown> };
  const suffix = String.fromCharCode(...map.shard_suffix);
  for (const range of Object.keys(map.by_range)) {
    const path = config('ken.ignore', `shards/${range}/${db}${suffix}`);
    if (loading) await central.ok('PUT', path, JSON.stringify('true'));
    else await central.ok('DELETE', path);
  }
}

export async function scaleBench(total: number, log: (s: string) => void, o: { samples?: number; direct?: boolean } = {}) {
  const samples = o.samples ?? 20;
  const direct = o.direct ?? false;
  const c = await startCluster(['JKT', 'BDG', 'SBY']);
  let sampler: NodeJS.Timeout | undefined;
  try {
    for (const r of c.topology.regions) {
      const pid = c.nodes[r.code].proc?.pid;
      // Linux keeps a priority per thread: each thread of the node and of its children (LevelDB's, libuv's, beam's).
      if (pid) for (const p of [pid, ...descendants(pid)]) for (const t of safeList(`/proc/${p}/task`).map(Number)) setPriority(t, REGION_NICE);
    }
    /** Central's RSS with its children's, and of it the anonymous part (not LevelDB's mapped files). */
    const memory = () => {
      const pid = c.nodes.PUSAT.proc?.pid;
      if (!pid) return null;
      const m = nodeMemoryMb(pid);
      return { rssMb: Math.round(m.withChildrenMb), anonMb: Math.round(m.anonWithChildrenMb) };
    };
    // Central's highest memory over the whole run, sampled every 10 s (the figures below are moments).
    const peak = { rssMb: 0, anonMb: 0 };
    sampler = setInterval(() => {
      const m = memory();
      if (!m) return;
      peak.rssMb = Math.max(peak.rssMb, m.rssMb);
      peak.anonMb = Math.max(peak.anonMb, m.anonMb);
    }, 10_000);
    const perRegion = Math.ceil(total / 3);
    const t0 = Date.now();
    const options = { ...defaultDemoOptions(), ordersPerRegion: perRegion, photos: false };
    const data = direct ? await loadAtCentral(c, options, log) : await seed(c.topology, c.secrets, options, log);
    const seedSeconds = (Date.now() - t0) / 1000;
    const want = Object.values(data.regions).reduce((n, r) => n + r.ops.length, 0);
    const aUser = data.regions.BDG.accounts[1].name;
    const t1 = Date.now();
    if (direct) {
      // Written at central itself: there is nothing to wait for, only a count to check.
      const n = await dataDocCount(c.admin('PUSAT'), 'ops');
      if (n < want) throw new Error(`central's ops holds ${n} of the ${want} documents written`);
    } else {
      log(`bench: waiting for ${want} ops documents to reach central…`);
      let said = Date.now();
      await until(async () => {
        const n = await dataDocCount(c.admin('PUSAT'), 'ops');
        if (Date.now() - said > 60_000) {
          said = Date.now();
          log(`bench: ${n} of ${want} at central after ${((said - t1) / 1000).toFixed(0)} s`);
        }
        return n >= want;
      }, LOAD_LIMIT_MS);
    }
    const replicateSeconds = (Date.now() - t1) / 1000;
    const central = c.admin('PUSAT').as(DEMO.centralAdmin);
    const view = (name: string, q: string) => centralView(central, name, q);
    const regions = c.topology.regions.map((r) => r.code);
    const overview = () => centralOverview(central, regions);
    const centralMbBeforeViews = memory();
    log('bench: building the views at central (first query)…');
    const t2 = Date.now();
    // A first query waits for the build; past the HTTP client's 5-minute limit it is asked again
    // (a build of a million documents takes longer than that, and goes on meanwhile).
    await until(async () => {
      try {
        await overview();
        return true;
      } catch (e) {
        log(`bench: views still building after ${((Date.now() - t2) / 1000).toFixed(0)} s (${(e as Error).message})`);
        return false;
      }
    }, LOAD_LIMIT_MS);
    await view('orders_by_created', 'limit=1&reduce=false');
    await view('orders_by_status', 'limit=1&reduce=false');
    await view('orders_by_user', 'limit=1&reduce=false');
    const indexSeconds = (Date.now() - t2) / 1000;

    const k = (v: unknown) => encodeURIComponent(JSON.stringify(v));
    const newest = (R: string) => `reduce=false&descending=true&startkey=${k([R, '\uffff'])}&endkey=${k([R, ''])}&limit=${PAGE + 1}`;
    // The deep page's first row, found once by position; the timed reads then start from its key
    // and id, as the admin's "next page" does.
    const bdgOrders = (await view('orders_by_created', `reduce=true&startkey=${k(['BDG', ''])}&endkey=${k(['BDG', '\uffff'])}`)).rows[0]?.value ?? 0;
    const deepPage = Math.min(DEEP_PAGE, Math.floor(bdgOrders / PAGE) - 1);
    const anchor = (await view('orders_by_created', `${newest('BDG')}&skip=${deepPage * PAGE}`)).rows[0];
    const deep = `reduce=false&descending=true&startkey=${k(anchor.key)}&startkey_docid=${encodeURIComponent(anchor.id)}&endkey=${k(['BDG', ''])}&limit=${PAGE + 1}`;
    const queries = async () => ({
      overviewMs: await timed(overview, samples),
      firstPageMs: await timed(() => view('orders_by_created', newest('BDG')), samples),
      deepPageMs: await timed(() => view('orders_by_created', deep), samples),
      byStatusMs: await timed(() => view('orders_by_status', `reduce=false&descending=true&startkey=${k(['JKT', 'delivered', '\uffff'])}&endkey=${k(['JKT', 'delivered', ''])}&limit=${PAGE + 1}`), samples),
      byUserMs: await timed(() => view('orders_by_user', `reduce=false&descending=true&startkey=${k(['BDG', aUser, '\uffff'])}&endkey=${k(['BDG', aUser, ''])}&limit=${PAGE + 1}`), samples),
      // The count beside a filtered list: a reduce over one status's rows.
      statusCountMs: await timed(() => view('orders_by_status', `reduce=true&group_level=2&startkey=${k(['JKT'])}&endkey=${k(['JKT', {}])}`), samples),
    });
    const warm = await queries();
    // Each of the overview's queries alone: which one a slow overview waits for.
    const overviewParts: Record<string, { p50: number; p95: number }> = {};
    for (const [v, q] of overviewQueryStrings(regions)) overviewParts[`${v}?${decodeURIComponent(q).slice(0, 40)}`] = await timed(() => view(v, q), samples);
    const centralMb = memory();
    const centralDisk = diskMb(c.nodes.PUSAT.dir);

    log('bench: restarting central…');
    await c.nodes.PUSAT.stop();
    const t3 = Date.now();
    await c.nodes.PUSAT.start();
    await overview();
    const restartToOverviewSeconds = (Date.now() - t3) / 1000;
    const afterRestart = await queries();
    return {
      orders: perRegion * 3, opsDocs: want, direct, regionNice: REGION_NICE, seedSeconds, compactionHeld: direct && engineName() === 'couchdb', replicateSeconds, indexSeconds, deepPage,
      ...warm, overviewParts, restartToOverviewSeconds, afterRestart,
      centralMbBeforeViews, centralMb, centralMbAfterRestart: memory(), centralPeakMb: peak, centralDisk,
    };
  } finally {
    clearInterval(sampler);
    await c.stop();
  }
}
