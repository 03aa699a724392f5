// Regional admin mode in a real Chromium: figures, stock, orders, offline receipts.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { nodes, pickRegion, shot, signUp, adminSignIn } from './helpers.ts';
import { viewPath } from '../../src/lib/model/design.ts';
import { messages } from '../../src/lib/i18n/messages.ts';
import { formatDayLong } from '../../src/lib/i18n/format.ts';

test('overview: figures from the views and a drawn chart', async ({ page }) => {
  await adminSignIn(page);
  await expect(page.getByTestId('top-products').locator('tbody tr').first()).toBeVisible();
  // This calendar month's order count equals the sum of the view's rows for the month (Jakarta days).
  const monthCount = await page.evaluate(async (path) => {
    const month = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);
    const q = `group=true&startkey=${encodeURIComponent(JSON.stringify(['BDG', month]))}&endkey=${encodeURIComponent(JSON.stringify(['BDG', month + '-99']))}`;
    const res = await fetch(`${location.origin}/db/bdg${path}?${q}`, { credentials: 'include' });
    return ((await res.json()).rows as Array<{ value: { count: number } }>).reduce((n, r) => n + r.value.count, 0);
  }, viewPath('ops', 'orders_by_day'));
  await expect(page.getByTestId('kpi-month').locator('strong')).toHaveText(String(monthCount));
  // The chart really drew: some pixel of the canvas is not blank.
  await expect.poll(() => page.getByTestId('chart-days').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  })).toBe(true);
  await shot(page, 'admin-overview');
});

test('receive goods, offline too: pending until the connection returns, then the stock changes', async ({ page, context }) => {
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Stok gudang' }).click();
  const row = page.getByTestId('stock-row').first();
  await expect(row).toBeVisible();
  const stockId = await row.getAttribute('data-stock');
  const qtyCell = page.locator(`[data-stock="${stockId}"] [data-testid="stock-qty"]`);
  const before = parseInt(await qtyCell.innerText(), 10);
  await row.getByTestId('act-receive').click();
  // A fraction is refused by the field itself, in the app's words (no step attribute: HTML steps by 1).
  await page.getByTestId('act-amount').fill('2.5');
  await page.getByTestId('act-submit').click();
  expect(await page.getByTestId('act-amount').evaluate((el: HTMLInputElement) => el.validationMessage)).toBe('Isi bilangan bulat (tanpa koma).');
  await expect(qtyCell).toHaveText(String(before));
  await page.getByTestId('act-amount').fill('10');
  await page.getByTestId('act-submit').click();
  await expect(qtyCell).toHaveText(String(before + 10));
  await shot(page, 'admin-stock');
  // Offline: the receipt is kept and shown as pending.
  await context.setOffline(true);
  await row.getByTestId('act-receive').click();
  await page.getByTestId('act-amount').fill('5');
  await page.getByTestId('act-submit').click();
  await expect(page.getByTestId('stock-pending').first()).toBeVisible();
  await expect(page.getByTestId('pending-count')).toBeVisible();
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(qtyCell).toHaveText(String(before + 15), { timeout: 45_000 });
  await expect(page.getByTestId('pending-count')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('toast').filter({ hasText: 'sampai di server region' }).first()).toBeVisible();
});

test('a stock count of 0 on a row that has stock asks first; "Tidak" changes nothing, "Ya" empties it', async ({ page }) => {
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Stok gudang' }).click();
  const row = page.getByTestId('stock-row').filter({ has: page.getByTestId('stock-qty').filter({ hasText: /^[1-9]/ }) }).last();
  await expect(row).toBeVisible();
  const stockId = await row.getAttribute('data-stock');
  const qtyCell = page.locator(`[data-stock="${stockId}"] [data-testid="stock-qty"]`);
  const before = parseInt(await qtyCell.innerText(), 10);
  await row.getByTestId('act-count').click();
  await page.getByTestId('act-amount').fill('0');
  await page.getByTestId('act-submit').click();
  await expect(page.getByTestId('confirm-zero')).toContainText(`(sekarang ${before})`);
  await page.getByTestId('confirm-no').click();
  await expect(page.getByTestId('confirm-zero')).toHaveCount(0);
  await expect(page.getByTestId('pending-count')).toHaveCount(0);
  await expect(qtyCell).toHaveText(String(before));
  // Confirmed, the count empties it.
  await page.getByTestId('act-submit').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Tersimpan' }).first()).toBeVisible();
  await expect(qtyCell).toHaveText('0', { timeout: 30_000 });
  // Put the stock back for the tests that follow.
  await page.locator(`[data-stock="${stockId}"]`).getByTestId('act-receive').click();
  await page.getByTestId('act-amount').fill(String(before));
  await page.getByTestId('act-submit').click();
  await expect(qtyCell).toHaveText(String(before), { timeout: 30_000 });
});

