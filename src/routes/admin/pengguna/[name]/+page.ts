// A shopper's own page: the name comes from the URL (not prerendered; the static build's fallback serves it).
export const prerender = false;
export const load = ({ params }: { params: { name: string } }) => ({ name: params.name });
