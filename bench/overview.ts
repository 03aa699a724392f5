// The central overview page's view queries (src/routes/pusat/+page.svelte), as the bench times them.
import type { Couch } from '../server/couch-client.ts';
import { median, percentile } from './lib.ts';
import { overviewQueries, overviewWindow } from '../src/lib/sync/overview-queries.ts';
import { viewQuery } from '../src/lib/sync/key-pager.ts';
import { viewPath } from '../src/lib/model/design.ts';

export const centralView = (central: Couch, name: string, q: string) => central.ok('GET', `${viewPath('ops', name)}?${q}`);

/** The queries the overview page makes at once (its own code builds them), as query strings. */
export const overviewQueryStrings = (regions: string[], now = Date.now()): Array<[string, string]> =>
  overviewQueries(regions, overviewWindow(now)).map((q) => [q.view, viewQuery(q.params)]);
export const centralOverview = (central: Couch, regions: string[]) => Promise.all(overviewQueryStrings(regions).map(([v, q]) => centralView(central, v, q)));

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
