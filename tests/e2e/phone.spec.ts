// The shop on a 360 px phone: a short header with every entry on screen, nothing wider than the screen,
// and a region picker that fits and can be closed (Escape, its close button, the dim area around it).
// Screenshots of each state, in both languages, land in test-results/screens/phone/ to be looked at.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { adminSignIn, regionText, signUp } from './helpers.ts';

const PHONE = { width: 360, height: 740 };
const DIR = 'test-results/screens/phone';
/** The reviewer measured about 135 px before; two short rows are about 70. */
const MAX_HEADER = 80;

test.use({ viewport: PHONE });

async function snap(page: Page, name: string) {
  mkdirSync(DIR, { recursive: true });
  await page.screenshot({ path: `${DIR}/${name}.png` });
}

/** Nothing scrolls sideways: the page is no wider than the phone. */
async function fitsWidth(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
}

async function headerHeight(page: Page) {
  const box = await page.locator('header').boundingBox();
  expect(box).not.toBeNull();
  test.info().annotations.push({ type: 'header height', description: `${Math.round(box!.height)} px` });
  expect(box!.height).toBeLessThan(MAX_HEADER);
}

const dialog = (page: Page) => page.getByRole('dialog');
const changeButton = (page: Page, locale: 'id' | 'en') => page.getByRole('button', { name: locale === 'id' ? 'Ganti lokasi' : 'Change location' });

