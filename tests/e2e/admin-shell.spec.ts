// The admin pages have a frame of their own at both levels: their navigation (not the shop's
// header), the node being administered and who is signed in, the way to the other admin level and
// back to the shop; a sidebar on a desktop, one compact bar on a phone. Screenshots of both, in
// both languages.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { adminSignIn, centralSignIn, nodes, pickRegion, shot } from './helpers.ts';

const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } } as const;

async function frameIsOwn(page: Page, nav: string, current: string) {
  await expect(page.getByRole('navigation', { name: 'Menu' })).toHaveCount(0); // the shop's header
  await expect(page.locator(`nav[aria-label="${nav}"] a[aria-current="page"]`)).toHaveText(current);
}

for (const [size, viewport] of Object.entries(sizes)) {
  test(`regional admin frame (${size}): node, admin, its own navigation, a link to central`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await adminSignIn(page, 'BDG');
    const name = nodes().topology.regions.find((r) => r.code === 'BDG')!.name;
    await expect(page.getByTestId('shell-node')).toHaveText(name === 'BDG' ? 'Lokasi: BDG' : `Lokasi: ${name} (BDG)`);
    await expect(page.getByTestId('shell-user')).toHaveText('Masuk sebagai admin-bdg');
    await frameIsOwn(page, 'Admin', 'Ringkasan');
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pesanan' }).click();
    await frameIsOwn(page, 'Admin', 'Pesanan');
    await expect(page.getByTestId('order-list-row').first()).toBeVisible();
    await shot(page, `admin-shell-${size}-id`);
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByTestId('shell-user')).toHaveText('Signed in as admin-bdg');
    await expect(page.getByTestId('shell-other')).toHaveText('Central admin →');
    await shot(page, `admin-shell-${size}-en`);
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await page.getByTestId('shell-other').click();
    await expect(page).toHaveURL(/\/pusat$/);
    await expect(page.getByTestId('central-name')).toBeVisible();
  });

  test(`central admin frame (${size}): central node, its own navigation, a link to the region admin`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await pickRegion(page, 'BDG');
    await centralSignIn(page);
    await expect(page.getByTestId('shell-node')).toHaveText('Lokasi: Pusat');
    await expect(page.getByTestId('shell-user')).toHaveText('Masuk sebagai pusat');
    await frameIsOwn(page, 'Pusat', 'Ringkasan');
    await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Katalog' }).click();
    await frameIsOwn(page, 'Pusat', 'Katalog');
    await shot(page, `central-shell-${size}-id`);
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByTestId('shell-area')).toHaveText('Central admin');
    await expect(page.getByRole('navigation', { name: 'Central' })).toBeVisible(); // its name is a word of the language too
    await shot(page, `central-shell-${size}-en`);
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await expect(page.getByTestId('shell-other')).toHaveAttribute('href', '/admin');
  });
}