test('an order status change made in admin mode reaches the shopper live', async ({ page, browser }) => {
  // A shopper orders.
  const shopperCtx = await browser.newContext();
  const shopper = await shopperCtx.newPage();
  await pickRegion(shopper, 'BDG');
  const name = `adm${Date.now().toString(36)}`;
  await signUp(shopper, name);
  await shopper.getByTestId('only-available').check();
  await shopper.getByTestId('product-card').first().locator('a').click();
  await shopper.getByTestId('add-to-cart').first().click();
  await expect(shopper.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
  await shopper.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Keranjang/ }).click();
  await shopper.getByTestId('address').fill('Jl. Riau No. 1, Bandung');
  await shopper.getByTestId('checkout').click();
  await expect(shopper.getByTestId('order-status').first()).toHaveText('Dikonfirmasi');
  // The admin finds it by shopper and moves it on.
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pesanan' }).click();
  await page.getByTestId('orders-shopper').fill(name);
  await page.getByTestId('orders-filter').click();
  await page.getByTestId('order-list-row').first().getByRole('link').click();
  await expect(page.getByTestId('detail-status')).toHaveText('Dikonfirmasi');
  await expect(page.getByTestId('move-shipped')).toHaveCount(0); // the state machine offers only valid moves
  // Actions are verbs; lines name their warehouse, not its id.
  await expect(page.getByTestId('move-processed')).toHaveText('Proses');
  await expect(page.getByTestId('move-canceled')).toHaveText('Batalkan');
  await expect(page.getByTestId('line-warehouse').first()).toHaveText(/^Gudang /);
  await expect(page.getByTestId('order-ref')).toHaveText(/^BDG-\d{6}-[0-9A-Z]{6}$/);
  await page.getByTestId('move-processed').click();
  await expect(page.getByTestId('detail-status')).toHaveText('Diproses');
  await expect(page.getByTestId('order-timeline').locator('li')).toHaveCount(2);
  await expect(page.getByTestId('order-timeline').locator('li').last()).toContainText('oleh admin-bdg');
  await shot(page, 'admin-order');
  // The order has a URL of its own: loaded afresh, it shows the same order as it is now.
  const ref = await page.getByTestId('order-ref').textContent();
  await page.reload();
  await expect(page.getByTestId('order-ref')).toHaveText(ref!);
  await expect(page.getByTestId('detail-status')).toHaveText('Diproses');
  await expect(shopper.getByTestId('order-status').first()).toHaveText('Diproses');
  await shopperCtx.close();
});

test('users: the region\'s shoppers, each with their order history', async ({ page }) => {
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pengguna' }).click();
  await page.getByTestId('users-search').fill('pembeli.bdg');
  await expect(page.getByTestId('user-row')).toHaveCount(1);
  await page.getByTestId('user-row').getByRole('link').click();
  // The shopper's own page: profile, and every order of theirs, each linking to its own page.
  await expect(page).toHaveURL(/\/admin\/pengguna\/pembeli\.bdg$/);
  await expect(page.getByTestId('user-profile')).toContainText('pembeli.bdg');
  await expect(page.getByTestId('user-order').first()).toBeVisible();
  const total = (await nodes().regionAdmin('BDG').ok('GET', `/ops/_design/sebaran/_view/orders_by_user?reduce=true&startkey=${encodeURIComponent('["BDG","pembeli.bdg"]')}&endkey=${encodeURIComponent('["BDG","pembeli.bdg",{}]')}`)).rows[0].value;
  await expect(page.getByTestId('user-orders-pager-range')).toHaveText(new RegExp(`dari ${total}$`));
  await page.getByTestId('user-order').first().getByRole('link').click();
  await expect(page.getByTestId('order-detail')).toContainText('pembeli.bdg');
});

