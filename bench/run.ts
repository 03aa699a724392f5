// `npm run bench`: Sebaran's performance figures on loopback, printed as a
// table and saved as JSON in bench/results/. Numbers, not assertions: the
// machine is shared, so read them as a trend.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import PouchDB from 'pouchdb-node';
import { startCluster, until } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
import { regionSelector } from '../server/ops/init.ts';
import { DEMO, projectRoot } from '../server/config.ts';
import { Couch } from '../server/couch-client.ts';
import { createAppServer, readersOf } from '../server/app-server.ts';
import { freePort } from '../server/cluster.ts';
import { pullChanges } from '../src/lib/sync/pull.ts';
import { ids, ulid, userDbName } from '../src/lib/model/index.ts';
import { dataDocCount, follow, median, percentile, nodeMemoryMb, table, verdict } from './lib.ts';
import { browserBench } from './browser.ts';
import { scaleBench } from './scale.ts';
import { throughputBench } from './throughput.ts';
import { wanBench } from './wan.ts';
import { serviceRestartBench } from './service-restart.ts';
import { catalogGrowth, regionGrowth } from './growth.ts';
import { chooseEngine, DEFAULT_RELEASE } from './engine.ts';
import { rulesBench } from './rules.ts';
import { compareLatest } from './compare.ts';
import { centralOverview, timed } from './overview.ts';

// A simulated device's PouchDB can reject a request it already retries (a socket hang up under load):
// said, not fatal, so the run goes on and stops its cluster instead of leaving its nodes running.
process.on('unhandledRejection', (e) => console.error(`bench: an error nothing waited for: ${(e as Error)?.message ?? e}`));

