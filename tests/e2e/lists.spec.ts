// Order lists page by key and say "x–y dari z", at central (all regions merged) and in a region:
// no list is cut silently (central showed at most 50 orders before), each page holds rows the
// previous did not, older ones, and the total is the node's own count of the range.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { adminSignIn, centralSignIn, nodes, pickRegion, shot } from './helpers.ts';
import type { Couch } from '../../server/couch-client.ts';

const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));

/** The node's count of a region's orders (the view's own reduce), as the list must show it. */
async function ordersAt(couch: Couch, regions: string[], status?: string) {
  let n = 0;
  for (const R of regions) {
    const [view, prefix] = status ? ['orders_by_status', [R, status]] : ['orders_by_created', [R]];
    const r = await couch.ok('GET', `/ops/_design/sebaran/_view/${view}?reduce=true&startkey=${q(prefix)}&endkey=${q([...prefix, {}])}`);
    n += r.rows[0]?.value ?? 0;
  }
  return n;
}

const ids = (page: Page, testid: string) => page.getByTestId(testid).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-order') ?? ''));

/** Walks the first pages forward and back: ranges, no row twice, previous gives the same rows again. */
async function walk(page: Page, row: string, pager: string, total: number) {
  const fmt = (n: number) => new Intl.NumberFormat('id-ID').format(n);
  const range = page.getByTestId(`${pager}-range`);
  await expect(range).toHaveText(`1–${fmt(Math.min(20, total))} dari ${fmt(total)}`);
  await expect(page.getByTestId(row)).toHaveCount(Math.min(20, total));
  const first = await ids(page, row);
  expect(total).toBeGreaterThan(40); // the demo holds enough orders for three pages
  await page.getByTestId(`${pager}-next`).click();
  await expect(range).toHaveText(`21–40 dari ${fmt(total)}`);
  const second = await ids(page, row);
  expect(second).toHaveLength(20);
  expect(second.filter((r) => first.includes(r))).toEqual([]);
  await page.getByTestId(`${pager}-next`).click();
  await expect(range).toHaveText(new RegExp(`^41–\\d+ dari ${fmt(total).replace('.', '\\.')}$`));
  await page.getByTestId(`${pager}-prev`).click();
  await expect(range).toHaveText(`21–40 dari ${fmt(total)}`);
  expect(await ids(page, row)).toEqual(second);
  await page.getByTestId(`${pager}-prev`).click();
  await expect(range).toHaveText(`1–${fmt(Math.min(20, total))} dari ${fmt(total)}`);
  await expect(page.getByTestId(`${pager}-prev`)).toBeDisabled();
  expect(await ids(page, row)).toEqual(first);
}

test('central order list: every region merged newest first, paged by key, "x–y dari z" from the views', async ({ page }) => {
  const regions = nodes().topology.regions.map((r) => r.code);
  const central = nodes().centralAdmin();
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Pesanan' }).click();
  await expect(page.getByTestId('co-row').first()).toBeVisible();
  const total = await ordersAt(central, regions);
  expect(total).toBeGreaterThan(50); // more than the old list's silent cut
  await walk(page, 'co-row', 'co-pager', total);
  await shot(page, 'central-orders-paged');
  // A filter counts its own range: delivered orders of JKT only.
  await page.getByTestId('co-region').selectOption('JKT');
  await page.getByTestId('co-status').selectOption('delivered');
  await page.getByTestId('co-apply').click();
  const delivered = await ordersAt(central, ['JKT'], 'delivered');
  await expect(page.getByTestId('co-pager-range')).toHaveText(new RegExp(`dari ${new Intl.NumberFormat('id-ID').format(delivered).replace('.', '\\.')}$`));
  for (const text of await page.getByTestId('co-row').allInnerTexts()) expect(text).toContain('JKT');
  // Oldest first: the same range from its other end, the first row the oldest of them all.
  await page.getByTestId('co-status').selectOption('');
  await page.getByTestId('co-sort').selectOption('oldest');
  const jkt = await central.ok('GET', `/ops/_design/sebaran/_view/orders_by_created?reduce=false&limit=1&startkey=${q(['JKT'])}&endkey=${q(['JKT', {}])}`);
  await expect(page.getByTestId('co-row').first()).toHaveAttribute('data-order', jkt.rows[0].id);
  await page.getByTestId('co-pager-next').click();
  await expect(page.getByTestId('co-pager-range')).toHaveText(new RegExp('^21–40 dari'));
  const second = await ids(page, 'co-row');
  const oldest = await central.ok('GET', `/ops/_design/sebaran/_view/orders_by_created?reduce=false&limit=40&startkey=${q(['JKT'])}&endkey=${q(['JKT', {}])}`);
  expect(second).toEqual(oldest.rows.slice(20, 40).map((r: { id: string }) => r.id));
});

