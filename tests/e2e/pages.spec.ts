// Every page, as a shopper, a regional admin and the central admin see it, in both languages:
// axe finds no serious or critical accessibility violation, and a screenshot of each page at desktop
// and phone sizes lands in test-results/screens/pages/ to be looked at.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { adminSignIn, centralSignIn, nodes, pickRegion } from './helpers.ts';
import { DEMO } from '../../server/config.ts';
import { engineName } from '../../server/cluster.ts';

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } } as const;
type Locale = 'id' | 'en';
// A page's layout and accessibility do not depend on the engine behind it: the embedded pass tours every
// page in both languages at both sizes; the CouchDB pass (the same data through the other engine) visits
// each page once, in Indonesian on a phone, with the same checks.
const TOUR: { locales: Locale[]; sizes: Array<keyof typeof SIZES> } =
  engineName() === 'couchdb' ? { locales: ['id'], sizes: ['phone'] } : { locales: ['id', 'en'], sizes: ['desktop', 'phone'] };

/** A page is ready when this shows; then axe and the screenshots. */
interface Visit {
  name: string;
  path: string;
  ready: (page: Page) => Promise<void>;
}

async function setLocale(page: Page, locale: Locale) {
  await page.evaluate((l) => localStorage.setItem('sebaran.locale', l), locale);
}

/** Serious and critical violations, each as "rule: first target", for a readable failure. */
async function violations(page: Page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
}

async function visitAll(page: Page, who: string, visits: Visit[]) {
  mkdirSync('test-results/screens/pages', { recursive: true });
  const found: string[] = [];
  for (const locale of TOUR.locales) {
    await setLocale(page, locale);
    for (const v of visits) {
      for (const size of TOUR.sizes) {
        const viewport = SIZES[size];
        await page.setViewportSize(viewport);
        await page.goto(v.path);
        await v.ready(page);
        await page.screenshot({ path: `test-results/screens/pages/${who}-${v.name}-${locale}-${size}.png`, fullPage: true });
        // Nothing makes the page wider than the screen (a wide table scrolls in its own box).
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        if (wide > viewport.width) found.push(`${v.path} (${locale}, ${size}) is ${wide} px wide on a ${viewport.width} px screen`);
        // Both sizes: the phone layout is a different page to a screen reader (the admin bar, wrapped tables).
        // English once, on the phone: what a language changes (the page's lang, the words in names and
        // labels) is the same at both sizes, and axe is two thirds of a tour's time.
        if (locale === 'id' || size === 'phone') for (const x of await violations(page)) found.push(`${v.path} (${locale}, ${size}) ${x}`);
      }
    }
  }
  await setLocale(page, 'id');
  expect(found).toEqual([]);
}

const visible = (testid: string) => async (page: Page) => {
  await expect(page.getByTestId(testid).first()).toBeVisible({ timeout: 30_000 });
};

test('shop pages: catalog, product, cart, orders, sign-in', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await page.goto('/masuk');
  await page.getByTestId('auth-name').fill('pembeli.bdg');
  await page.getByTestId('auth-password').fill(DEMO.shopperPassword);
  await page.getByTestId('auth-submit').click();
  await page.waitForURL((u) => u.pathname === '/');
  const sku = (await nodes().admin('BDG').allDocs('catalog', `startkey=${encodeURIComponent('"product:"')}&endkey=${encodeURIComponent('"product:\uffff"')}&limit=1`))[0].id.replace(/^product:/, '');
  await visitAll(page, 'shop', [
    { name: 'catalog', path: '/', ready: visible('product-card') },
    { name: 'product', path: `/produk?sku=${sku}`, ready: async (p) => void (await expect(p.getByRole('heading', { level: 1 })).toBeVisible()) },
    { name: 'cart', path: '/keranjang', ready: async (p) => void (await expect(p.getByRole('heading', { level: 1 })).toBeVisible()) },
    { name: 'orders', path: '/pesanan', ready: visible('order-row') },
  ]);
});

test('regional admin pages: overview, stock, orders, an order, users, a shopper, reports', async ({ page }) => {
  await adminSignIn(page, 'BDG');
  const order = (await nodes().regionAdmin('BDG').ok('GET', `/ops/_design/sebaran/_view/orders_by_created?reduce=false&limit=1&descending=true&startkey=${encodeURIComponent('["BDG",{}]')}&endkey=${encodeURIComponent('["BDG"]')}`)).rows[0].id;
  await visitAll(page, 'admin', [
    { name: 'overview', path: '/admin', ready: visible('top-products') },
    { name: 'stock', path: '/admin/stok', ready: visible('stock-row') },
    { name: 'orders', path: '/admin/pesanan', ready: visible('order-list-row') },
    { name: 'order', path: `/admin/pesanan/${encodeURIComponent(order)}`, ready: visible('order-timeline') },
    { name: 'users', path: '/admin/pengguna', ready: visible('user-row') },
    { name: 'shopper', path: '/admin/pengguna/pembeli.bdg', ready: visible('user-order') },
    { name: 'reports', path: '/admin/laporan', ready: async (p) => void (await expect(p.getByRole('heading', { level: 1 })).toBeVisible()) },
  ]);
});

test('central admin pages: overview, catalog, categories, a product, stock, orders, an order, users, sync health', async ({ page }) => {
  await pickRegion(page, 'BDG');
  await centralSignIn(page);
  const sku = (await nodes().centralAdmin().allDocs('catalog', `startkey=${encodeURIComponent('"product:"')}&endkey=${encodeURIComponent('"product:\uffff"')}&limit=1`))[0].id.replace(/^product:/, '');
  const order = (await nodes().centralAdmin().ok('GET', `/ops/_design/sebaran/_view/orders_by_created?reduce=false&limit=1&descending=true&startkey=${encodeURIComponent('["SBY",{}]')}&endkey=${encodeURIComponent('["SBY"]')}`)).rows[0].id;
  await visitAll(page, 'central', [
    { name: 'overview', path: '/pusat', ready: visible('central-top') },
    { name: 'catalog', path: '/pusat/katalog', ready: visible('catalog-row') },
    { name: 'categories', path: '/pusat/kategori', ready: visible('category-row') },
    { name: 'product', path: `/pusat/katalog/${sku}`, ready: visible('product-stock') },
    { name: 'stock', path: '/pusat/stok', ready: visible('cs-row') },
    { name: 'orders', path: '/pusat/pesanan', ready: visible('co-row') },
    { name: 'order', path: `/pusat/pesanan/${encodeURIComponent(order)}`, ready: visible('order-timeline') },
    { name: 'users', path: '/pusat/pengguna', ready: visible('cu-counts') },
    { name: 'sync', path: '/pusat/sinkron', ready: visible('health-state') },
  ]);
});
