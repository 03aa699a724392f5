// A product created at central can be stocked by a regional admin in any of their warehouses,
// and then sold: the receipt names a warehouse item that did not exist, and the region service makes it.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { nodes, pickRegion, signUp, now, adminSignIn } from './helpers.ts';
import { ids, ulid } from '../../src/lib/model/index.ts';

async function newProduct(name: string) {
  const n = nodes();
  const central = n.centralAdmin();
  const category = (await central.allDocs('catalog')).map((r: any) => r.doc).find((d: any) => d?.type === 'category');
  const sku = `BARU-${Date.now().toString(36).toUpperCase()}`;
  await central.ok('PUT', `/catalog/${ids.product(sku)}`, {
    _id: ids.product(sku), type: 'product', sku, name, description: 'Dibuat di pusat untuk uji stok pertama.', category_id: category._id,
    price: 12_500, unit: 'pak', active: true, created_at: now(), updated_at: now(),
  });
  return sku;
}

test('a receipt of a product the warehouse never held makes its stock row (the service creates the warehouse item)', async () => {
  const n = nodes();
  const sku = await newProduct(`Produk Baru Layanan ${Date.now().toString(36)}`);
  const stockId = ids.stock('BDG', 'BDG-B', sku);
  // The product reaches the region first (central -> region replication).
  await expect.poll(async () => (await n.admin('BDG').getDoc('catalog', ids.product(sku)))?.sku, { timeout: 30_000 }).toBe(sku);
  const first = ids.ledger('BDG', `receive:${ulid()}`);
  await n.regionAdmin('BDG').ok('PUT', `/ops/${first}`, {
    _id: first, type: 'ledger', region_code: 'BDG', stock_id: stockId, delta: 4, reason: 'receive', by: 'admin-bdg', at: now(),
  });
  await expect.poll(async () => (await n.admin('BDG').getDoc('inventory', stockId))?.quantity, { timeout: 30_000 }).toBe(4);
  const item = await n.admin('BDG').getDoc('inventory', stockId);
  expect(item).toMatchObject({ type: 'warehouse_item', warehouse_id: 'warehouse:BDG:BDG-B', product_id: ids.product(sku), low_threshold: 10, ledger_count: 1 });
  // A receipt naming no warehouse of the region makes nothing.
  const bogus = ids.stock('BDG', 'NOPE', sku);
  const receiptId = ids.ledger('BDG', `receive:${ulid()}`);
  await n.regionAdmin('BDG').ok('PUT', `/ops/${receiptId}`, {
    _id: receiptId, type: 'ledger', region_code: 'BDG', stock_id: bogus, delta: 4, reason: 'receive', by: 'admin-bdg', at: now(),
  });
  // Proven by a later receipt landing while the bogus one never did.
  const later = ids.ledger('BDG', `receive:${ulid()}`);
  await n.regionAdmin('BDG').ok('PUT', `/ops/${later}`, {
    _id: later, type: 'ledger', region_code: 'BDG', stock_id: stockId, delta: 1, reason: 'receive', by: 'admin-bdg', at: now(),
  });
  await expect.poll(async () => (await n.admin('BDG').getDoc('inventory', stockId))?.quantity, { timeout: 30_000 }).toBe(5);
  expect(await n.admin('BDG').getDoc('inventory', bogus)).toBeNull();
});

test('a regional admin stocks a product new from central in a warehouse of their choice; a shopper then buys it', async ({ page, browser }) => {
  const name = `Sambal Baru Pusat ${Date.now().toString(36)}`;
  const sku = await newProduct(name);
  await adminSignIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Stok gudang' }).click();
  // Not in any stock row yet...
  await page.getByTestId('stock-search').fill(name);
  await expect(page.getByTestId('stock-row')).toHaveCount(0);
  // ...but found by name or SKU in the receipt form once the catalog reached the device.
  const form = page.getByTestId('first-stock');
  await form.getByTestId('first-stock-search').fill(sku.toLowerCase());
  await expect(form.getByTestId('first-stock-match')).toHaveText(`${name} · ${sku}`, { timeout: 30_000 });
  await form.getByTestId('first-stock-submit').click();
  await expect(form.getByRole('alert')).toHaveText('Pilih produk dari hasil pencarian.');
  await form.getByTestId('first-stock-match').click();
  await form.getByTestId('first-stock-submit').click();
  await expect(form.getByRole('alert')).toHaveText('Pilih gudang tujuan.');
  await form.getByTestId('first-stock-warehouse').selectOption('warehouse:BDG:BDG-A');
  await form.getByTestId('first-stock-qty').fill('7');
  await form.getByTestId('first-stock-submit').click();
  await expect(form.getByTestId('first-stock-sent')).toHaveText(`Tercatat: 7 × ${name} ke Gudang BDG A.`);
  await expect(page.getByTestId('stock-row')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByTestId('stock-row').getByTestId('stock-qty')).toHaveText('7');
  await expect(page.getByTestId('stock-row')).toContainText('Gudang BDG A');
  mkdirSync('/tmp/shopflows-shots', { recursive: true });
  await page.screenshot({ path: '/tmp/shopflows-shots/first-stock-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: '/tmp/shopflows-shots/first-stock-desktop.png', fullPage: true });

  const ctx = await browser.newContext();
  const shopper = await ctx.newPage();
  await pickRegion(shopper, 'BDG');
  await signUp(shopper, `baru${Date.now().toString(36)}`);
  await shopper.goto(`/produk?sku=${sku}`);
  await expect(shopper.getByTestId('stock-line')).toContainText('Dikirim dari: Gudang BDG A · Stok tersedia: 7');
  await shopper.getByTestId('add-to-cart').click();
  await expect(shopper.getByRole('status').filter({ hasText: 'Ditambahkan ke keranjang' })).toBeVisible();
  await shopper.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Keranjang/ }).click();
  await expect(shopper.getByTestId('cart-line')).toHaveCount(1);
  await shopper.getByTestId('address').fill('Jl. Braga No. 1, Bandung');
  await shopper.getByTestId('checkout').click();
  await shopper.waitForURL('**/pesanan');
  await expect(shopper.getByTestId('order-status').first()).toHaveText('Dikonfirmasi');
  await ctx.close();
});

