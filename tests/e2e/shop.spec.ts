// The shopper's half, in a real Chromium against real nodes and services.
import type { Route } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { nodes, pickRegion, regionText, shot, signUp, now } from './helpers.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';

test('first visit: pick a region, browse, search, open a product', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Pilih lokasi pengiriman kamu' })).toBeVisible();
  await shot(page, 'region-picker');
  await page.getByTestId('region-BDG').click();
  await expect(page.getByTestId('region-line')).toContainText(`Anda belanja sebagai pelanggan ${regionText('BDG')}`);
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  await shot(page, 'catalog');
  // The choice is remembered.
  await page.reload();
  await expect(page.getByTestId('region-as')).toHaveText(`Anda belanja sebagai pelanggan ${regionText('BDG')}`);
  await page.getByTestId('search').fill('Beras');
  await expect(page.getByTestId('product-card').first()).toContainText('Beras');
  const badge = await page.getByTestId('stock-badge').first().innerText();
  expect(badge).toMatch(/Tersedia di Gudang BDG [AB] \(Stok: \d+\)|Tidak tersedia di lokasi kamu/);
  await page.getByTestId('product-card').first().locator('a').click();
  await expect(page.getByTestId('price')).toContainText('Rp');
  await expect(page.getByTestId('stock-line').first()).toContainText(/Dikirim dari: Gudang BDG [AB] · Stok tersedia: \d+ · Estimasi tiba: \d-\d hari|Tidak tersedia/);
  await shot(page, 'product');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('region-line')).toContainText(`You are shopping as a ${regionText('BDG')} customer`);
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  // Back to the list: the search is as it was left.
  await page.goBack();
  await expect(page.getByTestId('search')).toHaveValue('Beras');
  await expect(page.getByTestId('product-card').first()).toContainText('Beras');
  // The next page starts at its top.
  await page.getByTestId('search').fill('');
  await page.getByTestId('next-page').scrollIntoViewIfNeeded();
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  await page.getByTestId('next-page').click();
  await expect(page.getByTestId('catalog-page')).toHaveText(/^Halaman 2 /);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
});

