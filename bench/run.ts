// `npm run bench`: Sebaran's performance figures on loopback, printed as a
// table and saved as JSON in bench/results/. Numbers, not assertions: the
// machine is shared, so read them as a trend.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../server/config.ts';
import { table, verdict } from './lib.ts';
import { browserBench, browserRows } from './browser.ts';
import { scaleBench } from './scale.ts';
import { throughputBench } from './throughput.ts';
import { wanBench } from './wan.ts';
import { serviceRestartBench } from './service-restart.ts';
import { catalogGrowth, regionGrowth } from './growth.ts';
import { chooseEngine, DEFAULT_RELEASE } from './engine.ts';
import { rulesBench } from './rules.ts';
import { compareLatest } from './compare.ts';
import { standardBench } from './standard.ts';

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
const log = (s: string) => console.error(s);
const { results, rows } = await standardBench(engine, quick, log);

const b = await browserBench(log, 5000, quick ? 1 : 3);
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
