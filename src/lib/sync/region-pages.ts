// What the regional admin's detail pages show, read in their load functions: an order, a shopper's
// profile. `missing` for an id this region does not hold, `failed` (put into words by the page) when
// the node could not be read, `signed-out` before the admin signs in (the layout asks for that).
import { regionAdmin } from './admin.svelte.ts';
import type { Order, UserProfile } from '../model/index.ts';
import { loadFor } from './loaded.ts';
import { BEST_SELLERS_QUERY, bestSellers } from './product-sales.ts';

/** Reads when a regional admin is signed in, with the region they administer. */
const guarded = <T extends object>(read: (region: string) => Promise<T>) =>
  loadFor(!!regionAdmin.user && !!regionAdmin.region, () => read(regionAdmin.region!));

export const orderPage = (id: string) => guarded(async () => ({ order: (await regionAdmin.doc(id)) as Order }));
export const shopperPage = (name: string) => guarded(async (R) => ({ profile: (await regionAdmin.doc(`user:${R}:${name}`)) as UserProfile }));

export interface RegionOverview {
  days: Array<{ day: string; count: number; sum: number }>;
  weeks: Array<{ day: string; count: number; sum: number }>;
  top: Array<{ product: string; units: number; revenue: number }>;
}

/** The region's overview: its days, weeks and best sellers from the region node's views. */
export const overviewPage = () =>
  guarded<RegionOverview>(async (R) => {
    const range = { group: true, startkey: [R], endkey: [R, {}] };
    // A region node holds its own region's orders only, so its best sellers across regions are its own.
    const [d, w, p] = await Promise.all([regionAdmin.view('orders_by_day', range), regionAdmin.view('orders_by_week', range), regionAdmin.view('product_sales', BEST_SELLERS_QUERY)]);
    return {
      days: d.map((r) => ({ day: r.key[1], count: r.value.count, sum: r.value.sum })),
      weeks: w.map((r) => ({ day: r.key[1], count: r.value.count, sum: r.value.sum })).slice(-12),
      top: bestSellers(p),
    };
  });
