// What a person reads when something fails, or a stored value is shown, is a message of the
// catalogue in the language they chose: never a schema's complaint, a node's reason or an enum.
import { test, expect } from './fixtures.ts';
import type { Locator, Page } from '@playwright/test';
import { nodes, pickRegion, centralSignIn } from './helpers.ts';
import { messages, type Locale } from '../../src/lib/i18n/messages.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const catalogue = (locale: Locale) => Object.values(messages[locale]).map((m) => new RegExp(`^${escape(m).replace(/\\\{\w+\\\}/g, '.+')}$`, 's'));

async function expectCatalogued(where: Locator, locale: Locale) {
  const texts = (await where.allInnerTexts()).map((t) => t.trim());
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) expect(catalogue(locale).some((r) => r.test(text)), `"${text}" is a ${locale} message`).toBe(true);
}

test('catalogue errors at central (a bad SKU, an edit that conflicts) are messages in id and en', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Katalog' }).click();
  await page.getByTestId('new-product').click();
  await page.getByTestId('p-sku').fill('kopi luwak!');
  await page.getByTestId('p-name').fill('Kopi Luwak Uji');
  await page.getByTestId('p-save').click();
  const alert = page.getByRole('alert');
  await expect(alert).toHaveText('Isian SKU belum benar. Periksa lalu coba lagi.');
  // Beside the field it is about, which is marked invalid.
  await expect(page.getByTestId('field-error')).toHaveText('Isian SKU belum benar. Periksa lalu coba lagi.');
  await expect(page.getByTestId('p-sku')).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByTestId('p-save').click();
  await expect(alert).toHaveText('The SKU is not right yet. Check it and try again.');
  await page.getByRole('button', { name: 'Cancel' }).click();
  // A new product with a SKU in use: said as that, beside the SKU, not as an edit made elsewhere.
  const taken = (await page.getByTestId('catalog-row').first().getAttribute('data-product'))!.replace(/^product:/, '');
  await page.getByTestId('new-product').click();
  await page.getByTestId('p-sku').fill(taken);
  await page.getByTestId('p-name').fill('Produk Kembar');
  await page.getByTestId('p-save').click();
  await expect(page.getByTestId('field-error')).toHaveText(messages.en['central.skuTaken'].replace('{sku}', taken));
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Someone else saves the product while it is open here: the save is a conflict, said in words.
  const row = page.getByTestId('catalog-row').first();
  const sku = (await row.getAttribute('data-product'))!.replace(/^product:/, '');
  await row.getByRole('button', { name: 'Edit' }).click();
  const central = nodes().centralAdmin();
  const current = await central.getDoc('catalog', `product:${sku}`);
  await central.ok('PUT', `/catalog/product:${sku}`, { ...current, updated_at: new Date().toISOString() });
  await page.getByTestId('p-save').click();
  await expect(alert).toHaveText('This was just changed somewhere else. Reload the page, then make your change again.');
  await expectCatalogued(alert, 'en');
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await page.getByTestId('p-save').click();
  await expect(alert).toContainText('Data ini baru saja diubah di tempat lain');
  await expectCatalogued(alert, 'id');
});

test('statuses in the central and regional tables are words of the chosen language, "out" is not "Low"', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  const nav = page.getByRole('navigation', { name: /^(Pusat|Central)$/ }); // its name follows the language
  for (const locale of ['id', 'en'] as const) {
    if (locale === 'en') await page.getByRole('button', { name: 'English' }).click();
    await nav.getByRole('link', { name: locale === 'id' ? 'Pesanan' : 'Orders', exact: true }).click();
    await page.getByTestId('co-apply').click();
    await expect(page.getByTestId('co-row').first()).toBeVisible();
    await expectCatalogued(page.getByTestId('co-row').locator('td:nth-child(6)'), locale);
    await nav.getByRole('link', { name: locale === 'id' ? 'Stok' : 'Stock', exact: true }).click();
    await expect(page.getByTestId('cs-row').first()).toBeVisible();
    // Low and empty rows only: the list is paged, and an out-of-stock row may be on any page. The
    // filter is a view range at central: wait for its answer.
    const everything = await page.getByTestId('cs-pager-range').innerText();
    await page.getByTestId('cs-low').check();
    await expect(page.getByTestId('cs-pager-range')).not.toHaveText(everything);
    await expect(page.getByTestId('cs-row').first()).toBeVisible();
    const statuses = await page.getByTestId('cs-row').evaluateAll((rows) => rows.map((r) => [r.querySelector('[data-testid=cs-qty]')!.textContent!.trim(), r.querySelector('[data-testid=cs-status]')!.textContent!.trim()]));
    const out = locale === 'id' ? 'Habis' : 'Out of stock';
    expect(statuses.filter(([qty]) => qty === '0').length).toBeGreaterThan(0);
    for (const [qty, status] of statuses) {
      if (qty === '0') expect(status).toBe(out);
      else expect(catalogue(locale).some((r) => r.test(status)), status).toBe(true);
    }
    await nav.getByRole('link', { name: locale === 'id' ? 'Sinkronisasi' : 'Sync health', exact: true }).click();
    await expect(page.getByTestId('health-state').first()).toBeVisible({ timeout: 30_000 });
    await expectCatalogued(page.getByTestId('health-state'), locale);
  }
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();

  // The regional admin's tables, in both languages.
  await page.goto('/admin');
  await page.getByTestId('admin-name').fill('admin-bdg');
  await page.getByTestId('admin-password').fill('bdg-demo-123');
  await page.getByTestId('admin-submit').click();
  const adminNav = page.getByRole('navigation', { name: 'Admin' });
  for (const locale of ['id', 'en'] as const) {
    if (locale === 'en') await page.getByRole('button', { name: 'English' }).click();
    await adminNav.getByRole('link', { name: locale === 'id' ? 'Pesanan' : 'Orders', exact: true }).click();
    await expect(page.getByTestId('order-list-row').first()).toBeVisible();
    await expectCatalogued(page.getByTestId('order-list-row').locator('td:nth-child(5)'), locale);
    await adminNav.getByRole('link', { name: locale === 'id' ? 'Stok gudang' : 'Warehouse stock', exact: true }).click();
    await expect(page.getByTestId('stock-row').first()).toBeVisible();
    await page.getByTestId('stock-low').check();
    const rows = await page.getByTestId('stock-row').evaluateAll((rs) => rs.map((r) => [r.querySelector('[data-testid=stock-qty]')!.firstChild!.textContent!.trim(), r.querySelector('[data-testid=stock-status]')!.firstChild!.textContent!.trim()]));
    expect(rows.some(([qty]) => qty === '0')).toBe(true);
    for (const [qty, status] of rows) if (qty === '0') expect(status).toBe(locale === 'id' ? 'Habis' : 'Out of stock');
  }
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
});