test('reports: a period that ends before it starts, has no start or has not begun is said beside the dates and makes no sales report', async ({ page }) => {
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Laporan' }).click();
  await expect(page.getByTestId('rep-sales-xlsx')).toBeEnabled();
  await page.getByTestId('rep-from').fill('2030-01-01');
  await expect(page.getByTestId('rep-period-error')).toHaveText(messages.id['admin.periodReversed']);
  await expect(page.getByTestId('rep-sales-xlsx')).toBeDisabled();
  await expect(page.getByTestId('rep-sales-pdf')).toBeDisabled();
  await page.getByTestId('rep-to').fill('2030-12-31');
  await expect(page.getByTestId('rep-period-error')).toHaveText(messages.id['admin.periodFuture']);
  await expect(page.getByTestId('rep-sales-pdf')).toBeDisabled();
  await page.getByTestId('rep-from').fill('');
  await expect(page.getByTestId('rep-period-error')).toHaveText(messages.id['admin.periodMissing']);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('rep-period-error')).toHaveText(messages.en['admin.periodMissing']);
  // The stock report is as of now: no period needed.
  await expect(page.getByTestId('rep-stock-xlsx')).toBeEnabled();
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
});

test('reports: stock and sales as a real Excel workbook and a PDF, in the admin\'s language', async ({ page }) => {
  const { default: ExcelJS } = await import('exceljs');
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readdirSync, readFileSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Laporan' }).click();
  await page.getByTestId('rep-from').fill('2020-01-01');
  const to = await page.getByTestId('rep-to').inputValue();
  const save = async (testId: string) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const path = `${mkdtempSync(`${tmpdir()}/rep-`)}/${dl.suggestedFilename()}`;
    await dl.saveAs(path);
    return path;
  };
  const HEADER = 4; // title, region and period, "generated" line, then the table
  const book = async (file: string) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    return wb;
  };
  const read = async (file: string) => (await book(file)).worksheets[0];
  const [toId, toEn] = [formatDayLong(to, 'id'), formatDayLong(to, 'en')];
  const rowOf = (ws: import('exceljs').Worksheet, r: number, n: number) => Array.from({ length: n }, (_, i) => ws.getCell(r, i + 1).value ?? null);
  // Excel: open it with exceljs and check every cell of the table.
  const sales = await save('rep-sales-xlsx');
  expect(sales).toMatch(new RegExp(`penjualan-BDG-2020-01-01_${to}\\.xlsx$`));
  const salesBook = await book(sales);
  const ws = salesBook.worksheets[0];
  expect(ws.getCell('A1').value).toBe('Laporan penjualan');
  // "Bandung (BDG)", or only "BDG" where the region's name is its code (never "BDG (BDG)").
  expect(String(ws.getCell('A2').value)).toMatch(new RegExp(`(^BDG| \\(BDG\\)) · 1 Jan 2020 – ${toId}$`));
  expect(String(ws.getCell('A3').value)).toMatch(/^Dibuat .+ WIB$/);
  expect(rowOf(ws, HEADER, 4)).toEqual(['Produk', 'SKU', 'Terjual', 'Pendapatan']);
  expect(ws.rowCount).toBeGreaterThan(HEADER + 1);
  for (let r = HEADER + 1; r < ws.rowCount; r++) {
    const [name, sku, units, revenue] = rowOf(ws, r, 4);
    expect(typeof name).toBe('string');
    expect(sku).toMatch(/^[A-Z0-9-]+$/);
    expect(Number.isInteger(units) && (units as number) > 0).toBe(true);
    expect(Number.isFinite(revenue)).toBe(true);
    expect(ws.getCell(r, 4).numFmt).toContain('Rp');
  }
  const [label, , units, revenue] = rowOf(ws, ws.rowCount, 4);
  expect(label).toMatch(/^Total \(\d+ pesanan\)$/);
  const column = (c: number) => Array.from({ length: ws.rowCount - HEADER - 1 }, (_, i) => ws.getCell(HEADER + 1 + i, c).value as number);
  expect(units).toBe(column(3).reduce((a, b) => a + b, 0));
  expect(revenue).toBe(column(4).reduce((a, b) => a + b, 0));
  // The second sheet: the period by month (it is longer than two months), months as date cells, the same revenue.
  const months = salesBook.worksheets[1];
  expect(months.name).toBe('Per bulan');
  expect(rowOf(months, HEADER, 4)).toEqual(['Bulan', 'Pesanan', 'Terjual', 'Pendapatan']);
  expect((months.getCell(HEADER + 1, 1).value as Date).toISOString()).toBe('2020-01-01T00:00:00.000Z');
  const monthTotal = rowOf(months, months.rowCount, 4);
  expect(monthTotal[0]).toBe('Total');
  expect([monthTotal[2], monthTotal[3]]).toEqual([units, revenue]);
  expect(String(label)).toBe(`Total (${monthTotal[1]} pesanan)`);

  const stock = await read(await save('rep-stock-xlsx'));
  expect(String(stock.getCell('A2').value)).toMatch(new RegExp(`(^BDG| \\(BDG\\)) · per ${toId}$`));
  expect(rowOf(stock, HEADER, 6)).toEqual(['Produk', 'SKU', 'Gudang', 'Stok', 'Batas menipis', 'Status']);
  for (let r = HEADER + 1; r < stock.rowCount; r++) {
    const [, sku, , qty, low, status] = rowOf(stock, r, 6);
    expect(sku).toMatch(/^[A-Z0-9-]+$/);
    expect(Number.isFinite(qty) && Number.isFinite(low)).toBe(true);
    expect(['Habis', 'Menipis', 'Normal']).toContain(status);
  }

  // PDF: render page 1 with pdftoppm (not blank), read the text back with pdftotext.
  const pdf = async (testId: string) => {
    const file = await save(testId);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    const out = mkdtempSync(`${tmpdir()}/pdfpng-`);
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, `${out}/page`]);
    const pngs = readdirSync(out);
    expect(pngs.length).toBe(1);
    expect(statSync(`${out}/${pngs[0]}`).size).toBeGreaterThan(3000);
    return execFileSync('pdftotext', ['-layout', file, '-']).toString();
  };
  const salesPdf = await pdf('rep-sales-pdf');
  expect(salesPdf).toContain('Laporan penjualan');
  expect(salesPdf).toMatch(new RegExp(`(\\bBDG| \\(BDG\\)) · 1 Jan 2020 – ${toId}`)); // the en dash survives
  expect(salesPdf).toMatch(/Produk\s+SKU\s+Terjual\s+Pendapatan/);
  expect(salesPdf).toContain('Penjualan bulanan (pendapatan)'); // past two months the chart shows months
  expect(salesPdf).toMatch(/Total \(\d+ pesanan\)\s+\d[\d.]*\s+Rp\s[\d.]+/);
  expect(salesPdf).not.toContain('\uFFFD');
  const stockPdf = await pdf('rep-stock-pdf');
  expect(stockPdf).toContain('Laporan stok');
  expect(stockPdf).toMatch(/Produk\s+SKU\s+Gudang\s+Stok\s+Batas menipis\s+Status/);
  expect(stockPdf).toMatch(/Total \(\d+ baris\)/);

  // The files follow the UI language.
  await page.getByRole('button', { name: 'English' }).click();
  const en = await read(await save('rep-sales-xlsx'));
  expect(en.getCell('A1').value).toBe('Sales report');
  expect(rowOf(en, HEADER, 4)).toEqual(['Product', 'SKU', 'Units sold', 'Revenue']);
  const enPdf = await pdf('rep-stock-pdf');
  expect(enPdf).toContain('Stock report');
  expect(enPdf).toContain(`as of ${toEn}`);
  expect(enPdf).toMatch(/Product\s+SKU\s+Warehouse\s+Stock\s+Low threshold\s+Status/);
});

