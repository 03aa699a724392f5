// Order dates are Jakarta days on both admin levels: an order placed at 01:30 WIB on 21 November
// (18:30 UTC on the 20th) is found by a filter for 21 November, not for the 20th, and listed at 01.30.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { nodes, pickRegion } from './helpers.ts';
import { ids, ulid, type Order } from '../../src/lib/model/index.ts';

const SHOPPER = `subuh${Date.now().toString(36)}`;
const CREATED = '2026-11-20T18:30:00.000Z'; // 01:30 WIB, 21 Nov 2026

async function writeEarlyOrder() {
  const n = nodes();
  // Shaped like a seeded order (the service's own), only earlier in the Jakarta day.
  const model = (await n.admin('BDG').allDocs('ops')).map((r: any) => r.doc).find((d: any) => d?.type === 'order') as Order;
  const requestId = ulid(Date.parse(CREATED));
  const order: Order = {
    ...model, _id: ids.order('BDG', SHOPPER, requestId), user_name: SHOPPER, request_id: requestId, status: 'placed',
    history: [{ status: 'placed', at: CREATED, by: SHOPPER }], created_at: CREATED, updated_at: CREATED,
  };
  delete (order as any)._rev;
  await n.admin('BDG').ok('PUT', `/ops/${encodeURIComponent(order._id)}`, order);
  return order;
}

async function filter(page: Page, day: string, submit: string) {
  await page.getByLabel('Dari').fill(day);
  await page.getByLabel('Sampai').fill(day);
  await page.getByTestId(submit).click();
}

test('an order from 00:00-06:59 WIB falls on its Jakarta day in the regional and the central order lists', async ({ page }) => {
  const order = await writeEarlyOrder();
  await pickRegion(page, 'BDG');
  await page.goto('/admin');
  await page.getByTestId('admin-name').fill('admin-bdg');
  await page.getByTestId('admin-password').fill('bdg-demo-123');
  await page.getByTestId('admin-submit').click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Pesanan' }).click();
  await page.getByTestId('orders-shopper').fill(SHOPPER);
  await filter(page, '2026-11-21', 'orders-filter');
  await expect(page.getByTestId('order-list-row')).toHaveCount(1);
  await expect(page.getByTestId('order-list-row')).toContainText('21 Nov 2026');
  await expect(page.getByTestId('order-list-row')).toContainText('01.30');
  // The UTC day it was written on is not its day in Jakarta; the first order of the next day proves the filter answers.
  await filter(page, '2026-11-20', 'orders-filter');
  await expect(page.getByTestId('order-list-row')).toHaveCount(0);

  // Central, once the order has replicated there.
  const n = nodes();
  await expect.poll(async () => !!(await n.admin('PUSAT').getDoc('ops', order._id)), { timeout: 30_000 }).toBe(true);
  await page.goto('/pusat');
  await page.getByTestId('central-name').fill('pusat');
  await page.getByTestId('central-password').fill('pusat-demo-123');
  await page.getByTestId('central-submit').click();
  await page.getByRole('navigation', { name: 'Pusat' }).getByRole('link', { name: 'Pesanan' }).click();
  await page.getByTestId('co-region').selectOption('BDG');
  await page.getByPlaceholder('Pembeli').fill(SHOPPER);
  await filter(page, '2026-11-21', 'co-apply');
  await expect(page.getByTestId('co-row')).toHaveCount(1);
  await expect(page.getByTestId('co-row')).toContainText('21 Nov 2026');
  await expect(page.getByTestId('co-row')).toContainText('Dikonfirmasi');
  await filter(page, '2026-11-20', 'co-apply');
  await expect(page.getByTestId('co-row')).toHaveCount(0);
});