test('first visit: a first page by name, with prices and stock, shows before the whole catalog', async ({ page }) => {
  // The snapshots of the stock and of the catalog are held back until the first page has been seen.
  const gate = () => {
    let open!: () => void;
    return { opened: new Promise<void>((r) => (open = r)), open: () => open() };
  };
  const gates = { catalog: gate(), inventory: gate() };
  await page.route(/\/db\/bdg\/(catalog|inventory)\/_all_docs\?include_docs=true$/, async (route) => {
    // The first page's stock lookup is a POST to the same address; the snapshot is the GET.
    if (route.request().method() === 'GET') await gates[route.request().url().includes('/inventory/') ? 'inventory' : 'catalog'].opened;
    await route.continue();
  });
  const release = async () => {
    // The stock first, whole on the device, then the catalog: the order in which a first visit over a
    // real network usually gets them (the stock is the smaller). Every product count the page shows is
    // recorded: the stock alone must not replace the first page with an empty catalog.
    await page.evaluate(() => {
      const seen: string[] = ((window as any).__counts = []);
      new MutationObserver(() => seen.push(document.querySelector('[data-testid=count]')?.textContent ?? '')).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const stock = page.waitForResponse((r) => /\/inventory\/_all_docs\?include_docs=true$/.test(r.url()) && r.request().method() === 'GET');
    gates.inventory.open();
    const rows = ((await (await stock).json()).rows as Array<{ id: string }>).filter((r) => !r.id.startsWith('_design/')).length;
    // Its documents on the device (PouchDB's IndexedDB store, looked at only once it exists: opening it
    // first would create it under PouchDB).
    const name = '_pouch_sebaran-BDG-inventory';
    await expect.poll(() => page.evaluate(async (name) => {
      if (!(await indexedDB.databases()).some((d) => d.name === name)) return -1;
      return new Promise<number>((resolve) => {
        const open = indexedDB.open(name);
        open.onerror = () => resolve(-1);
        open.onsuccess = () => {
          try {
            const count = open.result.transaction('document-store').objectStore('document-store').count();
            count.onsuccess = () => (open.result.close(), resolve(count.result));
            count.onerror = () => (open.result.close(), resolve(-1));
          } catch {
            open.result.close();
            resolve(-1);
          }
        };
      });
    }, name), { timeout: 30_000 }).toBeGreaterThanOrEqual(rows);
    gates.catalog.open();
  };
  await page.goto('/');
  await page.getByTestId('region-BDG').click();
  await expect(page.getByTestId('count')).toHaveText('Halaman pertama; memuat seluruh katalog…');
  await expect(page.getByTestId('product-card')).toHaveCount(24);
  await expect(page.getByTestId('product-card').first()).toContainText('Rp');
  await expect(page.getByTestId('stock-badge').first()).toContainText(/Tersedia di Gudang BDG [AB] \(Stok: \d+\)|Tidak tersedia/);
  // Filters and pages wait for the whole catalog: they would answer from 48 products.
  await expect(page.getByTestId('search')).toBeDisabled();
  await expect(page.getByTestId('next-page')).toHaveCount(0);
  const firstPage = await page.locator('[data-testid="product-card"] .name').allInnerTexts();
  await shot(page, 'catalog-first-page');
  await release();
  await expect(page.getByTestId('count')).toHaveText(/^[1-9][\d.]* produk$/);
  expect((await page.evaluate(() => (window as any).__counts as string[])).filter((c) => /^0 produk/.test(c))).toEqual([]);
  await expect(page.getByTestId('search')).toBeEnabled();
  // The whole catalog's first page is the one already shown: nothing jumps.
  expect(await page.locator('[data-testid="product-card"] .name').allInnerTexts()).toEqual(firstPage);
  await expect(page.getByTestId('next-page')).toBeVisible();
});

test('BDG and JKT show different stock for the same product', async ({ browser }) => {
  // A product both regions stock, found the way an admin would.
  const n = nodes();
  const inStock = async (code: string) =>
    new Set((await n.admin(code).allDocs('inventory')).map((r: any) => r.doc).filter((d: any) => d.type === 'warehouse_item' && d.quantity > 0).map((d: any) => d.product_id));
  const [b, j] = [await inStock('BDG'), await inStock('JKT')];
  const product = [...b].find((p) => j.has(p))!;
  const stockOf = async (code: string) => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await pickRegion(page, code);
    await page.goto(`/produk?sku=${product.slice('product:'.length)}`);
    // The stock arrives by its own pull: until then the page may rightly say "not available here".
    await expect(page.getByTestId('stock-line').first()).toContainText(`Gudang ${code}`);
    const text = (await page.getByTestId('stock-line').allInnerTexts()).join(' | ');
    if (code === 'BDG') await shot(page, 'product-bdg');
    await ctx.close();
    return text;
  };
  const bdg = await stockOf('BDG');
  const jkt = await stockOf('JKT');
  expect(bdg).toContain('Gudang BDG');
  expect(jkt).toContain('Gudang JKT');
  expect(bdg).not.toContain('Gudang JKT');
});

test('sign up, fill the cart, check out, and see a status change live', async ({ page }) => {
  await pickRegion(page, 'BDG');
  const name = `uji${Date.now().toString(36)}`;
  await signUp(page, name);
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').first().locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Keranjang/ }).click();
  await expect(page.getByTestId('cart-line')).toHaveCount(1);
  // Each line says which warehouse it ships from, by name, and shows the product's photo.
  await expect(page.getByTestId('cart-warehouse')).toHaveText(/^Dikirim dari Gudang BDG [AB]$/);
  await expect(page.getByTestId('cart-line').locator('img')).toBeVisible();
  await page.getByTestId('cart-qty').fill('2');
  await page.getByTestId('cart-qty').dispatchEvent('change');
  await expect(page.getByTestId('cart-total')).toContainText('Rp');
  // The total of the 2, not of the 1 still on screen a moment before.
  await expect(page.getByRole('navigation', { name: 'Menu' }).locator('.badge')).toHaveText('2');
  const cartTotal = (await page.getByTestId('cart-total').textContent())!;
  const warehouse = (await page.getByTestId('cart-warehouse').textContent())!.replace('Dikirim dari ', '');
  await shot(page, 'cart');
  await page.getByTestId('address').fill('Jl. Asia Afrika No. 8, Bandung');
  await page.getByTestId('checkout').click();
  await page.waitForURL('**/pesanan');
  await expect(page.getByTestId('order-status').first()).toHaveText('Dikonfirmasi');
  // The detail names each line's warehouse, the total and when it should arrive.
  await page.getByTestId('order-row').first().getByRole('button').click();
  await expect(page.getByTestId('order-line')).toContainText(`2 × `);
  await expect(page.getByTestId('order-line')).toContainText(`dari ${warehouse}`);
  await expect(page.getByTestId('order-total')).toHaveText(cartTotal);
  await expect(page.getByTestId('order-eta')).toHaveText(/^Estimasi tiba \d+-\d+ hari setelah dipesan$/);
  await shot(page, 'orders');
  // The regional admin moves the order on; the shopper's page follows without a reload.
  const n = nodes();
  const admin = n.regionAdmin('BDG');
  const orders = (await n.admin('BDG').allDocs('ops')).map((r: any) => r.doc).filter((d: any) => d.type === 'order' && d.user_name === name);
  expect(orders).toHaveLength(1);
  const id = ulid();
  await admin.ok('PUT', `/ops/${ids.request('BDG', id)}`, {
    _id: ids.request('BDG', id), type: 'admin_request', region_code: 'BDG', kind: 'order_status', order_id: orders[0]._id,
    status: 'processed', by: 'admin-bdg', at: now(),
  });
  await expect(page.getByTestId('order-status').first()).toHaveText('Diproses');
});

test('offline: reload, browse, add to cart and check out; confirmed when back online', async ({ page, context }) => {
  await pickRegion(page, 'BDG');
  await signUp(page, `luring${Date.now().toString(36)}`);
  // The service worker must control the page before the network goes.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  // The catalog shows before it is on the device; the page says when a reload can do without network.
  await expect(page.locator('[data-offline-ready="true"]')).toBeAttached();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  await expect(page.getByTestId('net-status')).toContainText('Offline');
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').nth(1).locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Keranjang/ }).click();
  await page.getByTestId('address').fill('Jl. Dago No. 3, Bandung');
  // Before ordering, the shopper is told what ordering offline means.
  await expect(page.getByTestId('checkout-offline-note')).toContainText('Kamu sedang offline');
  const cartTotal = (await page.getByTestId('cart-total').textContent())!.replace(/^[^:]*:\s*/, '');
  await page.getByTestId('checkout').click();
  await page.waitForURL('**/pesanan');
  await expect(page.getByTestId('order-status').first()).toHaveText('Menunggu koneksi');
  // Not priced by the region yet: the list says what it will cost at the prices the shopper saw.
  await expect(page.getByTestId('order-estimate')).toHaveText(`Perkiraan ${cartTotal}`);
  // The order number is known before the region has seen the order, and stays the same after.
  await page.getByTestId('order-row').first().getByRole('button').click();
  await expect(page.getByTestId('order-estimate-note')).toContainText('total pasti dihitung toko');
  const ref = await page.getByTestId('shopper-order-ref').textContent();
  expect(ref).toMatch(/^BDG-\d{6}-[0-9A-Z]{6}$/);
  await shot(page, 'orders-offline');
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(page.getByTestId('order-status').first()).toHaveText('Dikonfirmasi', { timeout: 45_000 });
  await expect(page.getByTestId('shopper-order-ref')).toHaveText(ref!);
  // Told as news too, the moment the region's answer arrives.
  await expect(page.getByTestId('toast').filter({ hasText: `Pesanan ${ref} sudah dikonfirmasi.` })).toBeVisible();
  // Confirmed: the region's own total, the estimate gone.
  await expect(page.getByTestId('order-row').first()).toContainText(cartTotal);
  await expect(page.getByTestId('order-estimate')).toHaveCount(0);
});

test('an answer that arrives after the connection dropped does not show the shop online', async ({ page, context }) => {
  await pickRegion(page, 'BDG');
  // Hold the stock feed's next long poll, so its answer can land after the network has gone.
  const held: Route[] = [];
  let asked = 0;
  await page.route(/\/inventory\/_changes\?.*feed=longpoll/, (route) => {
    asked++;
    held.push(route);
  });
  await expect.poll(() => held.length, { timeout: 40_000 }).toBeGreaterThan(0);
  await context.setOffline(true);
  await expect(page.getByTestId('net-status')).toContainText('Offline');
  const late = held.shift()!;
  const since = new URL(late.request().url()).searchParams.get('since');
  const before = asked;
  await late.fulfill({ contentType: 'application/json', body: JSON.stringify({ results: [], last_seq: since, pending: 0 }) });
  // The shop took the answer in: it asked for the next one only after.
  await expect.poll(() => asked).toBeGreaterThan(before);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
  await expect(page.getByTestId('net-status')).toContainText('Offline', { timeout: 1 });
  await context.setOffline(false);
  await page.unroute(/\/inventory\/_changes/);
  for (const r of held) await r.continue().catch(() => {});
});

test('the cart follows the shopper to a second device; an order the stock cannot cover is rejected with the reason', async ({ page, browser }) => {
  await pickRegion(page, 'BDG');
  const name = `dua${Date.now().toString(36)}`;
  await signUp(page, name);
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').nth(2).locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
  const productPage = page.url();
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Keranjang/ }).click();
  await expect(page.getByTestId('cart-line')).toHaveCount(1);
  const productName = (await page.getByTestId('cart-name').innerText()).trim();

  // Second device: same shopper, same cart.
  const other = await browser.newContext();
  const phone = await other.newPage();
  await pickRegion(phone, 'BDG');
  await phone.goto('/masuk');
  await phone.getByTestId('auth-name').fill(name);
  await phone.getByTestId('auth-password').fill('rahasia-123');
  await phone.getByTestId('auth-submit').click();
  await phone.waitForURL((u) => u.pathname === '/');
  await phone.goto('/keranjang');
  await expect(phone.getByTestId('cart-line')).toContainText(productName);
  await other.close();

  // Meanwhile the warehouse counts the item and finds none left.
  const n = nodes();
  const cart = (await n.admin('BDG').allDocs(userDbName(name))).map((r: any) => r.doc).find((d: any) => d.type === 'cart_item');
  const id = ulid();
  await n.regionAdmin('BDG').ok('PUT', `/ops/${ids.request('BDG', id)}`, {
    _id: ids.request('BDG', id), type: 'admin_request', region_code: 'BDG', kind: 'count', stock_id: cart.stock_id, counted: 0, by: 'admin-bdg', at: now(),
  });
  await expect.poll(async () => (await n.admin('BDG').getDoc('inventory', cart.stock_id)).quantity, { timeout: 20_000 }).toBe(0);
  await page.getByTestId('address').fill('Jl. Cihampelas No. 5, Bandung');
  await page.getByTestId('checkout').click();
  await page.waitForURL('**/pesanan');
  await expect(page.getByTestId('order-status').first()).toHaveText('Ditolak');
  await expect(page.getByTestId('toast').filter({ hasText: 'Pesanan ditolak. Alasannya ada di Pesanan saya.' })).toBeVisible();
  await page.getByTestId('order-status').first().click();
  await expect(page.getByTestId('rejection')).toContainText(`${productName}: Stok habis`);
  await shot(page, 'order-rejected');
  // Back into the cart: a sold-out line stays out, and the shopper is told.
  await page.getByTestId('back-to-cart').click();
  await page.waitForURL('**/keranjang');
  await expect(page.getByTestId('toast').filter({ hasText: '1 barang tidak dimasukkan: stoknya habis.' })).toBeVisible();
  await expect(page.getByTestId('cart-line')).toHaveCount(0);
  // Restocked, it goes back in.
  const again = ulid();
  await n.regionAdmin('BDG').ok('PUT', `/ops/${ids.request('BDG', again)}`, {
    _id: ids.request('BDG', again), type: 'admin_request', region_code: 'BDG', kind: 'count', stock_id: cart.stock_id, counted: 5, by: 'admin-bdg', at: now(),
  });
  // The device has the new stock once the product page shows it on the counted warehouse's line.
  const warehouse = await n.admin('BDG').getDoc('inventory', `warehouse:BDG:${cart.stock_id.split(':')[2]}`);
  await page.goto(productPage);
  await expect(page.getByTestId('stock-line').filter({ hasText: warehouse.name })).toContainText('Stok tersedia: 5', { timeout: 30_000 });
  await page.goto('/pesanan');
  await page.getByTestId('order-status').first().click();
  await page.getByTestId('back-to-cart').click();
  await page.waitForURL('**/keranjang');
  await expect(page.getByTestId('cart-line')).toHaveCount(1);
  await expect(page.getByTestId('cart-line')).toContainText(productName);
});

