// Whose shop is it: a shopper's account belongs to one region, staff are not shoppers,
// a cart quantity is a number or a message, and "my orders" holds every order of the shopper.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { adminSignIn, nodes, pickRegion, regionText, signUp } from './helpers.ts';
import { DEMO } from '../../server/config.ts';

const SHOTS = '/tmp/shopflows-shots';
async function look(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}-phone.png`, fullPage: true });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${SHOTS}/${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(size);
}

async function signIn(page: Page, name: string, password: string) {
  await page.goto('/masuk');
  await page.getByTestId('auth-name').fill(name);
  await page.getByTestId('auth-password').fill(password);
  await page.getByTestId('auth-submit').click();
}

async function addFirstAvailable(page: Page) {
  await page.goto('/');
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').first().locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
}

const menu = (page: Page) => page.getByRole('navigation', { name: 'Menu' });

test('"my orders" lists every order the region holds for a demo shopper, seeded history included', async ({ page }) => {
  const n = nodes();
  const theirs = (await n.admin('BDG').allDocs('ops')).map((r: any) => r.doc).filter((d: any) => d.type === 'order' && d.user_name === 'pembeli.bdg');
  expect(theirs.length).toBeGreaterThan(0); // the demo data gives them a history
  await pickRegion(page, 'BDG');
  await signIn(page, 'pembeli.bdg', DEMO.shopperPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await menu(page).getByRole('link', { name: 'Pesanan saya' }).click();
  await expect(page.getByTestId('order-row')).toHaveCount(theirs.length);
  // Each shows its status in words, never the stored value.
  const labels = new Set(await page.getByTestId('order-status').allInnerTexts());
  for (const l of labels) expect(['Dikonfirmasi', 'Diproses', 'Dikirim', 'Diterima', 'Dibatalkan']).toContain(l);
  await look(page, 'orders-seeded');
});

test('switching region while signed in says the account stays home, and no checkout happens elsewhere', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await signIn(page, 'pembeli.bdg', DEMO.shopperPassword);
  await expect(page.getByRole('button', { name: 'Keluar (pembeli.bdg)' })).toBeVisible();
  await addFirstAvailable(page);
  await expect(menu(page).getByRole('link', { name: /^Keranjang/ })).toContainText(/Keranjang\s*\d/);
  const badge = await menu(page).locator('.badge').innerText();

  await page.getByRole('button', { name: 'Ganti lokasi' }).click();
  await expect(page.getByTestId('region-account')).toHaveText(`Kamu masuk sebagai pembeli.bdg, akun lokasi ${regionText('BDG')}.`);
  await page.getByTestId('region-JKT').click();
  await expect(page.getByTestId('region-confirm')).toContainText(`Akun, keranjang dan pesanan kamu tetap di ${regionText('BDG')} dan`);
  await look(page, 'region-confirm');
  await page.getByTestId('region-browse-only').click();

  // In Jakarta: a guest with no cart, told where the account is.
  await expect(page.getByTestId('region-line')).toContainText(regionText('JKT'));
  await expect(page.getByRole('button', { name: /^Keluar/ })).toHaveCount(0);
  await expect(menu(page).getByRole('link', { name: 'Masuk' })).toBeVisible();
  await expect(menu(page).locator('.badge')).toHaveCount(0);
  await expect(page.getByTestId('elsewhere-notice')).toContainText(`Akun pembeli.bdg terdaftar di ${regionText('BDG')}.`);
  await expect(page.getByTestId('region-as')).toHaveText(`Anda melihat-lihat katalog ${regionText('JKT')}`);
  await look(page, 'region-elsewhere');
  await menu(page).getByRole('link', { name: /^Keranjang/ }).click();
  await expect(page.getByRole('link', { name: 'Masuk untuk belanja' })).toBeVisible();
  await expect(page.getByTestId('checkout')).toHaveCount(0);

  // Back home, the account and its cart are as they were.
  await page.getByTestId('back-to-region').click();
  await expect(page.getByTestId('region-line')).toContainText(regionText('BDG'));
  await expect(page.getByTestId('region-as')).toHaveText(`Anda belanja sebagai pelanggan ${regionText('BDG')}`);
  await expect(page.getByRole('button', { name: 'Keluar (pembeli.bdg)' })).toBeVisible();
  await expect(menu(page).locator('.badge')).toHaveText(badge);
  await expect(page.getByTestId('cart-line')).toHaveCount(1);

  // Or sign out first: then nothing of BDG follows into Jakarta.
  await page.getByRole('button', { name: 'Ganti lokasi' }).click();
  await page.getByTestId('region-JKT').click();
  await page.getByTestId('region-signout-switch').click();
  await expect(page.getByTestId('region-line')).toContainText(regionText('JKT'));
  await expect(page.getByRole('button', { name: /^Keluar/ })).toHaveCount(0);
  await expect(page.getByTestId('elsewhere-notice')).toHaveCount(0);
  const who = await page.evaluate(async () => (await (await fetch('/db/bdg/_session', { credentials: 'include' })).json()).userCtx.name);
  expect(who).toBeNull();
});

test('a regional admin signed in on the shop gets a message and a link, not a cart or a shopper database', async ({ page }) => {
  const userDbCalls: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/userdb-')) userDbCalls.push(r.url());
  });
  await pickRegion(page, 'BDG');
  await signIn(page, 'admin-bdg', 'bdg-demo-123');
  await expect(page.getByTestId('staff-notice')).toContainText('Kamu masuk sebagai staf (admin-bdg)');
  await look(page, 'staff-notice');
  await page.goto('/');
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').first().locator('a').click();
  await expect(page.getByTestId('stock-line').first()).toBeVisible();
  await expect(page.getByTestId('add-to-cart')).toHaveCount(0);
  await menu(page).getByRole('link', { name: /^Keranjang/ }).click();
  await expect(page.getByTestId('cart-staff')).toHaveText(/Akun staf tidak bisa belanja/);
  await expect(page.getByTestId('checkout')).toHaveCount(0);
  // After a reload the node's session says staff again; the link leads to the admin pages, signed in.
  await page.reload();
  await expect(page.getByTestId('staff-notice')).toBeVisible();
  await page.getByTestId('staff-admin-link').click();
  await expect(page.getByRole('navigation', { name: 'Admin' })).toBeVisible();
  expect(userDbCalls).toEqual([]);
});

test('an admin who signed in on the admin pages is not taken for a shopper by the shop', async ({ page }) => {
  const userDbCalls: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/userdb-')) userDbCalls.push(r.url());
  });
  await pickRegion(page, 'BDG');
  await page.goto('/admin');
  await page.getByTestId('admin-name').fill('admin-bdg');
  await page.getByTestId('admin-password').fill('bdg-demo-123');
  await page.getByTestId('admin-submit').click();
  await expect(page.getByRole('navigation', { name: 'Admin' })).toBeVisible();
  await page.goto('/');
  await expect(page.getByTestId('staff-notice')).toBeVisible();
  await expect(page.getByTestId('signout')).toHaveText('Keluar (admin-bdg)');
  await page.goto('/keranjang');
  await expect(page.getByTestId('cart-staff')).toBeVisible();
  expect(userDbCalls).toEqual([]);
});

test('a cart quantity of -5, 0, 1.5 or nothing is a message beside the line and changes nothing; Hapus removes', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await signUp(page, `qty${Date.now().toString(36)}`);
  await addFirstAvailable(page);
  await menu(page).getByRole('link', { name: /^Keranjang/ }).click();
  await expect(page.getByTestId('cart-line')).toHaveCount(1);
  const qty = page.getByTestId('cart-qty');
  await qty.fill('2');
  await qty.dispatchEvent('change');
  await expect(menu(page).locator('.badge')).toHaveText('2');
  const total = await page.getByTestId('cart-total').innerText();
  for (const typed of ['-5', '0', '', '1.5']) {
    await qty.fill(typed);
    await qty.dispatchEvent('change');
    await expect(page.getByTestId('cart-qty-error')).toBeVisible();
    await expect(page.getByTestId('cart-line')).toHaveCount(1);
    await expect(menu(page).locator('.badge')).toHaveText('2');
    await expect(page.getByTestId('cart-total')).toHaveText(total);
  }
  await qty.fill('0');
  await qty.dispatchEvent('change');
  await expect(page.getByTestId('cart-qty-error')).toHaveText('Jumlah minimal 1. Untuk menghapus barang, pakai tombol Hapus.');
  await look(page, 'cart-qty-error');
  await page.getByRole('button', { name: 'English' }).click();
  await qty.fill('-5');
  await qty.dispatchEvent('change');
  await expect(page.getByTestId('cart-qty-error')).toHaveText('The quantity is at least 1. To take an item out, use Remove.');
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  // Ordering now would order the saved 2, not the -5 on screen: the shop says to fix it first, and orders nothing.
  await page.getByTestId('address').fill('Jl. Uji Jumlah 1, Bandung');
  await page.getByTestId('checkout').click();
  await expect(page.getByRole('alert').filter({ hasText: 'Perbaiki dulu jumlah' })).toBeVisible();
  await expect(page).toHaveURL(/\/keranjang$/);
  // The line is still in the shopper's database after a reload, with its last good quantity.
  await page.reload();
  await expect(page.getByTestId('cart-qty')).toHaveValue('2');
  await qty.fill('1');
  await qty.dispatchEvent('change');
  await expect(page.getByTestId('cart-qty-error')).toHaveCount(0);
  await expect(menu(page).locator('.badge')).toHaveText('1');
  await page.getByTestId('cart-remove').click();
  await expect(page.getByTestId('cart-line')).toHaveCount(0);
  await expect(page.getByText('Keranjang kamu masih kosong.')).toBeVisible();
});

test('a shopper whose session the node no longer knows is told so on every page, with a way to sign in again; signing in clears it', async ({ page, context }) => {
  await pickRegion(page, 'BDG');
  await signIn(page, 'pembeli.bdg', DEMO.shopperPassword);
  // On the catalog (the sign-in page itself never shows the notice), signed in.
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.getByTestId('signout')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('signout')).toBeVisible();
  await expect(page.getByTestId('signin-again-notice')).toHaveCount(0);
  // The node forgets the session (here: the cookie is gone, as after its expiry); the device still knows the shopper.
  await context.clearCookies();
  await page.reload();
  await expect(page).toHaveURL(/\/$/);
  const notice = page.getByTestId('signin-again-notice');
  await expect(notice).toContainText('pembeli.bdg');
  await page.goto('/pesanan');
  await expect(notice).toBeVisible();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(notice).toContainText("pembeli.bdg's session on this device has ended");
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await notice.getByRole('link').click();
  await page.getByTestId('auth-name').fill('pembeli.bdg');
  await page.getByTestId('auth-password').fill(DEMO.shopperPassword);
  await page.getByTestId('auth-submit').click();
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.getByTestId('signin-again-notice')).toHaveCount(0);
});

test('category names follow the chosen language in the shop', async ({ page }) => {
  await pickRegion(page, 'BDG');
  const options = page.getByTestId('category').locator('option');
  await expect(options.filter({ hasText: 'Sembako' })).toHaveCount(1);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(options.filter({ hasText: 'Staples' })).toHaveCount(1);
  await expect(options.filter({ hasText: 'Sembako' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
});

test('"sign in to buy" on a product brings the shopper back to that product, not the catalog', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').first().locator('a').click();
  await page.waitForURL((u) => u.pathname.startsWith('/produk'));
  const product = new URL(page.url());
  await page.getByTestId('add-to-cart').first().click();
  await page.waitForURL((u) => u.pathname === '/masuk');
  await page.getByTestId('auth-name').fill('pembeli.bdg');
  await page.getByTestId('auth-password').fill(DEMO.shopperPassword);
  await page.getByTestId('auth-submit').click();
  await page.waitForURL((u) => u.pathname === product.pathname && u.search === product.search);
  // An address of another site is never followed.
  await page.goto('/masuk?ke=%2F%2Fcontoh.invalid%2F');
  await page.getByTestId('auth-name').fill('pembeli.bdg');
  await page.getByTestId('auth-password').fill(DEMO.shopperPassword);
  await page.getByTestId('auth-submit').click();
  await page.waitForURL((u) => u.pathname === '/' && u.host === product.host);
});

/** Whom the region node's session cookie belongs to now, asked from the page (null: nobody). */
const nodeSessionName = (page: Page) => page.evaluate(async () => (await (await fetch('/db/bdg/_session', { credentials: 'include' })).json()).userCtx?.name ?? null);

test('signing out offline holds: not signed in again after a reload, offline or online, and the node ends the session when it is back', async ({ page, context }) => {
  await pickRegion(page, 'BDG');
  await signIn(page, 'pembeli.bdg', DEMO.shopperPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // A reload keeps a shopper signed in: what the sign-out below must undo.
  await page.reload();
  await expect(page.getByTestId('signout')).toBeVisible();
  expect(await nodeSessionName(page)).toBe('pembeli.bdg');
  await context.setOffline(true);
  await page.getByTestId('signout').click();
  await expect(page.getByTestId('signout')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  await expect(page.getByTestId('signout')).toHaveCount(0);
  await context.setOffline(false);
  await page.reload();
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  await expect(page.getByTestId('signout')).toHaveCount(0);
  await expect.poll(() => nodeSessionName(page)).toBeNull();
  // Signing in again works as ever.
  await signIn(page, 'pembeli.bdg', DEMO.shopperPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await page.reload();
  await expect(page.getByTestId('signout')).toBeVisible();
});

test("a regional admin's sign-out ends the session at the node: a reload shows the sign-in form", async ({ page }) => {
  await adminSignIn(page, 'BDG');
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Admin' })).toBeVisible();
  await page.getByTestId('shell-signout').click();
  await expect(page.getByTestId('admin-name')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('admin-name')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Admin' })).toHaveCount(0);
  expect(await nodeSessionName(page)).toBeNull();
});

test("a sign-out holds when the tab is closed before the node answered it", async ({ page, context }) => {
  await adminSignIn(page, 'BDG');
  await expect(page.getByRole('navigation', { name: 'Admin' })).toBeVisible();
  expect(await nodeSessionName(page)).toBe('admin-bdg');
  // The node never hears this tab's sign-out: its request is held, and the tab is closed at once
  // after "Keluar", before any answer.
  let deletes = 0;
  await page.route('**/_session', (route) => {
    if (route.request().method() !== 'DELETE') return route.fallback();
    deletes++; // neither continued nor answered
  });
  await page.getByTestId('shell-signout').click();
  await expect.poll(() => deletes).toBe(1);
  expect(await nodeSessionName(page)).toBe('admin-bdg'); // the node still holds the session
  await page.close();
  // The next tab on this device finds the admin signed out, and the node's session ended.
  const next = await context.newPage();
  await next.goto('/admin');
  await expect(next.getByTestId('admin-name')).toBeVisible();
  await expect(next.getByRole('navigation', { name: 'Admin' })).toHaveCount(0);
  await expect.poll(() => nodeSessionName(next)).toBeNull();
});

test("adding a line whose whole stock is already in the cart says so instead of \"added\", and the cart stays", async ({ page }) => {
  await pickRegion(page, 'BDG');
  await signUp(page, `semua${Date.now().toString(36)}`);
  await addFirstAvailable(page);
  const product = page.url();
  const stock = Number(/Stok tersedia: (\d+)/.exec((await page.getByTestId('stock-line').first().innerText()))![1]);
  await menu(page).getByRole('link', { name: /^Keranjang/ }).click();
  const qty = page.getByTestId('cart-qty');
  await qty.fill(String(stock));
  await qty.dispatchEvent('change');
  await expect(menu(page).locator('.badge')).toHaveText(String(stock));
  await page.goto(product);
  // One more unit than there is: the shop says the cart holds it all, and "added" is not said.
  await page.getByTestId('add-to-cart').first().click();
  await expect(page.getByTestId('all-in-cart')).toHaveText(`Stok gudang ini hanya ${stock}, dan semuanya sudah ada di keranjang. · Keranjang`);
  await expect(page.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toHaveCount(0);
  await expect(menu(page).locator('.badge')).toHaveText(String(stock));
});

test('sign-in takes the name as a phone keyboard types it (a capital first letter); a refusal names the location rule and does not follow to the sign-up form', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await signIn(page, 'pembeli.bdg', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText(/^Nama pengguna atau kata sandi salah\. Akun belanja terdaftar di satu lokasi/);
  await page.getByTestId('auth-toggle').click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByTestId('auth-toggle').click();
  await expect(page.getByTestId('auth-name')).toHaveAttribute('autocapitalize', 'none');
  await page.getByTestId('auth-name').fill('Pembeli.BDG');
  await page.getByTestId('auth-password').fill(DEMO.shopperPassword);
  await page.getByTestId('auth-submit').click();
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.getByTestId('signout')).toContainText('pembeli.bdg');
  await page.goto('/masuk');
  await expect(page.getByTestId('already-signed-in')).toHaveText('Kamu sudah masuk sebagai pembeli.bdg. ← Kembali ke katalog');
});

test("the shop's Keluar, with a regional admin signed in, signs the admin out too (one cookie): the admin pages ask again", async ({ page }) => {
  await adminSignIn(page, 'BDG');
  await page.goto('/');
  await expect(page.getByTestId('signout')).toContainText('admin-bdg');
  await page.getByTestId('signout').click();
  await expect(page.getByTestId('signout')).toHaveCount(0);
  // Within the app (no reload: what the page still holds in memory must not sign the admin in either).
  await page.evaluate(() => {
    const a = Object.assign(document.createElement('a'), { href: '/admin' });
    document.body.append(a);
    a.click();
  });
  await page.waitForURL('**/admin');
  await expect(page.getByTestId('admin-name')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('admin-name')).toBeVisible();
  expect(await nodeSessionName(page)).toBeNull();
});
