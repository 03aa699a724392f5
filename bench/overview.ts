// The central overview page's view queries (src/routes/pusat/+page.svelte), as the bench times them.
import type { Couch } from '../server/couch-client.ts';
import { median, percentile } from './lib.ts';

export const centralView = (central: Couch, name: string, q: string) => central.ok('GET', `/ops/_design/sebaran/_view/${name}?${q}`);

/** The four queries the overview page makes at once. */
export const centralOverview = (central: Couch) =>
  Promise.all([
    centralView(central, 'orders_by_day', 'group_level=1'), centralView(central, 'orders_by_day', 'group=true'),
    centralView(central, 'orders_by_week', 'group=true'), centralView(central, 'product_sales', 'group=true'),
  ]);

/** Times `fn` `samples` times in a row (warm). */
export async function timed(fn: () => Promise<unknown>, samples: number) {
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const s = performance.now();
    await fn();
    xs.push(performance.now() - s);
  }
  return { p50: median(xs), p95: percentile(xs, 95), samples: xs.length };
}
