// The shopper's device: local PouchDB replicas of the region's catalog and
// stock (pulled), the shopper's own database (synced both ways), and the
// session at the region node. Everything the shop pages show comes from
// here, so they keep working offline. The one stateful singleton of the shop.
import type { ShopProduct, StockLine } from './catalog-view.ts';
import { RegionReplicas, type BuiltView } from './replicas.svelte.ts';
import { ShopPhotos } from './shop-photos.svelte.ts';
import { cachedTopology, chosenRegion, loadTopology, REGION_KEY } from './topology.ts';
import type { PublicTopology } from '../model/topology.ts';
import { ids, type Category, type Warehouse, type WarehouseItem } from '../model/index.ts';
import type { SignUp } from '../model/signup.ts';
import type { Session } from './session.ts';
import { rememberedUser, ShopAccount } from './shop-account.ts';
import { ShopperDb } from './shopper.svelte.ts';
import { appCache } from './app-cache.svelte.ts';
import { signOutOwed } from './node-client.ts';
import { regionLabel } from '../i18n/format.ts';

export { ShopError } from './user-docs.ts';

export type { StockLine } from './catalog-view.ts';


class Shop {
  topology = $state.raw<PublicTopology | null>(null);
  region = $state<string | null>(null);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  syncing = $state(false);
  ready = $state(false);
  /** Only a first visit's first page is shown: the whole catalog is still on its way (no filters yet). */
  firstPageOnly = $state(false);
  error = $state<string | null>(null);
  categories = $state.raw<Category[]>([]);
  products = $state.raw<ShopProduct[]>([]);
  /** Photo URLs, and the thumbnails being cached for offline use. */
  readonly photos = new ShopPhotos(() => this.region);
  /** The region's warehouses (the admin's stock page offers them for a first receipt). */
  warehouses = $state.raw<Warehouse[]>([]);
  /** A warehouse as a person reads it: its name, else its code. */
  warehouseName(id: string) {
    return this.warehouses.find((w) => w._id === id)?.name ?? ids.warehouseCode(id);
  }
  /** Warehouse items of this region, by product id. */
  stock = $state.raw<Map<string, StockLine[]>>(new Map());
  /** A staff account (an admin) is signed in here: it has no cart or orders, the shop says so. */
  staff = $state.raw<Session | null>(null);
  /** Shown while browsing a region other than the one the device's shopper account belongs to. */
  elsewhere = $state.raw<{ region: string; name: string } | null>(null);
  /** The node no longer knows the shopper's session: the device keeps working, but nothing syncs until they sign in again. */
  signInAgain = $state(false);

  /** The region's catalog and stock on the device. */
  private replicas = $state.raw<RegionReplicas | null>(null);
  /** The signed-in shopper's database: cart, requests, order copies. */
  readonly shopper = ((self: Shop) => new ShopperDb({
    get region() { return self.region; },
    get staff() { return self.staff; },
    lineStock: (id) => self.lineStock(id),
    sawNode: () => self.reachedNode(true),
  }))(this);
  private generation = 0;

  async init() {
    addEventListener('online', () => {
      this.online = true;
      this.kick();
    });
    addEventListener('offline', () => (this.online = false));
    this.topology = cachedTopology();
    this.topology = await loadTopology();
    const region = chosenRegion(this.topology);
    if (region) await this.chooseRegion(region);
  }

  /**
   * A node answered, or did not. An answer to a request sent before the connection dropped can arrive
   * after the browser went offline: it says nothing about now, so it does not make the shop "online".
   */
  private reachedNode(ok: boolean) {
    this.online = ok && navigator.onLine;
  }

  regionName(code = this.region) {
    return this.topology?.regions.find((r) => r.code === code)?.name ?? code ?? '';
  }

  /** A region as people name it, "Bandung (BDG)"; its code alone until its name is known. */
  regionLabel(code = this.region) {
    return code ? regionLabel(this.regionName(code), code) : '';
  }

  /** The shopper account this device remembers for a region. */
  rememberedUser(code: string) {
    return rememberedUser(code);
  }

