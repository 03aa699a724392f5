// The region's overview: its figures are read here, before the page shows.
import type { PageLoad } from './$types';
import { overviewPage } from '$lib/sync/region-pages.ts';

export const load: PageLoad = async ({ parent }) => {
  await parent();
  return { page: await overviewPage() };
};
