// An order's own page: its id comes from the URL, so a link to it can be shared and bookmarked.
// Not prerendered: the static build serves it through its fallback page (and the service worker's).
export const prerender = false;
export const load = ({ params }: { params: { id: string } }) => ({ id: params.id });
