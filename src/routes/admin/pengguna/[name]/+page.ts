// A shopper's own page: the name comes from the URL (not prerendered; the static build's fallback serves it).
import type { PageLoad } from './$types';
import { shopperPage } from '$lib/sync/region-pages.ts';

export const prerender = false;
export const load: PageLoad = async ({ params, parent }) => {
  await parent();
  return { name: params.name, page: await shopperPage(params.name) };
};
