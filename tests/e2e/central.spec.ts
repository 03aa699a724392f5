// Central admin in a real Chromium: the cross-region overview, and a product
// made at central (with a photo resized in the browser) reaching a BDG shopper.
import { test, expect } from './fixtures.ts';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { nodes, pickRegion, shot, centralSignIn, adminSignIn } from './helpers.ts';
import { png } from '../../server/ops/png.ts';

/** Units sold per product and region, from the orders themselves (canceled ones do not count). */
function unitsSold(rows: any[]) {
  const out = new Map<string, Map<string, number>>();
  for (const { doc } of rows) {
    if (doc.type !== 'order' || doc.status === 'canceled') continue;
    for (const it of doc.items) {
      const m = out.get(it.product_id) ?? new Map<string, number>();
      m.set(doc.region_code, (m.get(doc.region_code) ?? 0) + it.qty);
      out.set(it.product_id, m);
    }
  }
  return out;
}

test('overview across regions: revenue per region and a drawn chart', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  await expect(page.getByTestId('central-region')).toHaveCount(3);
  await expect(page.getByTestId('central-top').locator('tbody tr').first()).toBeVisible();
  // The best seller's units are every region's sales of it, recomputed from central's orders.
  // Asked again until they agree: tests beside this one may be placing orders meanwhile (the page reloads its figures).
  await expect.poll(async () => {
    const units = unitsSold(await nodes().centralAdmin().allDocs('ops'));
    const most = Math.max(...[...units.values()].map((perRegion) => [...perRegion.values()].reduce((a, b) => a + b, 0)));
    const shown = await page.getByTestId('central-top').locator('tbody tr').first().locator('td').nth(1).textContent();
    if (shown !== String(most)) await page.reload();
    return shown === String(most);
  }, { timeout: 30_000 }).toBe(true);
  await expect.poll(() => page.getByTestId('central-chart-days').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  })).toBe(true);
  await shot(page, 'central-overview');
});

