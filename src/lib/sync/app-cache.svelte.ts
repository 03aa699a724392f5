// Whether the app's own code is on the device: the service worker (build-sw.ts, clientsClaim) controls
// the page once it has precached the app. Until then a reload or a page not yet opened needs the
// network, however much of the catalog is stored, so "ready for offline" waits for both.
class AppCache {
  ready = $state(false);
}
export const appCache = new AppCache();

/** Follows the service worker's control of this page; without service workers (dev) there is nothing to wait for. */
export function watchAppCache() {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) {
    appCache.ready = true;
    return;
  }
  const update = () => (appCache.ready = navigator.serviceWorker.controller !== null);
  update();
  navigator.serviceWorker.addEventListener('controllerchange', update);
}
