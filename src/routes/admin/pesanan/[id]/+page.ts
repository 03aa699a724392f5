// An order's own page: its id comes from the URL, so a link to it can be shared and bookmarked.
// Not prerendered: the static build serves it through its fallback page (and the service worker's).
import type { PageLoad } from './$types';
import { orderPage } from '$lib/sync/region-pages.ts';

export const prerender = false;
export const load: PageLoad = async ({ params, parent }) => {
  await parent();
  return { id: params.id, page: await orderPage(params.id) };
};
