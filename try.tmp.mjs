import { chromium } from '@playwright/test';
const B = 'http://127.0.0.1:5170';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const shot = async (p, n) => { await p.screenshot({ path: `/tmp/shots/${n}.png` }); };
const errs = (p, tag) => { p.on('requestfailed', (r) => console.log(tag, 'failed', r.url(), r.failure()?.errorText)); p.on('response', (r) => r.status() >= 400 && console.log(tag, r.status(), r.url())); p.on('pageerror', (e) => console.log(tag, 'pageerror', e.message)); };
try {
  const ctx = await b.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const p = await ctx.newPage(); errs(p, 'phone');
  await p.goto(B + '/');
  await p.getByTestId('region-BDG').click();
  await p.getByTestId('product-card').first().waitFor();
  await shot(p, '02-phone-catalog');
  await p.goto(B + '/masuk');
  await shot(p, '03-phone-login');
  await p.locator('input').first().fill('pembeli.bdg');
  await p.locator('input[type=password]').fill('belanja-123');
  await p.getByTestId('auth-submit').click();
  await p.waitForURL((u) => u.pathname === '/', { timeout: 30000 });
  await p.getByTestId('only-available').check();
  await p.getByTestId('product-card').first().locator('a').click();
  await p.getByTestId('add-to-cart').first().click();
  await shot(p, '04-phone-product');
  const t0 = Date.now();
  await p.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 60000 });
  console.log('sw controlling after', Date.now() - t0, 'ms');
  console.log('caches', await p.evaluate(async () => Promise.all((await caches.keys()).map(async (k) => [k, (await (await caches.open(k)).keys()).length]))));
  await p.goto(B + '/keranjang').catch(() => {});
  await p.waitForTimeout(1000);
  await shot(p, '05-phone-cart');
  // Offline checkout
  await ctx.setOffline(true);
  await p.getByTestId('address').fill('Jl. Dago 12, Bandung');
  await p.getByTestId('checkout').click();
  await p.waitForTimeout(2000);
  await shot(p, '06-phone-offline-checkout');
  await ctx.setOffline(false);
  await p.getByTestId('order-status').first().filter({ hasText: 'Dikonfirmasi' }).waitFor({ timeout: 30000 }).catch((e) => console.log('not confirmed', e.message));
  await shot(p, '07-phone-confirmed');
  // bad input: empty address
  await ctx.close();

  const c = await b.newContext({ viewport: { width: 1366, height: 800 } });
  const q = await c.newPage(); errs(q, 'central');
  await q.goto(B + '/pusat');
  await q.getByTestId('central-name').fill('pusat');
  await q.getByTestId('central-password').fill('wrong');
  await q.getByTestId('central-submit').click();
  await q.waitForTimeout(1500);
  await shot(q, '08-central-badlogin');
  await q.getByTestId('central-password').fill('pusat-demo-123');
  await q.getByTestId('central-submit').click();
  await q.waitForTimeout(4000);
  await shot(q, '09-central-overview');
  await q.screenshot({ path: '/tmp/shots/09b-central-overview-full.png', fullPage: true });
} catch (e) { console.log('FAILED', e.message); }
await b.close();