/** The dialog lies wholly inside the screen's width, and so do its buttons. */
async function dialogFits(page: Page) {
  await expect(dialog(page)).toBeVisible();
  await fitsWidth(page);
  for (const b of await dialog(page).getByRole('button').all()) {
    const box = (await b.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  }
}

/** The picker opens from the header and closes three ways, each time handing focus back to the chip. */
async function pickerCloses(page: Page, locale: 'id' | 'en', shotName: string) {
  const chip = changeButton(page, locale);
  await chip.click();
  await dialogFits(page);
  await expect(page.getByText(locale === 'id' ? /^Harga, stok, dan estimasi pengiriman/ : /^Prices, stock and delivery estimates/)).toBeVisible();
  await snap(page, shotName);
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
  await expect(chip).toBeFocused();
  // After a key, the focus ring shows on the chip.
  await expect(chip).toHaveCSS('outline-style', 'solid');
  await snap(page, `${shotName}-closed-focus`);

  await chip.click();
  await page.getByRole('button', { name: locale === 'id' ? 'Tutup' : 'Close' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(chip).toBeFocused();

  // A click inside the dialog keeps it; one on the dim area around it closes it.
  await chip.click();
  await dialog(page).getByRole('heading').click();
  await expect(dialog(page)).toBeVisible();
  await page.getByTestId('region-backdrop').click({ position: { x: 6, y: 6 } });
  await expect(dialog(page)).toHaveCount(0);
}

/** Each header entry is on screen as a whole, with no click first. */
async function headerReachable(page: Page, locale: 'id' | 'en', signedIn: string | null) {
  const menu = page.getByRole('navigation', { name: 'Menu' });
  const en = locale === 'en';
  const entries = [
    page.getByRole('link', { name: 'Sebaran' }),
    changeButton(page, locale),
    menu.getByRole('link', { name: en ? 'Catalog' : 'Katalog' }),
    menu.getByRole('link', { name: en ? 'My orders' : 'Pesanan saya' }),
    menu.getByRole('link', { name: en ? /^Cart/ : /^Keranjang/ }),
    signedIn ? menu.getByRole('button', { name: `${en ? 'Sign out' : 'Keluar'} (${signedIn})` }) : menu.getByRole('link', { name: en ? 'Sign in' : 'Masuk' }),
    page.locator('header').getByRole('link', { name: 'Admin' }),
    page.getByRole('button', { name: en ? 'Bahasa Indonesia' : 'English' }),
  ];
  for (const e of entries) await expect(e).toBeInViewport({ ratio: 1 });
}

test('a guest on a phone: short header, region picker fits and closes, offline shows, both languages', async ({ page, context }) => {
  await page.goto('/');
  // First visit: a region is needed, so the picker cannot be closed yet.
  await dialogFits(page);
  await expect(page.getByTestId('region-close')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toBeVisible();
  await snap(page, 'picker-first-id');
  await page.getByTestId('region-BDG').click();
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  await expect(page.getByTestId('region-line')).toContainText(`Anda belanja sebagai pelanggan ${regionText('BDG')}`);

  await headerHeight(page);
  await fitsWidth(page);
  await headerReachable(page, 'id', null);
  await snap(page, 'catalog-id');
  await pickerCloses(page, 'id', 'picker-id');

  // Offline is said in a word beside the chip, not by a colour alone, and the header still fits.
  await context.setOffline(true);
  await page.evaluate(() => window.dispatchEvent(new Event('offline')));
  await expect(page.getByTestId('net-status')).toContainText('Offline');
  await expect(page.getByTestId('net-status').getByText('Offline', { exact: true })).toBeVisible();
  await headerHeight(page);
  await fitsWidth(page);
  await snap(page, 'offline-id');
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(page.getByTestId('net-status')).toContainText('Tersambung');

  // The language switch is on screen; English gets the same checks.
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('region-line')).toContainText(`You are shopping as a ${regionText('BDG')} customer`);
  await headerHeight(page);
  await fitsWidth(page);
  await headerReachable(page, 'en', null);
  await snap(page, 'catalog-en');
  await pickerCloses(page, 'en', 'picker-en');

  // The other pages keep the same header.
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Cart/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await headerHeight(page);
  await fitsWidth(page);
  await snap(page, 'cart-en');
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await expect(page.getByTestId('region-line')).toContainText('Anda belanja sebagai');

  // A desktop look too, to compare.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  await expect(page.getByText(`Anda belanja sebagai pelanggan ${regionText('BDG')}`, { exact: true })).toBeVisible();
  await snap(page, 'desktop-catalog-id');
});

test('a signed-in shopper on a phone: name, cart count and the region question all fit', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('region-BDG').click();
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  const name = `telepon${Date.now().toString(36)}`;
  await signUp(page, name);
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').first().locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
  const menu = page.getByRole('navigation', { name: 'Menu' });
  await expect(menu.locator('.badge')).toHaveText('1');
  await expect(menu.locator('.badge')).toBeInViewport({ ratio: 1 });

  for (const locale of ['id', 'en'] as const) {
    await page.goto('/');
    await expect(page.getByTestId('product-card').first()).toBeVisible();
    await expect(page.getByTestId('signout')).toHaveText(`${locale === 'id' ? 'Keluar' : 'Sign out'} (${name})`);
    await headerHeight(page);
    await fitsWidth(page);
    await headerReachable(page, locale, name);
    await snap(page, `signed-in-${locale}`);
    // A smaller phone: the header still fits (a long name is cut short under "Keluar"). Only the header is
    // measured here; the catalog's own pager is wider than 320 px.
    await page.setViewportSize({ width: 320, height: 640 });
    const widest = await page.evaluate(() => Math.max(...[...document.querySelectorAll('header *')].map((e) => e.getBoundingClientRect().right)));
    expect(widest).toBeLessThanOrEqual(320);
    await snap(page, `signed-in-320-${locale}`);
    await page.setViewportSize(PHONE);

    // The picker says whose account this is and where it shops; the question before leaving fits too.
    await changeButton(page, locale).click();
    await expect(page.getByTestId('region-account')).toBeVisible();
    await dialogFits(page);
    await snap(page, `picker-account-${locale}`);
    await page.getByTestId('region-JKT').click();
    await expect(page.getByTestId('region-confirm')).toBeVisible();
    await expect(page.getByTestId('region-browse-only')).toBeFocused();
    await dialogFits(page);
    await snap(page, `picker-confirm-${locale}`);
    await page.keyboard.press('Escape');
    await expect(dialog(page)).toHaveCount(0);
    await expect(page.getByTestId('region-as')).toHaveText(locale === 'id' ? `Anda belanja sebagai pelanggan ${regionText('BDG')}` : `You are shopping as a ${regionText('BDG')} customer`);
    if (locale === 'id') await page.getByRole('button', { name: 'English' }).click();
    else await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  }

  // The desktop header, signed in with a count, for comparison: menu and tools wrap together if they must.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByTestId('signout')).toBeVisible();
  await snap(page, 'desktop-signed-in-id');
});

test('an admin table on a phone says that more columns are to the side, until scrolled there; a desktop shows them all', async ({ page }) => {
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pesanan', exact: true }).click();
  await expect(page.getByTestId('order-list-row').first()).toBeVisible();
  const more = page.getByTestId('table-more');
  await expect(more).toHaveText('Geser tabel ke samping untuk kolom lainnya →');
  await page.getByRole('region', { name: 'Pesanan', exact: true }).evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await expect(more).toHaveCount(0);
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByTestId('order-list-row').first()).toBeVisible();
  await expect(more).toHaveCount(0);
});