test('central asks a region to restock a product it never stocked; the regional admin receives it from the request', async ({ page }) => {
  const name = `Teh Baru Pusat ${Date.now().toString(36)}`;
  const sku = await newProduct(name);
  await pickRegion(page, 'BDG');
  await page.goto('/pusat');
  await page.getByTestId('central-name').fill('pusat');
  await page.getByTestId('central-password').fill('pusat-demo-123');
  await page.getByTestId('central-submit').click();
  await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Stok', exact: true }).click();
  const ask = page.getByTestId('restock-any');
  await ask.getByTestId('restock-any-search').fill(name);
  await ask.getByTestId('restock-any-match').click();
  await ask.getByTestId('restock-any-region').selectOption('BDG');
  // Central may name the warehouse it has in mind; left as it is, the region chooses.
  await expect(ask.getByTestId('restock-any-warehouse')).toHaveValue('');
  await ask.getByTestId('restock-any-warehouse').selectOption('warehouse:BDG:BDG-B');
  await ask.getByTestId('restock-any-qty').fill('12');
  await ask.getByTestId('restock-any-send').click();
  await expect(ask.getByRole('status')).toHaveText(`Permintaan dikirim: 12 × ${name} untuk BDG.`);

  await page.goto('/admin');
  await page.getByTestId('admin-name').fill('admin-bdg');
  await page.getByTestId('admin-password').fill('bdg-demo-123');
  await page.getByTestId('admin-submit').click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Stok gudang' }).click();
  const request = page.getByTestId('restock-item').filter({ hasText: name });
  await expect(request).toContainText(`${name}: 12`, { timeout: 30_000 });
  await expect(request.getByTestId('restock-warehouse')).toHaveText('untuk Gudang BDG B');
  await request.getByTestId('restock-receive').click();
  const form = page.getByTestId('first-stock');
  await expect(form.getByTestId('first-stock-chosen')).toContainText(`${name} · ${sku}`);
  await expect(form.getByTestId('first-stock-warehouse')).toHaveValue('warehouse:BDG:BDG-B');
  await expect(form.getByTestId('first-stock-qty')).toHaveValue('12');
  // The admin may choose otherwise, and a stock change meanwhile (any sale) does not put the request's choice back.
  await form.getByTestId('first-stock-warehouse').selectOption('warehouse:BDG:BDG-A');
  const row = page.getByTestId('stock-row').first();
  const rowQty = row.getByTestId('stock-qty');
  const before = Number(await rowQty.innerText());
  const receipt = ids.ledger('BDG', `receive:${ulid()}`);
  await nodes().regionAdmin('BDG').ok('PUT', `/ops/${receipt}`, {
    _id: receipt, type: 'ledger', region_code: 'BDG', stock_id: await row.getAttribute('data-stock'), delta: 1, reason: 'receive', by: 'admin-bdg', at: now(),
  });
  await expect(rowQty).toHaveText(String(before + 1), { timeout: 30_000 });
  await expect(form.getByTestId('first-stock-warehouse')).toHaveValue('warehouse:BDG:BDG-A');
  await form.getByTestId('first-stock-warehouse').selectOption('warehouse:BDG:BDG-B');
  await form.getByTestId('first-stock-qty').fill('12');
  await form.getByTestId('first-stock-submit').click();
  await page.getByTestId('stock-search').fill(name);
  await expect(page.getByTestId('stock-row').getByTestId('stock-qty')).toHaveText('12', { timeout: 30_000 });
  await expect(page.getByTestId('stock-row')).toContainText('Gudang BDG B');
});
