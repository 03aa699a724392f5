// The shop's product photos are fetched by URL from the region node (the catalog replica carries only
// their names), shown lazily as they scroll into view, and kept in the Cache Storage the service worker
// serves them from (server/build-sw.ts, same cache names). Getting the shop ready for offline use means
// putting every thumbnail there, in the background, with progress the shopper can see.
export const THUMB_CACHE = 'sebaran-thumbs';
export const PHOTO_CACHE = 'sebaran-photos';

export interface CacheProgress {
  /** Thumbnails cached so far, of all the catalog's (`total`). */
  done: number;
  total: number;
  /** Thumbnails that could not be fetched this round (offline, or the node refused): tried again later. */
  failed: number;
}

/**
 * Puts every URL not already cached into the thumbnail cache, a few at a time. `known` holds the URLs
 * this page has seen cached: a round with nothing new (a catalog edit) costs no look at the cache.
 */
export async function cacheThumbs(urls: string[], onProgress: (p: CacheProgress) => void, signal: AbortSignal, known: Set<string>, parallel = 6): Promise<CacheProgress> {
  if (!('caches' in globalThis) || urls.every((u) => known.has(u))) return { done: urls.length, total: urls.length, failed: 0 };
  const cache = await caches.open(THUMB_CACHE);
  // One look at what is there already, instead of a lookup per thumbnail.
  const have = new Set((await cache.keys()).map((r) => r.url));
  for (const u of urls) if (have.has(new URL(u, location.href).href)) known.add(u);
  const queue = urls.filter((u) => !known.has(u));
  const p: CacheProgress = { done: urls.length - queue.length, total: urls.length, failed: 0 };
  let last = 0;
  const report = (force = false) => {
    // Progress at most every 50 ms: a state change per thumbnail would re-render 5,000 times.
    if (force || performance.now() - last > 50) ((last = performance.now()), onProgress({ ...p }));
  };
  const worker = async () => {
    for (let url = queue.shift(); url !== undefined && !signal.aborted; url = queue.shift()) {
      try {
        const res = await fetch(url, { credentials: 'include', signal });
        if (res.ok) {
          await cache.put(url, res);
          known.add(url);
          p.done++;
        } else p.failed++;
      } catch {
        if (signal.aborted) return;
        p.failed++;
      }
      report();
    }
  };
  report(true);
  await Promise.all(Array.from({ length: parallel }, worker));
  report(true);
  return p;
}
