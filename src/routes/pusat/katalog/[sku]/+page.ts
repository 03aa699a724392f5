// A product's own page at central: the SKU comes from the URL (served by the static build's fallback).
import type { PageLoad } from './$types';
import { productPage } from '$lib/sync/central-pages.ts';

export const prerender = false;
export const load: PageLoad = async ({ params, parent }) => {
  const { regions } = await parent();
  return { sku: params.sku, page: await productPage(params.sku, regions) };
};
