// Browser figures with 5,000 products: the shop's initial JavaScript (gzip), a first visit to the
// first useful catalog render (cards with prices and stock; thumbnails load as they scroll into view),
// until the whole catalog is shown (filters work),
// until every thumbnail is cached for offline use, the same first visit on a throttled network
// (Chromium's emulation: 10 Mbit/s, 100 ms latency), and later renders from local data.
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { startCluster, until } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
import { createAppServer, readersOf } from '../server/app-server.ts';
import { freePort } from '../server/cluster.ts';
import { projectRoot } from '../server/config.ts';
import { ensureBuild } from '../server/build-stamp.ts';
import { median, percentile, verdict } from './lib.ts';
import { DEMO } from '../server/config.ts';

export async function browserBench(log: (s: string) => void, products = 5000, repeats = 3) {
  if (!existsSync('/usr/bin/chromium')) return { skipped: 'no /usr/bin/chromium (apt-get install -y chromium)' };
  ensureBuild();
  const c = await startCluster(['BDG']);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    log(`bench: seeding ${products} products for the browser figures…`);
    await seed(c.topology, c.secrets, { ...defaultDemoOptions(), products, usersPerRegion: 1, ordersPerRegion: 0 });
    await until(async () => (await c.admin('BDG').ok('GET', '/catalog')).doc_count >= products + 10, 180_000);
    // A shopper's first visit meets nodes at rest: the seed's tail (stock carried to central, central's
    // merge lanes) is waited out, so the figure is of the visit, not of the seed still running.
    const pending = async (code: string) =>
      ((await c.admin(code).ok('GET', '/_scheduler/docs')).docs as any[]).reduce((n, d) => n + (d.info?.changes_pending ?? 0), 0);
    if (!(await until(async () => (await pending('BDG')) + (await pending('PUSAT')) === 0, 180_000))) log('bench: the lanes still had changes pending');
    // At rest also means indexed: a node brings its views up to date in the background after a
    // burst (CouchDB's ken, the embedded node's auto-index.ts). Rest: no indexer task on either node
    // for longer than the background indexer's delay (5 s).
    const indexing = async () => {
      for (const code of ['BDG', 'PUSAT']) if (((await c.admin(code).ok('GET', '/_active_tasks')) as any[]).some((t) => t.type === 'indexer')) return true;
      return false;
    };
    let quietSince = Date.now();
    const restDeadline = Date.now() + 180_000;
    while (Date.now() - quietSince < 6000 && Date.now() < restDeadline) {
      if (await indexing()) quietSince = Date.now();
      await new Promise((r) => setTimeout(r, 250));
    }
    const port = await freePort();
    const server = createAppServer(c.topology, join(projectRoot, 'build'), { readers: readersOf(c.secrets) });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const url = `http://127.0.0.1:${port}`;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(url + '/');
    await page.getByTestId('region-BDG').click();
    await page.getByTestId('product-card').first().waitFor({ timeout: 180_000 });
    const firstPullSeconds = (Date.now() - t0) / 1000;
    // The first page (sync/first-page.ts) comes before the whole catalog: filters work from here.
    await page.getByTestId('search').and(page.locator(':enabled')).waitFor({ timeout: 180_000 });
    const wholeCatalogSeconds = (Date.now() - t0) / 1000;
    // The catalog shows before it is written to the device: until then a reload needs the network.
    await page.locator('[data-offline-ready="true"]').waitFor({ state: 'attached', timeout: 300_000 });
    const dataReadySeconds = (Date.now() - t0) / 1000;
    // Offline-ready: every product's thumbnail in the cache the service worker serves photos from.
    const thumbs = async () => page.evaluate(async () => (await (await caches.open('sebaran-thumbs')).keys()).length);
    await until(async () => (await thumbs()) >= products, 300_000);
    const offlineReadySeconds = (Date.now() - t0) / 1000;
    // Later visits render from the device's own copy.
    const renders: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t1 = Date.now();
      await page.reload();
      await page.getByTestId('product-card').first().waitFor();
      renders.push(Date.now() - t1);
    }
    const count = await page.getByTestId('count').innerText();
    // A catalog edit at central, timed until a BDG shopper's open catalog page shows it.
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    const target = await pusat.getDoc('catalog', 'product:SEM-00001');
    await page.getByTestId('search').fill(target.sku);
    await page.getByTestId('product-card').first().waitFor();
    const edits: number[] = [];
    for (let i = 0; i < Math.max(5, repeats * 7); i++) {
      const doc = await pusat.getDoc('catalog', target._id);
      const price = doc.price + 100;
      const shown = new Intl.NumberFormat('id-ID').format(price);
      const t1 = Date.now();
      await pusat.ok('PUT', `/catalog/${target._id}`, { ...doc, price, updated_at: new Date().toISOString() });
      await page.getByTestId('product-card').first().filter({ hasText: shown }).waitFor({ timeout: 30_000 });
      edits.push(Date.now() - t1);
    }
    await ctx.close();
    const throttledSeconds = await throttledVisit(browser, url);
    const jsGzip = await initialScripts(browser, url);
    server.closeAllConnections();
    server.close();
    return {
      products, catalogCount: count, firstVisitSeconds: firstPullSeconds, wholeCatalogSeconds, dataReadySeconds, offlineReadySeconds, throttledFirstVisitSeconds: throttledSeconds,
      localRenderMs: median(renders), jsGzipKb: jsGzip.kb, scripts: jsGzip.names,
      catalogEditToShopperMs: { p50: median(edits), p95: percentile(edits, 95), samples: edits.length },
    };
  } finally {
    await browser.close();
    await c.stop();
  }
}

/**
 * The shop's initial JavaScript: every script a first visit to the catalog loads, gzipped as a server
 * would send it. In a context of its own: reading bodies through the browser's protocol slowed the
 * timed visit by more than a second when done there.
 */
async function initialScripts(browser: Awaited<ReturnType<typeof chromium.launch>>, url: string) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const scripts = new Map<string, number>();
  const reads: Promise<void>[] = [];
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'script' || !res.url().startsWith(url)) return;
    reads.push(res.body().then((b) => void scripts.set(res.url(), gzipSync(new Uint8Array(b)).length), () => {}));
  });
  await page.goto(url + '/');
  await page.getByTestId('region-BDG').click();
  await page.getByTestId('product-card').first().waitFor({ timeout: 180_000 });
  await Promise.all(reads);
  await ctx.close();
  return { kb: [...scripts.values()].reduce((a, b) => a + b, 0) / 1024, names: [...scripts.keys()].map((u) => u.split('/').pop()) };
}

/** A fresh device on a slow link: Chromium's network emulation on the page (10 Mbit/s, 100 ms). */
async function throttledVisit(browser: Awaited<ReturnType<typeof chromium.launch>>, url: string) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: 1_250_000, uploadThroughput: 1_250_000 });
  const t0 = Date.now();
  await page.goto(url + '/');
  await page.getByTestId('region-BDG').click();
  await page.getByTestId('product-card').first().waitFor({ timeout: 180_000 });
  const seconds = (Date.now() - t0) / 1000;
  await ctx.close();
  return seconds;
}

/** The browser figures as table rows. */
export function browserRows(b: Awaited<ReturnType<typeof browserBench>>): Array<[string, string, string, string]> {
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
