import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { Couch } from '../../server/couch-client.ts';
import { adminOf, loadSecrets, loadTopology, DEMO } from '../../server/config.ts';
import { regionLabel } from '../../src/lib/i18n/format.ts';

export function nodes() {
  const t = loadTopology();
  const s = loadSecrets(t);
  const url = (code: string) => t.regions.find((r) => r.code === code)!.url;
  return {
    topology: t,
    regionAdmin: (code: string) => new Couch(url(code), DEMO.regionAdmin(code)),
    centralAdmin: () => new Couch(t.central.url, DEMO.centralAdmin),
    admin: (code: string) => new Couch(code === t.central.code ? t.central.url : url(code), adminOf(s, t, code)),
  };
}

/** A region as the app names it in a sentence: "Bandung (BDG)", or "BDG" where its name is its code (the test clusters'). */
export function regionText(code: string) {
  return regionLabel(loadTopology().regions.find((r) => r.code === code)?.name, code);
}

export async function shot(page: Page, name: string) {
  mkdirSync('test-results/screens', { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

export async function pickRegion(page: Page, code: string) {
  await page.goto('/');
  await page.getByTestId(`region-${code}`).click();
  await expect(page.getByTestId('product-card').first()).toBeVisible();
  // A first page may show before the whole catalog (sync/first-page.ts): wait for the whole.
  await expect(page.getByTestId('search')).toBeEnabled();
}

export async function signUp(page: Page, name: string) {
  await page.goto('/masuk');
  await page.getByTestId('auth-toggle').click();
  await page.getByTestId('auth-name').fill(name);
  await page.getByTestId('auth-password').fill('rahasia-123');
  await page.getByTestId('auth-fullname').fill('Pembeli Uji');
  await page.getByTestId('auth-email').fill(`${name}@contoh.id`);
  await page.getByTestId('auth-submit').click();
  await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
}

export const now = () => new Date().toISOString();

/** Signs the central admin in at /pusat (the demo account). */
export async function centralSignIn(page: Page) {
  await page.goto('/pusat');
  await page.getByTestId('central-name').fill(DEMO.centralAdmin.name);
  await page.getByTestId('central-password').fill(DEMO.centralAdmin.password);
  await page.getByTestId('central-submit').click();
  await expect(page.getByRole('navigation', { name: 'Pusat' })).toBeVisible();
}

/** Picks the region and signs its demo admin in at /admin. */
export async function adminSignIn(page: Page, region = 'BDG') {
  await pickRegion(page, region);
  await page.goto('/admin');
  await page.getByTestId('admin-name').fill(DEMO.regionAdmin(region).name);
  await page.getByTestId('admin-password').fill(DEMO.regionAdmin(region).password);
  await page.getByTestId('admin-submit').click();
  await expect(page.getByRole('navigation', { name: 'Admin' })).toBeVisible();
}
