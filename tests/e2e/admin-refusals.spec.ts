// A request the region service refuses is never dropped silently: the admin
// who made it sees why, in their language.
import { test, expect } from './fixtures.ts';
import type { Browser, Page } from '@playwright/test';
import { pickRegion, signUp } from './helpers.ts';

/** A shopper's order, placed through the shop. */
async function placeOrder(page: Page) {
  await pickRegion(page, 'BDG');
  const name = `tolak${Date.now().toString(36)}`;
  await signUp(page, name);
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').first().locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Keranjang/ }).click();
  await page.getByTestId('address').fill('Jl. Riau No. 2, Bandung');
  await page.getByTestId('checkout').click();
  await expect(page.getByTestId('order-status').first()).toHaveText('Dikonfirmasi');
  return name;
}

async function openOrderOf(page: Page, shopper: string) {
  await pickRegion(page, 'BDG');
  await page.goto('/admin');
  await page.getByTestId('admin-name').fill('admin-bdg');
  await page.getByTestId('admin-password').fill('bdg-demo-123');
  await page.getByTestId('admin-submit').click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pesanan' }).click();
  await page.getByTestId('orders-shopper').fill(shopper);
  await page.getByTestId('orders-filter').click();
  await page.getByTestId('order-list-row').first().getByRole('link').click();
  await expect(page.getByTestId('detail-status')).toHaveText('Dikonfirmasi');
  return page.getByTestId('order-ref').textContent();
}

/** A new order, open on two admin devices at once. */
async function oneOrderOnTwoDevices(browser: Browser) {
  const shopper = await placeOrder(await (await browser.newContext()).newPage());
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();
  const order = await openOrderOf(first, shopper);
  expect(await openOrderOf(second, shopper)).toBe(order);
  return { first, second, order };
}

test('a status change the service refuses (the order was canceled on another device) is explained, translated', async ({ browser }) => {
  const { first, second, order } = await oneOrderOnTwoDevices(browser);
  await first.getByTestId('move-canceled').click();
  // A cancel asks first: "Tidak" changes nothing, "Ya, batalkan" cancels.
  await expect(first.getByTestId('confirm-cancel')).toContainText(`Batalkan pesanan ${order}?`);
  await first.getByTestId('confirm-no').click();
  await expect(first.getByTestId('confirm-cancel')).toHaveCount(0);
  await expect(first.getByTestId('detail-status')).toHaveText('Dikonfirmasi');
  await first.getByTestId('move-canceled').click();
  await first.getByTestId('confirm-yes').click();
  await expect(first.getByTestId('detail-status')).toHaveText('Dibatalkan');
  // The second device still shows the order as placed and asks for a move the order can no longer make.
  await second.getByTestId('move-processed').click();
  await expect(second.getByRole('alert')).toHaveText('Pesanan berstatus Dibatalkan tidak bisa diubah menjadi Diproses');
  // Said on its own page once, not again in the banner above it.
  await expect(second.getByTestId('request-refusal')).toHaveCount(0);
});

test('a refusal that arrives after the admin left the order waits in the banner on every page until dismissed', async ({ browser }) => {
  const { first, second, order } = await oneOrderOnTwoDevices(browser);
  await first.getByTestId('move-processed').click();
  await expect(first.getByTestId('detail-status')).toHaveText('Diproses');
  // The second device asks for the same move and goes back to the list before the answer comes.
  await second.getByTestId('move-processed').click();
  await second.getByRole('link', { name: '← Semua pesanan' }).click();
  const refusal = second.getByTestId('request-refusal');
  await expect(refusal).toContainText(`${order}: Pesanan sudah berstatus Diproses: sudah diubah lebih dulu`, { timeout: 30_000 });
  await second.reload();
  await expect(refusal).toHaveCount(1);
  await refusal.getByTestId('refusal-dismiss').click();
  await expect(refusal).toHaveCount(0);
  await second.reload();
  await expect(second.getByRole('navigation', { name: 'Admin' })).toBeVisible();
  await expect(refusal).toHaveCount(0);
});