test('reports: after one report online, the stock report is made offline too, as a PDF and a workbook (code and font cached on first use)', async ({ page, context }) => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  await adminSignIn(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 30_000 }).toBe(true);
  // The report code is not precached (shoppers would download it); one report online caches it.
  const cached = () => page.evaluate(async () => {
    for (const name of await caches.keys()) if (await (await caches.open(name)).match('/fonts/Roboto-Regular.ttf', { ignoreSearch: true })) return true;
    return false;
  });
  expect(await cached()).toBe(false);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Laporan' }).click();
  for (const testId of ['rep-stock-pdf', 'rep-stock-xlsx']) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    await dl.path();
  }
  await expect.poll(cached, { timeout: 30_000 }).toBe(true);
  await page.goto('/admin');
  await context.setOffline(true);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Laporan' }).click();
  for (const testId of ['rep-stock-pdf', 'rep-stock-xlsx']) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const path = `${mkdtempSync(`${tmpdir()}/rep-offline-`)}/${dl.suggestedFilename()}`;
    await dl.saveAs(path);
    if (testId.endsWith('pdf')) expect(execFileSync('pdftotext', ['-layout', path, '-']).toString()).toMatch(/Laporan stok[\s\S]*Produk\s+SKU\s+Gudang/);
  }
  await expect(page.getByRole('alert')).toHaveCount(0);
  await context.setOffline(false);
});
