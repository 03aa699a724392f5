// The app is a static, client-rendered PWA: it runs from local data offline.
export const prerender = true;
export const ssr = false;
