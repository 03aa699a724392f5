// Regional admin mode in a real Chromium: figures, stock, orders, offline receipts.
import { test, expect, type Page } from '@playwright/test';
import { pickRegion, shot, signUp } from './helpers.ts';

async function adminSignIn(page: Page) {
  await pickRegion(page, 'BDG');
  await page.goto('/admin');
  await page.getByTestId('admin-name').fill('admin-bdg');
  await page.getByTestId('admin-password').fill('bdg-demo-123');
  await page.getByTestId('admin-submit').click();
  await expect(page.getByRole('heading', { name: /Ringkasan/ })).toBeVisible();
}

test('overview: figures from the views and a drawn chart', async ({ page }) => {
  await adminSignIn(page);
  await expect(page.getByTestId('top-products').locator('tbody tr').first()).toBeVisible();
  // This calendar month's order count equals the sum of the view's rows for the month (Jakarta days).
  const monthCount = await page.evaluate(async () => {
    const month = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);
    const q = `group=true&startkey=${encodeURIComponent(JSON.stringify(['BDG', month]))}&endkey=${encodeURIComponent(JSON.stringify(['BDG', month + '-99']))}`;
    const res = await fetch(`${location.origin}/db/bdg/ops/_design/sebaran/_view/orders_by_day?${q}`, { credentials: 'include' });
    return ((await res.json()).rows as Array<{ value: { count: number } }>).reduce((n, r) => n + r.value.count, 0);
  });
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
  await page.getByTestId('order-list-row').first().getByRole('button').click();
  await expect(page.getByTestId('detail-status')).toHaveText('Dikonfirmasi');
  await expect(page.getByTestId('move-shipped')).toHaveCount(0); // the state machine offers only valid moves
  await page.getByTestId('move-processed').click();
  await expect(page.getByTestId('detail-status')).toHaveText('Diproses');
  await shot(page, 'admin-order');
  await expect(shopper.getByTestId('order-status').first()).toHaveText('Diproses');
  await shopperCtx.close();
});

test('users: the region\'s shoppers, each with their order history', async ({ page }) => {
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pengguna' }).click();
  await page.getByTestId('users-search').fill('pembeli.bdg');
  await expect(page.getByTestId('user-row')).toHaveCount(1);
  await page.getByTestId('user-row').getByRole('button').click();
  await expect(page.getByTestId('user-history').locator('li').first()).toBeVisible();
});

test('reports: stock and sales as a real Excel workbook and a PDF', async ({ page }) => {
  const { default: ExcelJS } = await import('exceljs');
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readdirSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Laporan' }).click();
  await page.getByTestId('rep-from').fill('2020-01-01');
  const save = async (testId: string) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const path = `${mkdtempSync(`${tmpdir()}/rep-`)}/${dl.suggestedFilename()}`;
    await dl.saveAs(path);
    return path;
  };
  // Excel: open it with a library and check the cells.
  const sales = await save('rep-sales-xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(sales);
  const ws = wb.worksheets[0];
  expect(String(ws.getCell('A1').value)).toContain('Laporan penjualan');
  expect(ws.getRow(3).values).toEqual([undefined, 'Produk', 'Terjual', 'Pendapatan']);
  expect(typeof ws.getCell('B4').value).toBe('number');
  expect(typeof ws.getCell('C4').value).toBe('number');
  expect(ws.getCell('C4').numFmt).toContain('Rp');
  const last = ws.getRow(ws.rowCount);
  expect(String(last.getCell(1).value)).toMatch(/^Total \(\d+ pesanan\)$/);
  const stock = await save('rep-stock-xlsx');
  const wb2 = new ExcelJS.Workbook();
  await wb2.xlsx.readFile(stock);
  expect(wb2.worksheets[0].getRow(3).values).toEqual([undefined, 'Produk', 'Gudang', 'Stok', 'Batas menipis', 'Status']);
  expect(typeof wb2.worksheets[0].getCell('C4').value).toBe('number');
  // PDF: render with pdftoppm and check the page is not blank.
  for (const id of ['rep-sales-pdf', 'rep-stock-pdf']) {
    const file = await save(id);
    const out = mkdtempSync(`${tmpdir()}/pdfpng-`);
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, `${out}/page`]);
    const pngs = readdirSync(out);
    expect(pngs.length).toBe(1);
    expect(statSync(`${out}/${pngs[0]}`).size).toBeGreaterThan(3000);
    const text = execFileSync('pdftotext', [file, '-']).toString();
    expect(text).toContain(id.includes('sales') ? 'Laporan penjualan' : 'Laporan stok');
    expect(text).toContain('BDG');
    expect(text).toMatch(/Total:/);
  }
});