if (process.argv.includes('--compare')) {
  console.log(compareLatest(join(projectRoot, 'bench', 'results')));
  process.exit(0);
}
const engine = (() => {
  try {
    return chooseEngine(process.argv);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    process.exit(2);
  }
})();
const quick = process.argv.includes('--quick');
/** Saves a separate run's result under bench/results/: dated, and as the latest of its kind and engine. */
function saveRun(kind: string, data: object) {
  const dir = join(projectRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const json = JSON.stringify({ at, engine, ...data }, null, 2);
  writeFileSync(join(dir, `${kind}-${engine}-${at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(dir, `${kind}-latest-${engine}.json`), json);
}
if (process.argv.includes('--rules')) {
  // A separate, short run: the write rules' CPU per document on both engines (CouchDB's when a release is here).
  const release = process.env.SEBARAN_COUCHDB || (existsSync(join(DEFAULT_RELEASE, 'bin', 'couchdb')) ? DEFAULT_RELEASE : null);
  const r = await rulesBench(release, quick ? 2000 : 5000);
  const us = (x: number) => `${x.toFixed(0)} µs`;
  const rows: Array<[string, string, string, string]> = [
    [`embedded: the ops rules, per document (${r.documents} orders and ledger entries)`, `${us(r.embedded.rulesUs)} (a rule that accepts all: ${us(r.embedded.acceptAllUs)}; refused ${r.embedded.refused})`, '-', 'info'],
  ];
  if (r.couchdb) {
    rows.push(
      ['CouchDB QuickJS: the ops rules, per document (reset, then the call)', `${us(r.couchdb.rulesUs)} (accept all: ${us(r.couchdb.acceptAllUs)}; refused ${r.couchdb.refused})`, '-', 'info'],
      ['CouchDB QuickJS: the reset alone (its garbage collection)', us(r.couchdb.resetOnlyUs), '-', 'info'],
    );
  } else rows.push(['CouchDB QuickJS', 'not measured: no CouchDB release (SEBARAN_COUCHDB)', '-', 'info']);
  console.log(table(rows));
  saveRun('rules', r);
  process.exit(0);
}
const scaleArg = process.argv.indexOf('--scale');
if (scaleArg > 0) {
  // A separate, long run: the admin dashboards at scale.
  const total = Number(process.argv[scaleArg + 1] ?? 100_000);
  const r = await scaleBench(total, (l) => console.error(l), { direct: process.argv.includes('--direct') });
  const ms = (t: { p50: number; p95: number }) => `${t.p50.toFixed(0)} / ${t.p95.toFixed(0)} ms`;
  const warmAndRestarted = (label: string, a: { p50: number; p95: number }, b: { p50: number; p95: number }, limit: number): [string, string, string, string] => [
    `${label}, p50 / p95 (after the restart)`, `${ms(a)} (${ms(b)})`, `p95 < ${limit} ms`, verdict(a.p95 < limit && b.p95 < limit),
  ];
  const embedded = engine === 'embedded';
  const rows: Array<[string, string, string, string]> = [
    r.direct
      ? [`orders loaded (3 regions) straight into central's ops${r.compactionHeld ? ' (auto-compaction held)' : ''}`, `${r.orders} orders, ${r.opsDocs} ops docs: load ${r.seedSeconds.toFixed(0)} s, views ${r.indexSeconds.toFixed(0)} s after it`, '-', 'info']
      : [`orders loaded (3 regions)`, `${r.orders} orders, ${r.opsDocs} ops docs: seed ${r.seedSeconds.toFixed(0)} s, to central ${r.replicateSeconds.toFixed(0)} s, views ${r.indexSeconds.toFixed(0)} s`, '-', 'info'],
    warmAndRestarted('central overview (its view queries at once)', r.overviewMs, r.afterRestart.overviewMs, 300),
    ...Object.entries(r.overviewParts).map(([q, t]): [string, string, string, string] => [`  of it, alone: ${q}`, ms(t), '-', 'info']),
    warmAndRestarted('order list, first page (20, newest first)', r.firstPageMs, r.afterRestart.firstPageMs, 200),
    warmAndRestarted(`order list, page ${r.deepPage} by key paging`, r.deepPageMs, r.afterRestart.deepPageMs, 200),
    warmAndRestarted('order list filtered by status', r.byStatusMs, r.afterRestart.byStatusMs, 200),
    warmAndRestarted('order list filtered by shopper', r.byUserMs, r.afterRestart.byUserMs, 200),
    warmAndRestarted('order counts per status (reduce)', r.statusCountMs, r.afterRestart.statusCountMs, 200),
    ['central on disk: all / of it the view indexes', `${r.centralDisk.totalMb} / ${r.centralDisk.viewsMb} MB`, '-', 'info'],
    ['central restart: stop to the overview answered', `${r.restartToOverviewSeconds.toFixed(1)} s`, embedded ? '< 10 s' : '-', embedded ? verdict(r.restartToOverviewSeconds < 10) : 'info'],
    [
      'central memory (with children): before the views / built / after the restart',
      `${r.centralMbBeforeViews?.rssMb ?? '?'} / ${r.centralMb?.rssMb ?? '?'} / ${r.centralMbAfterRestart?.rssMb ?? '?'} MB`,
      embedded ? '< 1 GB' : '-', embedded ? verdict(Math.max(r.centralMb?.rssMb ?? Infinity, r.centralMbAfterRestart?.rssMb ?? Infinity) < 1024) : 'info',
    ],
    ['central memory, highest 10 s sample of the run: RSS / of it anonymous', `${r.centralPeakMb.rssMb} / ${r.centralPeakMb.anonMb} MB`, '-', 'info'],
    [
      '  of it anonymous (the rest: mapped database files)',
      `${r.centralMbBeforeViews?.anonMb ?? '?'} / ${r.centralMb?.anonMb ?? '?'} / ${r.centralMbAfterRestart?.anonMb ?? '?'} MB`, '-', 'info',
    ],
  ];
  console.log('\n' + table(rows));
  saveRun('scale', r);
  process.exit(0);
}
if (process.argv.includes('--growth')) {
  // A separate run: how each cost grows with regions and with the catalog (quick: the first two points).
  const regionPoints = quick ? [3, 10] : [3, 10, 30];
  const productPoints = quick ? [200, 5000] : [200, 5000, 50_000];
  const log = (l: string) => console.error(l);
  const regions = [];
  // Each point is said as soon as it is measured: a long run stopped early still tells what it saw.
  for (const n of regionPoints) regions.push(await regionGrowth(n, log)), log(JSON.stringify(regions.at(-1)));
  const catalogs = [];
  for (const n of productPoints) catalogs.push(await catalogGrowth(n, log)), log(JSON.stringify(catalogs.at(-1)));
  const f = (x: { p50: number; p95: number }) => `${x.p50.toFixed(0)} / ${x.p95.toFixed(0)} ms`;
  const rowsR = regions.map((r) => [`${r.regions}`, `${r.ordersPerSecond.toFixed(0)}/s`, f(r.orderLagMs), f(r.requestLagMs), f(r.catalogLagLastRegionMs), `${r.centralCpuPerS.toFixed(2)} (${(r.centralCpuPerRegion * 1000).toFixed(0)} ms per region)`, `${r.centralRssMb} MB`]);
  const rowsC = catalogs.map((r) => [`${r.products}`, `${r.toEveryRegionSeconds.toFixed(1)} s`, f(r.catalogLagLastRegionMs), `${r.firstPullSeconds.toFixed(1)} s (${r.firstPullDocs} docs)`, `${r.centralRssMb} / ${r.bdgRssMb} MB`]);
  const md = (head: string[], rows: string[][]) => [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  console.log(`\nengine: ${engine}\n\n` + md(['regions', 'orders (2/s per region)', 'order lag region -> central, p50 / p95', 'central request -> BDG, p50 / p95', 'catalog edit -> last region, p50 / p95', 'central CPU s per s', 'central RSS'], rowsR)
    + '\n\n' + md(['products', 'catalog at every region', 'catalog edit -> last region, p50 / p95', 'first pull of a device', 'central / BDG RSS'], rowsC));
  saveRun('growth', { quick, regions, catalogs });
  process.exit(0);
}
const restartArg = process.argv.indexOf('--service-restart');
if (restartArg > 0) {
  // A separate run: the region service restarting with a long history.
  const n = Number(process.argv[restartArg + 1] ?? 1_000_000);
  const r = await serviceRestartBench(n, (l) => console.error(l));
  const rows: Array<[string, string, string, string]> = [
    ['history loaded (BDG)', `${r.ledgerEntries} ledger entries, ${r.orders} orders: seed ${r.seedSeconds.toFixed(0)} s`, '-', 'info'],
    ['first start of the service (no checkpoint: the whole feed)', `${r.firstStartSeconds.toFixed(1)} s, peak ${r.firstStartPeakRssMb} MB RSS`, '-', 'info'],
    ['  then reading the ops feed to its end (ledger, requests)', `${r.catchUpSeconds.toFixed(1)} s`, '-', 'info'],
    ['a checkout answered, service warm', `${r.warmCheckoutMs.toFixed(0)} ms`, '-', 'info'],
    ['restart after kill -9 -> service running', `${(r.restartRunningMs / 1000).toFixed(1)} s`, '-', 'info'],
    ['restart after kill -9 -> a waiting checkout answered', `${(r.restartToCheckoutMs / 1000).toFixed(1)} s`, '< 10 s', verdict(r.restartToCheckoutMs < 10_000)],
    ['service memory after the restart: now / peak', `${r.serviceRssMb} / ${r.servicePeakRssMb} MB RSS`, '< 300 MB', verdict((r.servicePeakRssMb ?? Infinity) < 300)],
    ['the node (BDG) meanwhile', `${r.nodeRssMb ?? '?'} MB RSS`, '-', 'info'],
  ];
  console.log(`\nengine: ${engine}\n` + table(rows));
  saveRun('restart', r);
  process.exit(0);
}
if (process.argv.includes('--wan')) {
  // A separate run: replication across a bad WAN (latency, drops, a partition) under load.
  const w = await wanBench((l) => console.error(l), quick ? 90 : 150, 30);
  const rows: Array<[string, string, string, string]> = [
    ['load', `${w.checkoutsPerSecond} checkouts/s in ${w.regions.join(', ')}, ${w.editsPerSecond} catalog edits/s, ${w.seconds} s; +150 ms RTT, 1% drops, ${w.partitionS} s partition`, '-', 'info'],
    ['order lag region -> central outside the partition, p50 / p95', `${w.orderLagMs.p50.toFixed(0)} / ${w.orderLagMs.p95.toFixed(0)} ms (${w.orderLagMs.samples})`, 'p95 < 1500 ms', verdict(w.orderLagMs.p95 < 1500)],
    ['catalog lag central -> region outside the partition, p50 / p95', `${w.catalogLagMs.p50.toFixed(0)} / ${w.catalogLagMs.p95.toFixed(0)} ms (${w.catalogLagMs.samples})`, 'p95 < 1500 ms', verdict(w.catalogLagMs.p95 < 1500)],
    ['convergence after the heal: orders / catalog', `${(w.convergenceAfterHealMs.orders / 1000).toFixed(1)} / ${(w.convergenceAfterHealMs.catalog / 1000).toFixed(1)} s`, '< 10 s', verdict(Math.max(w.convergenceAfterHealMs.orders, w.convergenceAfterHealMs.catalog) < 10_000)],
    ['checkouts answered: placed / rejected / unanswered', `${w.placed} / ${w.rejected} / ${w.unanswered} of ${w.requests}`, 'none unanswered', verdict(w.unanswered === 0)],
    ['lost or doubled (invariants)', w.problems.length ? w.problems.slice(0, 3).join('; ') : 'none', 'none', verdict(w.problems.length === 0)],
  ];
  console.log(`\nengine: ${engine}\n` + table(rows));
  saveRun('wan', w);
  process.exit(0);
}
/** The browser figures as table rows (the full run, and `--browser` alone). */
function browserRows(b: Awaited<ReturnType<typeof browserBench>>): Array<[string, string, string, string]> {
  if ('skipped' in b) return [['browser figures', String(b.skipped), '-', 'skipped']];
  return [
    [`first catalog render from local data, ${b.products} products`, `${b.localRenderMs.toFixed(0)} ms (${b.catalogCount})`, '-', 'info'],
    [`first visit to a useful catalog (first pull), ${b.products} products`, `${b.firstVisitSeconds.toFixed(1)} s`, '< 2 s', verdict(b.firstVisitSeconds < 2)],
    [`first visit until the whole catalog is shown (search and filters work)`, `${b.wholeCatalogSeconds.toFixed(1)} s`, '-', 'info'],
    [`the same, throttled (10 Mbit/s, 100 ms)`, `${b.throttledFirstVisitSeconds.toFixed(1)} s`, '< 4 s', verdict(b.throttledFirstVisitSeconds < 4)],
    [`first visit until the catalog and stock are on the device (a reload works offline)`, `${b.dataReadySeconds.toFixed(1)} s`, '-', 'info'],
    [`first visit until every thumbnail is cached (offline-ready)`, `${b.offlineReadySeconds.toFixed(1)} s`, '-', 'info'],
    ['catalog edit at central -> BDG shopper\'s open page, p50 / p95', `${b.catalogEditToShopperMs.p50.toFixed(0)} / ${b.catalogEditToShopperMs.p95.toFixed(0)} ms (${b.catalogEditToShopperMs.samples})`, 'p95 < 2000 ms', verdict(b.catalogEditToShopperMs.p95 < 2000)],
    ['shop initial JS (gzip)', `${b.jsGzipKb.toFixed(0)} KB in ${b.scripts.length} files`, '< 200 KB', verdict(b.jsGzipKb < 200)],
  ];
}
if (process.argv.includes('--throughput')) {
  // A separate run: the region service at 500 shoppers and 5,000 checkouts (a burst, then paced at the target).
  const target = engine === 'couchdb' ? 300 : 1000;
  const t = await throughputBench((l) => console.error(l), { pacedPerSecond: target, checkouts: quick ? 2000 : 5000 });
  const rows: Array<[string, string, string, string]> = [
    [`burst: ${t.burst.checkouts} checkouts from ${t.shoppers} shoppers, answered/s`, `${t.burst.answeredPerSecond.toFixed(0)} /s (${t.burst.seconds.toFixed(1)} s; writes took ${t.burst.writeSeconds.toFixed(1)} s)`, `>= ${target} /s`, verdict(t.burst.answeredPerSecond >= target)],
    ['burst: write -> answer, p50 / p95 / max', `${t.burst.confirmationMs.p50.toFixed(0)} / ${t.burst.confirmationMs.p95.toFixed(0)} / ${t.burst.confirmationMs.max.toFixed(0)} ms`, '-', 'info'],
    [`paced at ${target}/s: answered/s`, `${t.paced.answeredPerSecond.toFixed(0)} /s (${t.paced.seconds.toFixed(1)} s)`, `>= ${target} /s`, verdict(t.paced.answeredPerSecond >= target * 0.95)],
    [`paced at ${target}/s: write -> answer, p50 / p95 / max`, `${t.paced.confirmationMs.p50.toFixed(0)} / ${t.paced.confirmationMs.p95.toFixed(0)} / ${t.paced.confirmationMs.max.toFixed(0)} ms`, 'p95 < 1000 ms', verdict(t.paced.confirmationMs.p95 < 1000)],
    ['placed / rejected / unanswered', `${t.placed} / ${t.rejected} / ${t.unanswered}`, 'none unanswered', verdict(t.unanswered === 0)],
    ['oversold, lost or doubled (ledger, region and central)', t.problems.length ? t.problems.slice(0, 3).join('; ') : 'none', 'none', verdict(t.problems.length === 0)],
  ];
  console.log(`\nengine: ${engine}\n` + table(rows));
  saveRun('throughput', t);
  process.exit(0);
}
if (process.argv.includes('--browser')) {
  // A separate run: only the browser figures (a first visit with 5,000 products, in Chromium).
  const b = await browserBench((l) => console.error(l), 5000, quick ? 1 : 3);
  console.log(`\nengine: ${engine}\n` + table(browserRows(b)));
  saveRun('browser', b);
  process.exit(0);
}
const LAG_SAMPLES = quick ? 30 : 100;
const REPEATS = quick ? 1 : 3;
const log = (s: string) => console.error(s);
const os = await import('node:os');
const results: Record<string, any> = { at: new Date().toISOString(), engine, quick, machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30) } };
const rows: Array<[string, string, string, string]> = [];

const memory = (nodes: Record<string, { proc: { pid?: number } | null }>) =>
  Object.fromEntries(Object.entries(nodes).map(([code, n]) => [code, n.proc?.pid ? nodeMemoryMb(n.proc.pid) : null]));

log(`bench: starting a throwaway cluster (central + JKT, BDG, SBY) on the ${engine} engine and loading the demo data…`);
const c = await startCluster(['JKT', 'BDG', 'SBY']);
try {
  results.engineVersion = (await c.admin('PUSAT').ok('GET', '/')).version;
  // Idle memory of fresh nodes (init applied, no data yet).
  await new Promise((r) => setTimeout(r, 3000));
  results.freshMemory = memory(c.nodes);
  const demo = await seed(c.topology, c.secrets, defaultDemoOptions(), (l) => log(l));
  const wantOps = Object.values(demo.regions).reduce((n, r) => n + r.ops.length, 0);
  await until(async () => (await dataDocCount(c.admin('PUSAT'), 'ops')) >= wantOps, 180_000);
  const bdgUrl = c.topology.regions.find((r) => r.code === 'BDG')!.url;

  // 0. The central overview page: its four view queries with the demo data, warm.
  log('bench: central overview queries (demo data)…');
  {
    const central = c.admin('PUSAT').as(DEMO.centralAdmin);
    const regions = c.topology.regions.map((r) => r.code);
    const t0 = performance.now();
    await centralOverview(central, regions);
    const firstMs = performance.now() - t0;
    const o = await timed(() => centralOverview(central, regions), LAG_SAMPLES);
    results.centralOverviewMs = { first: firstMs, ...o };
    rows.push(['central overview (4 view queries, demo data), p50 / p95', `${o.p50.toFixed(1)} / ${o.p95.toFixed(1)} ms (first ${firstMs.toFixed(0)} ms)`, '-', 'info']);
  }

  // 1. Replication lag, central -> region, for a catalog change.
  log(`bench: catalog lag central -> BDG over ${LAG_SAMPLES} changes…`);
  {
    const feed = await follow(c.admin('BDG'), 'catalog');
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    const lags: number[] = [];
    for (let i = 0; i < LAG_SAMPLES; i++) {
      const doc = await pusat.getDoc('catalog', 'product:SEM-00001');
      const t0 = performance.now();
      const r = await pusat.ok('PUT', '/catalog/product:SEM-00001', { ...doc, price: doc.price + 500, updated_at: new Date().toISOString() });
      lags.push((await feed.arrival('product:SEM-00001', r.rev)) - t0);
    }
    feed.stop();
    results.catalogLagMs = { p50: median(lags), p95: percentile(lags, 95), samples: lags.length };
    rows.push(['catalog change central -> BDG, p50 / p95', `${median(lags).toFixed(0)} / ${percentile(lags, 95).toFixed(0)} ms`, 'p95 < 1000 ms', verdict(percentile(lags, 95) < 1000)]);
  }

  // 2. Replication lag, region -> central, for a new order.
  log(`bench: order lag BDG -> central over ${LAG_SAMPLES} orders…`);
  {
    const feed = await follow(c.admin('PUSAT'), 'ops');
    const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
    const template = demo.regions.BDG.ops.find((d) => d.type === 'order')!;
    const lags: number[] = [];
    for (let i = 0; i < LAG_SAMPLES; i++) {
      const rid = `01JB${String(i).padStart(22, '0')}`;
      const id = ids.order('BDG', (template as any).user_name, rid);
      const t0 = performance.now();
      const r = await svc.ok('PUT', `/ops/${encodeURIComponent(id)}`, { ...template, _id: id, request_id: rid });
      lags.push((await feed.arrival(id, r.rev)) - t0);
    }
    feed.stop();
    results.orderLagMs = { p50: median(lags), p95: percentile(lags, 95), samples: lags.length };
    rows.push(['new order BDG -> central, p50 / p95', `${median(lags).toFixed(0)} / ${percentile(lags, 95).toFixed(0)} ms`, 'p95 < 1000 ms', verdict(percentile(lags, 95) < 1000)]);
  }

  // 3. One-shot filtered replication throughput: 10,000 docs at central, half of them BDG's.
  log('bench: one-shot replication of 10,000 documents (filtered to BDG, and unfiltered)…');
  {
    const central = c.admin('PUSAT');
    const bdg = c.admin('BDG');
    await central.ok('PUT', '/bench-src');
    const docs = Array.from({ length: 10_000 }, (_, i) => {
      const region = i % 2 ? 'BDG' : 'JKT';
      return { _id: `bench:${region}:${String(i).padStart(5, '0')}`, type: 'bench', region_code: region, n: i, pad: 'x'.repeat(200) };
    });
    for (let i = 0; i < docs.length; i += 2000) await central.bulk('bench-src', docs.slice(i, i + 2000));
    const auth = { basic: { username: c.secrets.admin.name, password: c.secrets.admin.password } };
    const run = async (target: string, selector: object | undefined, expected: number) => {
      await bdg.ok('PUT', `/${target}`);
      const t0 = performance.now();
      await bdg.ok('PUT', `/_replicator/${target}`, {
        source: { url: `${c.topology.central.url}/bench-src`, auth }, target: { url: `${bdgUrl}/${target}`, auth: { basic: { username: c.secrets.regions.BDG.admin.name, password: c.secrets.regions.BDG.admin.password } } },
        ...(selector ? { selector } : {}),
      });
      await until(async () => (await bdg.ok('GET', `/${target}`)).doc_count >= expected, 300_000);
      return (performance.now() - t0) / 1000;
    };
    const filtered = await run('bench-dst-bdg', regionSelector('BDG'), 5000);
    const all = await run('bench-dst-all', undefined, 10_000);
    results.oneShotReplication = { filteredSeconds: filtered, filteredDocsPerSec: 5000 / filtered, allSeconds: all, allDocsPerSec: 10_000 / all };
    rows.push(['one-shot 10k -> BDG share (5k), selector', `${filtered.toFixed(2)} s, ${(5000 / filtered).toFixed(0)} docs/s (${(10_000 / filtered).toFixed(0)} scanned/s)`, '-', 'info']);
    rows.push(['one-shot 10k -> all 10k, no filter', `${all.toFixed(2)} s, ${(10_000 / all).toFixed(0)} docs/s`, '-', 'info']);
  }

  // 4. A fresh device's first pull: catalog + BDG inventory, vs. the raw copy of the same documents.
  log('bench: first pull of a fresh device (catalog + BDG stock)…');
  {
    const dbs = ['catalog', 'inventory'];
    // Devices read a region's catalog and stock through the app server (its reader account; no
    // database is open to anonymous), so the pull is measured on that path.
    const app = createAppServer(c.topology, join(projectRoot, 'build'), { readers: readersOf(c.secrets) });
    const appPort = await freePort();
    await new Promise<void>((ok) => app.listen(appPort, '127.0.0.1', ok));
    const viaApp = `http://127.0.0.1:${appPort}/db/bdg`;
    const anon = new Couch(viaApp);
    const docCount = (await Promise.all(dbs.map((d) => dataDocCount(c.admin('BDG'), d)))).reduce((a, b) => a + b, 0);
    const fresh = () => mkdtempSync(join(tmpdir(), 'sebaran-pull-'));
    const time = async (fn: (dir: string) => Promise<void>) => {
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const dir = fresh();
        const t0 = performance.now();
        await fn(dir);
        times.push((performance.now() - t0) / 1000);
        rmSync(dir, { recursive: true, force: true });
      }
      return median(times);
    };
    const raw = await time(async (dir) => {
      for (const d of dbs) {
        const all = await anon.ok('GET', `/${d}/_all_docs?include_docs=true&attachments=true`);
        const local = new PouchDB(join(dir, d));
        await local.bulkDocs(all.rows.map((r: any) => r.doc).filter((x: any) => !x._id.startsWith('_design/')), { new_edits: false });
        await local.close();
      }
    });
    const ours = await time(async (dir) => {
      for (const d of dbs) {
        const local = new PouchDB(join(dir, d));
        await pullChanges({ url: `${viaApp}/${d}`, local });
        await local.close();
      }
    });
    const plain = await time(async (dir) => {
      for (const d of dbs) {
        const local = new PouchDB(join(dir, d));
        await PouchDB.replicate(new PouchDB(`${viaApp}/${d}`), local, { batch_size: 500 } as any);
        await local.close();
      }
    });
    app.closeAllConnections();
    app.close();
    results.firstPull = { docs: docCount, rawSeconds: raw, pullSeconds: ours, plainReplicationSeconds: plain, ratio: ours / raw, plainRatio: plain / raw };
    rows.push([`first pull, ${docCount} docs (catalog with photos + BDG stock)`, `${ours.toFixed(2)} s, ${(docCount / ours).toFixed(0)} docs/s`, '< 2 s', verdict(ours < 2)]);
    rows.push(['first pull / raw copy', `${(ours / raw).toFixed(2)}x (raw ${raw.toFixed(2)} s)`, '<= 1.5x', verdict(ours / raw <= 1.5)]);
    rows.push(['plain PouchDB replicate / raw copy (reference)', `${(plain / raw).toFixed(2)}x (${plain.toFixed(2)} s)`, '-', 'info']);
  }

  // 5. The region service: confirmed orders per second, and device-to-confirmation latency.
  log('bench: region service throughput (BDG)…');
  {
    const service = await c.service('BDG', { settled: true });
    const shoppers = demo.regions.BDG.accounts.map((a) => a.name);
    const items = demo.regions.BDG.inventory.filter((d: any) => d.type === 'warehouse_item' && d.quantity >= 20) as any[];
    const N = quick ? 200 : 500;
    const requests = Array.from({ length: N }, (_, k) => {
      const it = items[k % items.length];
      const id = ulid();
      return {
        shopper: shoppers[k % shoppers.length],
        doc: { _id: ids.checkout(id), type: 'checkout_request', region_code: 'BDG', request_id: id, items: [{ stock_id: it._id, product_id: it.product_id, qty: 1 }], address: 'Jl. Bench 1, Bandung', created_at: new Date().toISOString() },
      };
    });
    const bdg = c.anon('BDG');
    const countCopies = async () => {
      const counts = await Promise.all(shoppers.map(async (sh) =>
        (await c.admin('BDG').ok('GET', `/${userDbName(sh)}/_all_docs?startkey=%22my-order%3A%22&endkey=%22my-order%3A%EF%BF%BF%22`)).rows.length));
      return counts.reduce((a, b) => a + b, 0);
    };
    // Devices hold session cookies (as the app does), so sign every shopper in before the clock starts.
    const cookies = new Map<string, string>();
    for (const sh of shoppers) {
      const login = await bdg.request('POST', '/_session', { name: sh, password: DEMO.shopperPassword });
      cookies.set(sh, login.headers.get('set-cookie')!.split(';')[0]);
    }
    // Done when every shopper database holds its answers (what the shopper sees). To keep the
    // watching from loading the node, follow /_db_updates and count only databases that changed.
    const expected = new Map<string, number>();
    for (const r of requests) expected.set(userDbName(r.shopper), (expected.get(userDbName(r.shopper)) ?? 0) + 1);
    const admin = c.admin('BDG');
    let since = (await admin.ok('GET', '/_db_updates?since=now')).last_seq;
    const answered = async (db: string) =>
      (await admin.ok('GET', `/${db}/_all_docs?startkey=%22my-order%3A%22&endkey=%22my-order%3A%EF%BF%BF%22`)).rows.length >= expected.get(db)!;
    const complete = new Set<string>();
    const watch = (async () => {
      const deadline = Date.now() + 300_000;
      while (complete.size < expected.size && Date.now() < deadline) {
        const upd = await admin.ok('GET', `/_db_updates?feed=longpoll&timeout=2000&since=${encodeURIComponent(since)}`);
        since = upd.last_seq;
        const changed = new Set<string>((upd.results as any[]).map((u) => u.db_name).filter((db: string) => expected.has(db) && !complete.has(db)));
        for (const db of changed) if (await answered(db)) complete.add(db);
      }
      return performance.now();
    })();
    const t0 = performance.now();
    await Promise.all(requests.map(async (r) => {
      const res = await bdg.request('PUT', `/${userDbName(r.shopper)}/${r.doc._id}`, r.doc, { Cookie: cookies.get(r.shopper)! });
      if (res.status !== 201) throw new Error(`checkout write refused: ${res.status} ${res.json?.reason}`);
    }));
    const writeDone = performance.now();
    const finished = await watch;
    if ((await countCopies()) < N) throw new Error(`not every checkout was answered: ${await countCopies()} of ${N}`);
    const seconds = (finished - t0) / 1000;
    const serviceSeconds = (finished - writeDone) / 1000;
    results.serviceThroughput = { requests: N, seconds, ordersPerSec: N / seconds, writeSeconds: (writeDone - t0) / 1000, afterWritesSeconds: serviceSeconds };
    rows.push([`region service: ${N} checkouts from ${shoppers.length} shoppers`, `${(N / seconds).toFixed(0)} confirmed orders/s (${seconds.toFixed(2)} s)`, '>= 100 /s', verdict(N / seconds >= 100)]);

    // A device: its local database synced live with the node, a checkout written locally, the confirmation seen locally.
    const dir = mkdtempSync(join(tmpdir(), 'sebaran-device-'));
    const shopper = shoppers[0];
    const local = new PouchDB(join(dir, 'user'));
    const remote = new PouchDB(`${bdgUrl}/${userDbName(shopper)}`, { auth: { username: shopper, password: DEMO.shopperPassword }, skip_setup: true } as any);
    const sync = PouchDB.sync(local, remote, { live: true, retry: true } as any);
    await new Promise((r) => setTimeout(r, 1500));
    const lat: number[] = [];
    for (let k = 0; k < LAG_SAMPLES / 2; k++) {
      const it = items[(k * 7) % items.length];
      const id = ulid();
      const copyId = ids.orderCopy(ids.order('BDG', shopper, id));
      const seen = new Promise<number>((resolve) => {
        const feed = local.changes({ since: 'now', live: true }).on('change', (ch) => {
          if (ch.id === copyId) {
            feed.cancel();
            resolve(performance.now());
          }
        });
      });
      const t1 = performance.now();
      await local.put({ _id: ids.checkout(id), type: 'checkout_request', region_code: 'BDG', request_id: id, items: [{ stock_id: it._id, product_id: it.product_id, qty: 1 }], address: 'Jl. Bench 2, Bandung', created_at: new Date().toISOString() });
      lat.push((await seen) - t1);
    }
    sync.cancel();
    await local.destroy();
    rmSync(dir, { recursive: true, force: true });
    results.deviceConfirmationMs = { p50: median(lat), p95: percentile(lat, 95), samples: lat.length };
    rows.push(['checkout on a device -> confirmation on it, p50 / p95', `${median(lat).toFixed(0)} / ${percentile(lat, 95).toFixed(0)} ms`, 'p95 < 1000 ms', verdict(percentile(lat, 95) < 1000)]);
    await service.kill();
  }

  // 6. Idle memory per node: the node process (node for the embedded node, beam.smp for CouchDB),
  // and with the processes it started (CouchDB's QuickJS query servers).
  await new Promise((r) => setTimeout(r, 3000));
  const loaded = memory(c.nodes);
  results.idleRssMb = Object.fromEntries(Object.entries(loaded).map(([code, m]) => [code, m?.rssMb ?? null]));
  results.idleMemory = loaded;
  for (const [code, m] of Object.entries(loaded)) {
    const fresh = results.freshMemory[code];
    rows.push([
      `idle memory, node ${code}: fresh / with demo data`,
      `${fresh?.rssMb.toFixed(0) ?? '?'} / ${m?.rssMb.toFixed(0) ?? '?'} MB RSS (${m?.process}; with child processes ${m?.withChildrenMb.toFixed(0) ?? '?'} MB)`,
      '-', 'info',
    ]);
  }
} finally {
  await c.stop();
}

const b = await browserBench(log, 5000, REPEATS);
results.browser = b;
rows.push(...browserRows(b));

console.log(`\nengine: ${engine} (${results.engineVersion})\n` + table(rows));
const dir = join(projectRoot, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${engine}-${results.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
writeFileSync(join(dir, 'latest.json'), JSON.stringify(results, null, 2));
writeFileSync(join(dir, `latest-${engine}.json`), JSON.stringify(results, null, 2));
console.log(`\nSaved ${file}`);