test('a page that cannot be shown says why in the chosen language: an unknown address, and a page whose code is not on the device while offline', async ({ browser }) => {
  // No service worker: the device holds only what it has fetched, as on a first visit before the app is cached.
  const ctx = await browser.newContext({ serviceWorkers: 'block' });
  const page = await ctx.newPage();
  await page.goto('/tidak-ada-halaman-ini');
  await expect(page.getByTestId('page-error')).toHaveText(messages.id['page.notFound']);
  await expect(page.getByTestId('page-error-home')).toHaveAttribute('href', '/');
  // In the admin areas the way back is to their own start.
  await page.goto('/admin/tidak-ada');
  await expect(page.getByTestId('page-error-home')).toHaveAttribute('href', '/admin');
  await page.goto('/pusat/tidak-ada');
  await expect(page.getByTestId('page-error-home')).toHaveText(messages.id['page.centralHome']);
  await page.goto('/tidak-ada-halaman-ini');
  await pickRegion(page, 'BDG');
  // The page it goes to must not have been loaded yet: show that it could have failed first.
  await ctx.setOffline(true);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Pesanan saya' }).click();
  const error = page.getByTestId('page-error');
  await expect(error).toHaveText(messages.id['page.offline']);
  // No "try again" that would reload into the browser's own offline page: it waits for the network.
  await expect(page.getByRole('button', { name: messages.id['page.retry'] })).toHaveCount(0);
  await expect(page.getByTestId('page-error-waiting')).toHaveText(messages.id['page.retryWhenOnline']);
  await expectCatalogued(page.locator('main').locator('p, button, a, [role="status"]'), 'id');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(error).toHaveText(messages.en['page.offline']);
  await expectCatalogued(page.locator('main').locator('p, button, a, [role="status"]'), 'en');
  // Back online, the page loads by itself.
  await ctx.setOffline(false);
  await expect(page.getByRole('heading', { name: messages.en['orders.title'] })).toBeVisible();
  await ctx.close();
});

test("the browser's own complaints about a field (an empty one, a bad e-mail) are in the chosen language, and only for that report", async ({ page }) => {
  await pickRegion(page, 'BDG');
  await page.goto('/masuk');
  // What the bubble shows: the field's message as the browser reports it (our listener runs first).
  await page.evaluate(() => {
    (window as any).__reported = [];
    document.addEventListener('invalid', (e) => (window as any).__reported.push((e.target as HTMLInputElement).validationMessage), true);
  });
  const reported = async () => {
    await expect.poll(() => page.evaluate(() => (window as any).__reported.length)).toBeGreaterThan(0);
    return page.evaluate(() => (window as any).__reported.splice(0) as string[]);
  };
  await page.getByTestId('auth-submit').click();
  expect((await reported())[0]).toBe(messages.id['form.required']);
  // Sign-up's e-mail, then English.
  await page.getByTestId('auth-toggle').click();
  await page.getByTestId('auth-name').fill('uji.surel');
  await page.getByTestId('auth-password').fill('rahasia-123');
  await page.getByTestId('auth-fullname').fill('Uji Surel');
  await page.getByTestId('auth-email').fill('bukan-email');
  await page.getByTestId('auth-submit').click();
  expect((await reported())[0]).toBe(messages.id['form.email']);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByTestId('auth-submit').click();
  expect((await reported())[0]).toBe(messages.en['form.email']);
  // Only for that report: a corrected field submits (the sign-up then goes ahead and lands on the shop).
  await page.getByTestId('auth-email').fill('uji.surel@contoh.id');
  await page.getByTestId('auth-submit').click();
  await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
  expect(await page.evaluate(() => (window as any).__reported?.length ?? 0)).toBe(0);
});