test('regional order list: paged by key in both directions, the same rows again on the way back', async ({ page }) => {
  await adminSignIn(page, 'BDG');
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pesanan' }).click();
  await page.getByTestId('orders-filter').click();
  await expect(page.getByTestId('order-list-row').first()).toBeVisible();
  const total = await ordersAt(nodes().regionAdmin('BDG'), ['BDG']);
  await walk(page, 'order-list-row', 'orders-pager', total);
});

/** Every page of a list in turn: the ids seen, each once, and the ranges they came with. */
async function allPages(page: Page, row: string, attr: string, pager: string) {
  const seen: string[] = [];
  for (let k = 0; k < 100; k++) {
    const range = await page.getByTestId(`${pager}-range`).innerText();
    const ids = await page.getByTestId(row).evaluateAll((rs, a) => rs.map((r) => r.getAttribute(a) ?? ''), attr);
    const [from, to] = range.split(' ')[0].split('–').map((x) => Number(x.replace(/\./g, '')));
    expect([from, to]).toEqual([seen.length + 1, seen.length + ids.length]);
    seen.push(...ids);
    const next = page.getByTestId(`${pager}-next`);
    if (await next.isDisabled()) break;
    await next.click();
    await expect(page.getByTestId(`${pager}-range`)).not.toHaveText(range);
  }
  expect(new Set(seen).size).toBe(seen.length);
  return seen;
}

test('central stock and catalog, and a region\'s stock: paged, never cut, every row on some page', async ({ page, browser }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  const nav = page.getByRole('navigation', { name: 'Pusat' });
  await nav.getByRole('link', { name: 'Stok' }).click();
  await expect(page.getByTestId('cs-row').first()).toBeVisible();
  const stockDocs = (await nodes().centralAdmin().ok('GET', `/inventory/_all_docs?startkey=${q('stock:')}&endkey=${q('stock:\uffff')}`)).rows.length;
  expect(stockDocs).toBeGreaterThan(50); // more than one page
  await expect(page.getByTestId('cs-pager-range')).toHaveText(`1–50 dari ${new Intl.NumberFormat('id-ID').format(stockDocs)}`);
  expect(await allPages(page, 'cs-row', 'data-stock', 'cs-pager')).toHaveLength(stockDocs);

  await nav.getByRole('link', { name: 'Katalog' }).click();
  await expect(page.getByTestId('catalog-row').first()).toBeVisible();
  const products = (await nodes().centralAdmin().ok('GET', `/catalog/_all_docs?startkey=${q('product:')}&endkey=${q('product:\uffff')}`)).rows.length;
  expect(products).toBeGreaterThan(20);
  expect(await allPages(page, 'catalog-row', 'data-product', 'catalog-pager')).toHaveLength(products);
  // A search starts again at its first page.
  await page.getByTestId('catalog-search').fill('zzz-tidak-ada');
  await expect(page.getByTestId('catalog-pager-range')).toHaveText('Tidak ada data yang cocok.');

  // The region's admin on a device of their own.
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  await adminSignIn(admin, 'BDG');
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Stok gudang' }).click();
  await expect(admin.getByTestId('stock-row').first()).toBeVisible();
  const bdg = (await nodes().regionAdmin('BDG').ok('GET', `/inventory/_all_docs?startkey=${q('stock:BDG:')}&endkey=${q('stock:BDG:\uffff')}`)).rows.length;
  expect(bdg).toBeGreaterThan(50);
  expect(await allPages(admin, 'stock-row', 'data-stock', 'stock-pager')).toHaveLength(bdg);
  await ctx.close();
});