test('sign-up refusals are explained in the shopper\'s language, and a refused sign-up creates nothing', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await page.goto('/masuk');
  await page.getByTestId('auth-toggle').click();
  const fill = async (name: string, password: string) => {
    await page.getByTestId('auth-name').fill(name);
    await page.getByTestId('auth-password').fill(password);
    await page.getByTestId('auth-fullname').fill('Pembeli Uji');
    await page.getByTestId('auth-email').fill('uji@contoh.id');
    await page.getByTestId('auth-submit').click();
  };
  // A staff name is refused by the region, not by the form.
  await fill('admin-bdg', 'rahasia-123');
  await expect(page.getByRole('alert')).toHaveText('Nama pengguna sudah dipakai. Pilih yang lain.');
  await fill('Budi Besar', 'rahasia-123');
  await expect(page.getByRole('alert')).toContainText('Nama pengguna harus 3-40 karakter');
  await page.getByRole('button', { name: 'English' }).click();
  await fill('budi.pendek', 'pendek');
  await expect(page.getByRole('alert')).toHaveText('Passwords need at least 8 characters.');
  await fill('admin-bdg', 'rahasia-123');
  await expect(page.getByRole('alert')).toHaveText('That username is taken. Choose another.');
  await shot(page, 'signup-taken');
  // Even with its real password a staff account stays taken, and no staff session is left behind.
  await fill('admin-bdg', 'bdg-demo-123');
  await expect(page.getByRole('alert')).toHaveText('That username is taken. Choose another.');
  const who = await page.evaluate(async () => (await (await fetch('/db/bdg/_session', { credentials: 'include' })).json()).userCtx.name);
  expect(who).toBeNull();
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  const n = nodes();
  expect(await n.admin('BDG').getDoc('_users', 'org.couchdb.user:budi.pendek')).toBeNull();
  // The staff account is as it was: its owner still signs in.
  expect((await n.regionAdmin('BDG').request('GET', '/_session')).json.userCtx.name).toBe('admin-bdg');
});