  /**
   * Shows another region. A shopper's account, cart and orders belong to their region: they are put
   * away (kept on the device) and come back when that region is chosen again; `signOut` first to
   * leave them. In the other region the shopper browses without an account until they sign in there.
   */
  async chooseRegion(code: string, opts: { signOut?: boolean } = {}) {
    if (opts.signOut && this.region && (this.user || this.staff)) await this.signOut();
    const gen = ++this.generation;
    this.stopSync();
    this.shopper.close();
    this.staff = null;
    this.signInAgain = false;
    localStorage.setItem(REGION_KEY, code);
    this.region = code;
    this.ready = false;
    this.firstPageOnly = false;
    this.categories = [];
    this.products = [];
    this.warehouses = [];
    this.stock = new Map();
    const replicas = new RegionReplicas(code, {
      publish: (v, firstPage = false) => {
        if (replicas !== this.replicas) return;
        const before = this.products;
        this.publish(v, firstPage);
        // Only a catalog change can bring new thumbnails: a stock change keeps every product object.
        // A first page's photos load as they show; the offline copy waits for the whole catalog.
        if (!firstPage && !sameItems(before, this.products)) this.photos.prepare(this.products);
      },
      reached: (ok) => {
        if (replicas !== this.replicas) return;
        this.reachedNode(ok);
        if (ok) this.error = null;
      },
      syncing: (on) => (this.syncing = on),
    });
    this.replicas = replicas;
    await replicas.open();
    if (gen !== this.generation) return;
    const remembered = this.rememberedUser(code);
    const other = this.topology?.regions.map((r) => r.code).find((r) => r !== code && this.rememberedUser(r));
    this.elsewhere = !remembered && other ? { region: other, name: this.rememberedUser(other)! } : null;
    if (remembered) await this.account.openUser(remembered);
    replicas.start();
    void this.refreshSession(code);
  }

  private stopSync() {
    this.replicas?.stop();
    this.photos.stop();
  }

  /** Documents written locally during the very first pull (progress while nothing is shown yet). */
  get loaded() { return this.replicas?.loaded ?? 0; }
  /** Both replicas and the app's code are on the device: a reload without network shows this catalog. */
  get dataReady() { return (this.replicas?.dataReady ?? false) && appCache.ready; }
  /** Getting ready for offline use: the first pull's writes and the thumbnails, as one figure (null: ready).
   *  The app's own code is the last part: until it is stored the bar does not reach its end. */
  get offlinePrep() {
    const p = this.replicas?.offlinePrep(this.photos.progress) ?? null;
    if (appCache.ready || !this.replicas) return p;
    return p ? { ...p, total: p.total + Math.max(1, Math.ceil(p.total / 20)) } : { done: 99, total: 100, failed: 0 };
  }

  /** Called when the network returns: cut the back-off short. */
  private kick() {
    if (!this.region) return;
    // Restart the pulls so they do not sleep through the reconnect.
    this.replicas?.restart();
    if (this.user) {
      void this.refreshSession(this.region);
      void this.account.openUser(this.user); // a fresh sync instead of waiting out its back-off
    } else if (signOutOwed(this.region)) {
      void this.refreshSession(this.region); // the node hears the sign-out made offline now, not at the next reload
    }
  }

  private publish(v: BuiltView, firstPage: boolean) {
    this.firstPageOnly = firstPage;
    this.categories = v.categories;
    this.products = v.products;
    this.warehouses = v.warehouses;
    this.stock = v.stock;
    this.ready = true;
  }

  /** The best line to buy from: the warehouse with the most stock. */
  bestLine(productId: string): StockLine | undefined {
    return this.stock.get(productId)?.find((l) => l.item.quantity > 0);
  }

  available(productId: string) {
    return (this.stock.get(productId) ?? []).reduce((n, l) => n + l.item.quantity, 0);
  }

  // --- session (shop-account.ts) -------------------------------------------------

  private readonly account = new ShopAccount(this);
  /** Asks the node who its cookie belongs to; a staff account never gets the shopper's database or cart. */
  refreshSession(region = this.region) { return this.account.refresh(region); }
  signIn(name: string, password: string, open = true) { return this.account.signIn(name, password, open); }
  signUp(p: SignUp) { return this.account.signUp(p); }
  signOut() { return this.account.signOut(); }
  waitForUserDb(name: string, timeoutMs?: number) { return this.account.waitForUserDb(name, timeoutMs); }

  // --- cart and checkout: the shopper's database -----------------------------

  get user() { return this.shopper.user; }
  get cart() { return this.shopper.cart; }
  get requests() { return this.shopper.requests; }
  get copies() { return this.shopper.copies; }
  get orders() { return this.shopper.orders; }
  copyFor(requestId: string) { return this.shopper.copyFor(requestId); }
  setCartQty(stockId: string, productId: string, qty: number) { return this.shopper.setQty(stockId, productId, qty); }
  removeFromCart(stockId: string) { return this.shopper.remove(stockId); }
  addToCart(stockId: string, productId: string, qty = 1) { return this.shopper.add(stockId, productId, qty); }
  checkout(address: string) { return this.shopper.checkout(address); }

  lineStock(stockId: string): WarehouseItem | undefined {
    for (const lines of this.stock.values()) for (const l of lines) if (l.item._id === stockId) return l.item;
    return undefined;
  }
}

export const shop = new Shop();

/** Whether two lists hold the same objects in the same order. */
function sameItems<T>(a: readonly T[], b: readonly T[]) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
