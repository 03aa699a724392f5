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
