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
  await expect(page.getByTestId('kpi-month')).not.toContainText(/^30 hari\s*0/);
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
