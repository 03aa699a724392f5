// The shop's product photos: their URLs at the region node (thumbnail or detail size, the revision
// in the URL so a changed photo is a new cache entry), and getting every thumbnail into the cache
// in the background so the shop works offline with pictures, with progress to show.
import { photoName, type PhotoSize } from '../model/photos.ts';
import { nodeUrl } from './node-client.ts';
import { cacheThumbs, type CacheProgress } from './photo-cache.ts';
import type { ShopProduct } from './catalog-view.ts';

export class ShopPhotos {
  /** The latest round of caching thumbnails; null before the first. */
  progress = $state.raw<CacheProgress | null>(null);
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private wanted: ShopProduct[] | null = null;
  /** Thumbnail URLs known to be in the cache (so a catalog edit does not look through it again). */
  private known = new Set<string>();

  constructor(private region: () => string | null) {}

  url(p: ShopProduct, size: PhotoSize): string | null {
    const region = this.region();
    const name = photoName(p.attachments, size);
    if (!region || !name) return null;
    return `${nodeUrl(region)}/catalog/${encodeURIComponent(p._id)}/${encodeURIComponent(name)}?rev=${encodeURIComponent(p._rev ?? '')}`;
  }

  /** Caches the thumbnails of these products; asked again while running, it runs once more after. */
  prepare(products: ShopProduct[]) {
    this.wanted = products;
    if (!this.running) this.running = this.drain().finally(() => (this.running = null));
  }

  private async drain() {
    while (this.wanted) {
      const products = this.wanted;
      this.wanted = null;
      const abort = (this.abort = new AbortController());
      const urls = products.map((p) => this.url(p, 'thumb')).filter((u): u is string => !!u);
      await cacheThumbs(urls, (p) => (this.progress = p), abort.signal, this.known);
    }
  }

  /** A region change or sign-out: stop, and forget the progress (another region has other photos). */
  stop() {
    this.wanted = null;
    this.abort?.abort();
    this.progress = null;
  }
}
