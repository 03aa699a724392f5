// What the regional admin's detail pages show, read in their load functions: an order, a shopper's
// profile. `missing` for an id this region does not hold, `failed` (put into words by the page) when
// the node could not be read, `signed-out` before the admin signs in (the layout asks for that).
import { regionAdmin } from './admin.svelte.ts';
import type { Order, UserProfile } from '../model/index.ts';
import { isMissing, type Loaded } from './loaded.ts';


export async function readDoc<K extends string, T>(key: K, id: (region: string) => string): Promise<Loaded<Record<K, T>>> {
  if (!regionAdmin.user || !regionAdmin.region) return { state: 'signed-out' };
  try {
    return { state: 'ok', [key]: (await regionAdmin.doc(id(regionAdmin.region))) as T } as { state: 'ok' } & Record<K, T>;
  } catch (e) {
    return isMissing(e) ? { state: 'missing' } : { state: 'failed', failure: e };
  }
}

export const orderPage = (id: string) => readDoc<'order', Order>('order', () => id);
export const shopperPage = (name: string) => readDoc<'profile', UserProfile>('profile', (R) => `user:${R}:${name}`);

export interface RegionOverview {
  days: Array<{ day: string; count: number; sum: number }>;
  weeks: Array<{ day: string; count: number; sum: number }>;
  top: Array<{ product: string; units: number; revenue: number }>;
}

/** The region's overview: its days, weeks and best sellers from the region node's views. */
export async function overviewPage(): Promise<Loaded<RegionOverview>> {
  const R = regionAdmin.region;
  if (!regionAdmin.user || !R) return { state: 'signed-out' };
  try {
    const range = { group: true, startkey: [R], endkey: [R, {}] };
    const [d, w, p] = await Promise.all([regionAdmin.view('orders_by_day', range), regionAdmin.view('orders_by_week', range), regionAdmin.view('product_sales', range)]);
    return {
      state: 'ok',
      days: d.map((r) => ({ day: r.key[1], count: r.value.count, sum: r.value.sum })),
      weeks: w.map((r) => ({ day: r.key[1], count: r.value.count, sum: r.value.sum })).slice(-12),
      top: p.map((r) => ({ product: r.key[1], units: r.value[0], revenue: r.value[1] })).sort((a, b) => b.units - a.units).slice(0, 10),
    };
  } catch (e) {
    return { state: 'failed', failure: e };
  }
}