test('a sign-up sent again with the same name and password (its answer was lost) signs the shopper in', async ({ page }) => {
  await pickRegion(page, 'BDG');
  const name = `ulang${Date.now().toString(36)}`;
  await signUp(page, name);
  await page.getByRole('button', { name: /^Keluar/ }).click();
  await expect(page.getByRole('button', { name: /^Keluar/ })).toHaveCount(0);
  await signUp(page, name);
  await expect(page.getByRole('button', { name: `Keluar (${name})` })).toBeVisible();
  // A different password for the same name is a different person: taken.
  await page.getByRole('button', { name: /^Keluar/ }).click();
  await page.goto('/masuk');
  await page.getByTestId('auth-toggle').click();
  await page.getByTestId('auth-name').fill(name);
  await page.getByTestId('auth-password').fill('bukan-sandinya-1');
  await page.getByTestId('auth-fullname').fill('Orang Lain');
  await page.getByTestId('auth-email').fill('lain@contoh.id');
  await page.getByTestId('auth-submit').click();
  await expect(page.getByRole('alert')).toHaveText('Nama pengguna sudah dipakai. Pilih yang lain.');
});

test('a new account with a deleted shopper\'s name starts empty, on the very device the old one used', async ({ page, baseURL }) => {
  await pickRegion(page, 'BDG');
  const name = `hapus${Date.now().toString(36)}`;
  await signUp(page, name);
  await page.getByTestId('only-available').check();
  await page.getByTestId('product-card').first().locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Keranjang/ }).click();
  await page.getByTestId('address').fill('Jl. Lama No. 1, Bandung');
  await page.getByTestId('checkout').click();
  await page.waitForURL('**/pesanan');
  await expect(page.getByTestId('order-status').first()).toHaveText('Dikonfirmasi');
  const n = nodes();
  const db = userDbName(name);
  // The shopper deletes their account through the app server (no UI yet), then signs out on this device.
  const del = await fetch(`${baseURL}/db/bdg/_accounts/${name}`, {
    method: 'DELETE', headers: { Authorization: 'Basic ' + Buffer.from(`${name}:rahasia-123`).toString('base64') },
  });
  expect(del.status).toBe(200);
  await page.getByRole('button', { name: /^Keluar/ }).click();
  // Someone else takes the name on the same device: the old replica still holds the old request.
  await signUp(page, name);
  await page.goto('/pesanan');
  await expect(page.getByText('Belum ada pesanan')).toBeVisible();
  await page.goto('/keranjang');
  await expect(page.getByTestId('cart-line')).toHaveCount(0);
  // Sync runs for the new account (a new line reaches the node) and nothing of the old one came with it.
  await page.goto('/');
  await page.getByTestId('product-card').first().locator('a').click();
  await page.getByTestId('add-to-cart').first().click();
  await expect.poll(async () => (await n.admin('BDG').allDocs(db)).filter((r: any) => r.id.startsWith('cart:')).length, { timeout: 30_000 }).toBe(1);
  const docs = (await n.admin('BDG').allDocs(db)).map((r: any) => r.id).filter((id: string) => !id.startsWith('_design/'));
  expect(docs.filter((id: string) => id.startsWith('checkout:') || id.startsWith('my-order:'))).toEqual([]);
});
