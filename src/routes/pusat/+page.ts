// Central's overview: its figures are read here, before the page shows.
import type { PageLoad } from './$types';
import { overviewPage } from '$lib/sync/central-pages.ts';

export const load: PageLoad = async ({ parent }) => {
  const { regions } = await parent();
  return { page: await overviewPage(regions) };
};
