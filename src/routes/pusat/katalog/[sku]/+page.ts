// A product's own page at central: the SKU comes from the URL (served by the static build's fallback).
export const prerender = false;
export const load = ({ params }: { params: { sku: string } }) => ({ sku: params.sku });