test('a product created at central with a photo appears in a BDG shopper\'s open catalog', async ({ page, browser }) => {
  const shopperCtx = await browser.newContext();
  const shopper = await shopperCtx.newPage();
  await pickRegion(shopper, 'BDG');
  await centralSignIn(page);
  await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Katalog' }).click();
  await page.getByTestId('new-product').click();
  const sku = `BARU-${Date.now().toString(36).toUpperCase()}`;
  await page.getByTestId('p-sku').fill(sku);
  await page.getByTestId('p-name').fill('Kopi Tubruk Uji Pusat');
  await page.getByTestId('p-price').fill('27500');
  const photo = png(600, (x, y) => [(x * 255) / 600, (y * 255) / 600, 120]);
  await page.getByTestId('p-photo').setInputFiles({ name: 'kopi.png', mimeType: 'image/png', buffer: photo });
  await page.getByTestId('p-save').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Tersimpan: Kopi Tubruk Uji Pusat' })).toBeVisible();
  await shot(page, 'central-catalog');
  // The shopper's already-open catalog shows it without a reload.
  await shopper.getByTestId('search').fill('Tubruk Uji Pusat');
  await expect(shopper.getByTestId('product-card')).toHaveCount(1, { timeout: 30_000 });
  await expect(shopper.getByTestId('product-card')).toContainText(/Rp\s27\.500/);
  await expect(shopper.getByTestId('stock-badge')).toHaveText('Tidak tersedia di lokasi kamu');
  // The photo travelled as two attachments, resized in the browser: the card shows the thumbnail,
  // the product's page the detail size.
  const img = shopper.getByTestId('product-card').locator('img');
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(160);
  await shopper.getByTestId('product-card').getByRole('link').click();
  const detail = shopper.locator('main img').first();
  await expect.poll(() => detail.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(480);
  await shopperCtx.close();
  // Deleting asks first. This product has no stock anywhere: a plain question; "Ya, hapus" deletes it.
  await page.getByTestId('catalog-search').fill(sku);
  await page.getByTestId('p-delete').click();
  await expect(page.getByTestId('confirm-delete')).toHaveText(/Hapus Kopi Tubruk Uji Pusat\?/);
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Terhapus: Kopi Tubruk Uji Pusat' })).toBeVisible();
  await expect(page.getByTestId('catalog-row')).toHaveCount(0);
});

test('deleting a product that regions still stock says how much, and "Tidak" keeps it', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  const stock = (await nodes().centralAdmin().allDocs('inventory')).map((r: any) => r.doc).filter((d: any) => d.type === 'warehouse_item' && d.quantity > 0);
  const productId = stock[0].product_id as string;
  const held = stock.filter((d: any) => d.product_id === productId).reduce((n: number, d: any) => n + d.quantity, 0);
  await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Katalog' }).click();
  await page.getByTestId('catalog-search').fill(productId.replace(/^product:/, ''));
  await expect(page.getByTestId('catalog-row')).toHaveCount(1);
  await page.getByTestId('p-delete').click();
  await expect(page.getByTestId('confirm-delete')).toContainText(`Masih ada ${held} unit di gudang region`);
  await page.getByTestId('confirm-no').click();
  await expect(page.getByTestId('confirm-delete')).toHaveCount(0);
  await expect(page.getByTestId('catalog-row')).toHaveCount(1);
  expect(await nodes().centralAdmin().getDoc('catalog', productId)).not.toBeNull();
  // Its own page: the same stock, warehouse by warehouse, and its sales in every region.
  await page.getByTestId('catalog-row').getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/pusat/katalog/${productId.replace(/^product:/, '')}$`));
  await expect(page.getByTestId('product-detail')).toContainText(productId.replace(/^product:/, ''));
  await expect(page.getByRole('heading', { level: 2 }).first()).toHaveText(`Stok per gudang (${held} unit)`);
  const rows = (await nodes().centralAdmin().allDocs('inventory')).filter((r: any) => r.doc.type === 'warehouse_item' && r.doc.product_id === productId);
  await expect(page.getByTestId('product-stock').locator('tbody tr')).toHaveCount(rows.length);
  await expect(page.getByTestId('product-sales').locator('tbody tr')).toHaveCount(3);
  const sold = unitsSold(await nodes().centralAdmin().allDocs('ops')).get(productId) ?? new Map<string, number>();
  await expect(page.getByTestId('product-sales').locator('tbody tr')).toHaveText(
    ['JKT', 'BDG', 'SBY'].map((R) => new RegExp(`^${R}${sold.get(R) ?? 0}Rp`)),
  );
});

test('stock, orders and users across regions, filterable', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  const nav = page.getByRole('navigation', { name: 'Pusat' });
  await nav.getByRole('link', { name: 'Stok' }).click();
  await expect(page.getByTestId('cs-row').first()).toBeVisible();
  // Counts come from the view's reduce over the filter's range, and agree with the node's documents.
  const stock = (await nodes().centralAdmin().allDocs('inventory')).map((r: any) => r.doc).filter((d: any) => d.type === 'warehouse_item');
  const n = (x: number) => new Intl.NumberFormat('id-ID').format(x);
  await expect(page.getByTestId('cs-pager-range')).toHaveText(`1–50 dari ${n(stock.length)}`);
  await page.getByTestId('cs-region').selectOption('JKT');
  const jkt = stock.filter((d: any) => d.region_code === 'JKT');
  await expect(page.getByTestId('cs-pager-range')).toHaveText(`1–50 dari ${n(jkt.length)}`);
  await expect(page.getByTestId('cs-row').first()).toContainText('JKT');
  // Low only: rows at or under their threshold (out of stock included), lowest first.
  await page.getByTestId('cs-low').check();
  const low = jkt.filter((d: any) => d.quantity <= 0 || d.quantity <= d.low_threshold);
  expect(low.length).toBeGreaterThan(0);
  await expect(page.getByTestId('cs-pager-range')).toHaveText(`1–${Math.min(50, low.length)} dari ${n(low.length)}`);
  await page.getByTestId('cs-order').selectOption('qty-desc');
  const max = Math.max(...low.map((d: any) => d.quantity));
  await expect(page.getByTestId('cs-qty').first()).toHaveText(String(max));
  await page.getByTestId('cs-order').selectOption('qty');
  await expect(page.getByTestId('cs-qty').first()).toHaveText(String(Math.min(...low.map((d: any) => d.quantity))));
  await expect(page.getByTestId('cs-row').first()).not.toContainText('…'); // names filled in
  await shot(page, 'central-stock');
  // The export is the whole filtered list (not one page), named after the filter.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cs-export').click()]);
  expect(dl.suggestedFilename()).toBe('stok-JKT-menipis.csv');
  const csv = readFileSync((await dl.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  expect(csv.length - 1).toBe(low.length);
  for (const line of csv.slice(1)) expect(line.split(';')[2]).toBe('JKT');
  await nav.getByRole('link', { name: 'Pesanan' }).click();
  await expect(page.getByTestId('co-row').first()).toBeVisible();
  await page.getByTestId('co-region').selectOption('SBY');
  await page.getByTestId('co-apply').click();
  await expect(page.getByTestId('co-row').first()).toContainText('SBY');
  await page.getByTestId('co-row').first().getByRole('link').click();
  await expect(page.getByTestId('co-detail').getByTestId('order-ref')).toHaveText(/^SBY-\d{6}-[0-9A-Z]{6}$/);
  await nav.getByRole('link', { name: 'Pengguna' }).click();
  await expect(page.getByTestId('cu-counts')).toContainText('BDG:');
  await expect(page.getByTestId('cu-counts')).toContainText('JKT:');
});

test('a restock request reaches exactly one region, which marks it done; sync health shows every region', async ({ page, browser }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  const nav = page.getByRole('navigation', { name: 'Pusat' });
  await nav.getByRole('link', { name: 'Stok' }).click();
  await page.getByTestId('cs-region').selectOption('BDG');
  const row = page.getByTestId('cs-row').first();
  const warehouseName = (await row.getByTestId('cs-wh').textContent())!.trim();
  await row.getByTestId('cs-ask').click();
  await page.getByTestId('cs-ask-qty').fill('30');
  await page.getByTestId('cs-ask-send').click();
  await expect(page.getByTestId('cs-restock').first()).toContainText('BDG');
  await expect(page.getByTestId('cs-restock').first()).toContainText('Terbuka');
  // Asked from a warehouse's row: the request names that warehouse.
  await expect(page.getByTestId('cs-restock').first()).toContainText(warehouseName);

  const n = nodes();
  const requests = async (code: string) => (await n.admin(code).allDocs('ops')).map((r: any) => r.doc).filter((d: any) => d.kind === 'restock');
  await expect.poll(async () => (await requests('BDG')).length, { timeout: 20_000 }).toBe(1);
  expect(await requests('JKT')).toHaveLength(0);
  expect(await requests('SBY')).toHaveLength(0);

  // The BDG admin sees it on the stock page and marks it done.
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  await adminSignIn(admin, 'BDG');
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Stok gudang' }).click();
  await expect(admin.getByTestId('restock-item')).toHaveCount(1);
  await expect(admin.getByTestId('restock-warehouse')).toHaveText(`untuk ${warehouseName}`);
  await expect(admin.getByTestId('restock-item')).toContainText(/diminta pusat, \d+ \w+ \d{4},? \d{2}[.:]\d{2} WIB/);
  // Marked done offline: it leaves the list at once (not when the service answers, nor after a reload),
  // and the admin is told it waits for the connection; it reaches the node when the connection returns.
  await ctx.setOffline(true);
  await admin.getByTestId('restock-done').click();
  await expect(admin.getByTestId('restock-item')).toHaveCount(0);
  await expect(admin.getByTestId('toast').filter({ hasText: 'Tersimpan di perangkat' })).toBeVisible();
  await expect(admin.getByTestId('pending-count')).toBeVisible();
  await ctx.setOffline(false);
  await admin.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(admin.getByTestId('pending-count')).toHaveCount(0, { timeout: 30_000 });
  await ctx.close();
  await expect(page.getByTestId('cs-restock').first()).toContainText('Selesai', { timeout: 30_000 });

  await nav.getByRole('link', { name: 'Sinkronisasi' }).click();
  for (const code of ['JKT', 'BDG', 'SBY']) {
    await expect(page.getByTestId(`health-${code}`).getByTestId('health-up')).toHaveText('server menjawab');
    // Five shared lanes and the shopper backup's push to central.
    await expect(page.getByTestId(`health-${code}`).getByTestId('health-rep')).toHaveCount(6, { timeout: 30_000 });
  }
  await shot(page, 'central-sync');
});

test('categories: their own page with product counts; create, rename, and delete only when no product uses them', async ({ page }) => {
  await centralSignIn(page);
  await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Kategori' }).click();
  await expect(page).toHaveURL(/\/pusat\/kategori$/);
  // Each category says how many products use it, as the node counts them.
  const products = (await nodes().centralAdmin().allDocs('catalog')).map((r: any) => r.doc).filter((d: any) => d.type === 'product');
  const staples = products.filter((p: any) => p.category_id === 'category:sembako').length;
  const sembako = page.getByTestId('category-row').filter({ hasText: '(sembako)' });
  await expect(sembako).toContainText(`${staples} produk`);
  const slug = `uji-${Date.now().toString(36)}`;
  // A slug in use, or a name in use, is said beside its field; nothing is added.
  const rows = await page.getByTestId('category-row').count();
  await page.getByTestId('c-slug').fill('sembako');
  await page.getByTestId('c-name').fill('Sembako Kedua');
  await page.getByRole('button', { name: 'Tambah kategori' }).click();
  await expect(page.getByRole('alert')).toHaveText('Kode alamat sembako sudah dipakai kategori lain. Pilih kode lain.');
  await page.getByTestId('c-slug').fill(slug);
  await page.getByTestId('c-name').fill('sembako');
  await page.getByRole('button', { name: 'Tambah kategori' }).click();
  await expect(page.getByRole('alert')).toHaveText('Sudah ada kategori bernama sembako. Pilih nama lain.');
  await expect(page.getByTestId('category-row')).toHaveCount(rows);
  await page.getByTestId('c-slug').fill(slug);
  await page.getByTestId('c-name').fill('Kategori Uji');
  await page.getByRole('button', { name: 'Tambah kategori' }).click();
  const item = page.getByTestId('category-row').filter({ hasText: `(${slug})` });
  await expect(item).toContainText('Kategori Uji');
  await expect(item).toContainText('0 produk');
  await item.getByRole('button', { name: 'Ubah nama' }).click();
  await item.getByTestId('c-rename').fill('Kategori Baru');
  await item.getByTestId('c-rename-save').click();
  await expect(item).toContainText('Kategori Baru');
  expect((await nodes().centralAdmin().getDoc('catalog', `category:${slug}`))?.name).toBe('Kategori Baru');
  await item.getByRole('button', { name: 'Hapus' }).click();
  await page.getByTestId('confirm-delete-category').getByTestId('confirm-yes').click();
  await expect(item).toHaveCount(0);
  // A category with products is kept, with the reason.
  await sembako.getByRole('button', { name: 'Hapus' }).click();
  await expect(page.getByRole('alert')).toContainText('masih dipakai');
  await expect(page.getByTestId('confirm-delete-category')).toHaveCount(0);
  // Its product count links to the catalog, filtered to it.
  await sembako.getByRole('link').click();
  await expect(page).toHaveURL(/\/pusat\/katalog\?kategori=category%3Asembako$/);
  await expect(page.getByTestId('catalog-pager-range')).toHaveText(`1–${Math.min(20, staples)} dari ${staples}`);
});
