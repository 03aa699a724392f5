// Central admin in a real Chromium: the cross-region overview, and a product
// made at central (with a photo resized in the browser) reaching a BDG shopper.
import { test, expect, type Page } from '@playwright/test';
import { pickRegion, shot } from './helpers.ts';
import { png } from '../../server/ops/png.ts';

async function centralSignIn(page: Page) {
  await page.goto('/pusat');
  await page.getByTestId('central-name').fill('pusat');
  await page.getByTestId('central-password').fill('pusat-demo-123');
  await page.getByTestId('central-submit').click();
  await expect(page.getByRole('heading', { name: 'Ringkasan semua region' })).toBeVisible();
}

test('overview across regions: revenue per region and a drawn chart', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  await expect(page.getByTestId('central-region')).toHaveCount(3);
  await expect(page.getByTestId('central-top').locator('tbody tr').first()).toBeVisible();
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
  await expect(page.getByRole('status')).toContainText('Tersimpan: Kopi Tubruk Uji Pusat');
  await shot(page, 'central-catalog');
  // The shopper's already-open catalog shows it without a reload.
  await shopper.getByTestId('search').fill('Tubruk Uji Pusat');
  await expect(shopper.getByTestId('product-card')).toHaveCount(1, { timeout: 30_000 });
  await expect(shopper.getByTestId('product-card')).toContainText(/Rp\s27\.500/);
  await expect(shopper.getByTestId('stock-badge')).toHaveText('Tidak tersedia di region kamu');
  // The photo travelled as an attachment, resized in the browser.
  const img = shopper.getByTestId('product-card').locator('img');
  await expect(img).toBeVisible();
  const w = await img.evaluate((i: HTMLImageElement) => i.naturalWidth);
  expect(w).toBe(320);
  await shopperCtx.close();
});
