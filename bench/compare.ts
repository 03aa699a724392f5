// `npm run bench -- --compare`: the latest saved run of each engine, side by
// side, with CouchDB's figure as a multiple of the embedded node's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type R = Record<string, any>;
/** One row: a label, the figure as text, and the number the ratio is taken of. */
type Measure = [label: string, pick: (r: R) => [text: string, value: number] | null];

const ms = (x: number) => (x < 20 ? x.toFixed(1) : x.toFixed(0));
const p = (o: any, unit = 'ms'): [string, number] | null => (o ? [`${ms(o.p50)} / ${ms(o.p95)} ${unit}`, o.p50] : null);

const MEASURES: Measure[] = [
  ['catalog change central -> BDG, p50 / p95', (r) => p(r.catalogLagMs)],
  ['new order BDG -> central, p50 / p95', (r) => p(r.orderLagMs)],
  ['central overview (its view queries at once), p50 / p95', (r) => p(r.centralOverviewMs)],
  ['one-shot 10k -> BDG share (5k), selector', (r) => (r.oneShotReplication ? [`${r.oneShotReplication.filteredSeconds.toFixed(2)} s`, r.oneShotReplication.filteredSeconds] : null)],
  ['one-shot 10k -> all 10k, no filter', (r) => (r.oneShotReplication ? [`${r.oneShotReplication.allSeconds.toFixed(2)} s`, r.oneShotReplication.allSeconds] : null)],
  ['first pull of a fresh device (catalog + BDG stock)', (r) => (r.firstPull ? [`${r.firstPull.pullSeconds.toFixed(2)} s (${r.firstPull.docs} docs)`, r.firstPull.pullSeconds] : null)],
  ['plain PouchDB replicate of the same', (r) => (r.firstPull ? [`${r.firstPull.plainReplicationSeconds.toFixed(2)} s`, r.firstPull.plainReplicationSeconds] : null)],
  ['region service, confirmed orders/s', (r) => (r.serviceThroughput ? [`${r.serviceThroughput.ordersPerSec.toFixed(0)} /s`, r.serviceThroughput.ordersPerSec] : null)],
  ['checkout on a device -> confirmation, p50 / p95', (r) => p(r.deviceConfirmationMs)],
  ['catalog edit at central -> open shop page, p50 / p95', (r) => p(r.browser?.catalogEditToShopperMs)],
  ['first visit to a useful catalog, 5,000 products (browser)', (r) => (r.browser?.firstVisitSeconds ? [`${r.browser.firstVisitSeconds.toFixed(1)} s`, r.browser.firstVisitSeconds] : null)],
  ['  the same, throttled (10 Mbit/s, 100 ms)', (r) => (r.browser?.throttledFirstVisitSeconds ? [`${r.browser.throttledFirstVisitSeconds.toFixed(1)} s`, r.browser.throttledFirstVisitSeconds] : null)],
  ['  until the catalog and stock are on the device', (r) => (r.browser?.dataReadySeconds ? [`${r.browser.dataReadySeconds.toFixed(1)} s`, r.browser.dataReadySeconds] : null)],
  ['  until every thumbnail is cached (offline-ready)', (r) => (r.browser?.offlineReadySeconds ? [`${r.browser.offlineReadySeconds.toFixed(1)} s`, r.browser.offlineReadySeconds] : null)],
  ...['PUSAT', 'BDG'].flatMap((code): Measure[] => [
    [`idle memory ${code}, fresh`, (r) => mem(r.freshMemory?.[code]?.rssMb)],
    [`idle memory ${code}, with demo data`, (r) => mem(r.idleMemory?.[code]?.rssMb ?? r.idleRssMb?.[code])],
    [`  the same, with the node's child processes`, (r) => mem(r.idleMemory?.[code]?.withChildrenMb)],
  ]),
];

const mem = (mb: number | undefined): [string, number] | null => (mb ? [`${mb.toFixed(0)} MB`, mb] : null);

export function compareLatest(dir: string) {
  const load = (engine: string): R | null => {
    const f = join(dir, `latest-${engine}.json`);
    return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
  };
  const e = load('embedded');
  const c = load('couchdb');
  if (!e || !c) return `--compare needs a saved run of each engine in ${dir} (missing: ${[!e && 'embedded', !c && 'couchdb'].filter(Boolean).join(', ')}); run npm run bench -- --engine <engine> first.`;
  const head = ['measure', `embedded (${e.at.slice(0, 16)}${e.quick ? ', quick' : ''})`, `CouchDB ${c.engineVersion ?? ''} (${c.at.slice(0, 16)}${c.quick ? ', quick' : ''})`, 'CouchDB / embedded'];
  const rows = MEASURES.map(([label, pick]) => {
    const a = safe(pick, e);
    const b = safe(pick, c);
    return [label, a?.[0] ?? '-', b?.[0] ?? '-', a && b && a[1] > 0 ? `${(b[1] / a[1]).toFixed(1)}x` : '-'];
  });
  return markdown([head, ...rows]);
}

const safe = (pick: Measure[1], r: R) => {
  try {
    return pick(r);
  } catch {
    return null;
  }
};

/** A Markdown table (pastes into the README as it is). */
function markdown(rows: string[][]) {
  const w = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  const line = (r: string[]) => `| ${r.map((c, k) => c.padEnd(w[k])).join(' | ')} |`;
  return [line(rows[0]), `| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}
