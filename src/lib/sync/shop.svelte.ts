// The shopper's device: local PouchDB replicas of the region's catalog and
// stock (pulled), the shopper's own database (synced both ways), and the
// session at the region node. Everything the shop pages show comes from
// here, so they keep working offline. The one stateful singleton of the shop.
import PouchDB from 'pouchdb-browser';
import { pullChanges, hasPulled } from './pull.ts';
import { CatalogView, type StockLine } from './catalog-view.ts';
import type { PublicTopology } from '../model/topology.ts';
import {
  CartItem, CheckoutRequest, ids, ulid, userDbName,
  type Category, type OrderCopy, type Product, type Warehouse, type WarehouseItem,
} from '../model/index.ts';
import { SIGNUP_ERRORS, type SignUp, type SignUpError } from '../model/signup.ts';
import { qtyProblem } from '../model/cart.ts';
import { closeSession, currentSession, isStaff, nodeUrl, openSession, requestSignUp, type Session } from './session.ts';
import { ShopError, myOrders, resolveCartConflicts, splitUserDocs } from './user-docs.ts';

export { ShopError } from './user-docs.ts';

const REGION_KEY = 'sebaran.region';
const USER_KEY = 'sebaran.user';
const TOPOLOGY_KEY = 'sebaran.topology';

export type { StockLine } from './catalog-view.ts';

const nowIso = () => new Date().toISOString();

function remoteDb(url: string) {
  return new PouchDB(url, {
    skip_setup: true,
    fetch: (u: string | Request, opts: RequestInit = {}) => (PouchDB as any).fetch(u, { ...opts, credentials: 'include' }),
  } as any);
}

class Shop {
  topology = $state.raw<PublicTopology | null>(null);
  region = $state<string | null>(null);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  syncing = $state(false);
  /** Documents written locally during the very first pull (progress). */
  loaded = $state(0);
  ready = $state(false);
  error = $state<string | null>(null);
  categories = $state.raw<Category[]>([]);
  products = $state.raw<Product[]>([]);
  /** The region's warehouses (the admin's stock page offers them for a first receipt). */
  warehouses = $state.raw<Warehouse[]>([]);
  /** Warehouse items of this region, by product id. */
  stock = $state.raw<Map<string, StockLine[]>>(new Map());
  user = $state<string | null>(null);
  cart = $state.raw<CartItem[]>([]);
  requests = $state.raw<CheckoutRequest[]>([]);
  copies = $state.raw<OrderCopy[]>([]);
  /** A staff account (an admin) is signed in here: it has no cart or orders, the shop says so. */
  staff = $state.raw<Session | null>(null);
  /** Shown while browsing a region other than the one the device's shopper account belongs to. */
  elsewhere = $state.raw<{ region: string; name: string } | null>(null);

  private view: CatalogView | null = null;
  private catalogDb: PouchDB.Database | null = null;
  private inventoryDb: PouchDB.Database | null = null;
  private userDb: PouchDB.Database | null = null;
  /** The region whose node holds the open shopper database: accounts (and carts) belong to one region. */
  private userRegion: string | null = null;
  private userSync: PouchDB.Replication.Sync<{}> | null = null;
  private userFeed: PouchDB.Core.Changes<{}> | null = null;
  private pulling: AbortController | null = null;
  private photos = new Map<string, string>();
  private generation = 0;

  async init() {
    addEventListener('online', () => {
      this.online = true;
      this.kick();
    });
    addEventListener('offline', () => (this.online = false));
    const cached = localStorage.getItem(TOPOLOGY_KEY);
    if (cached) this.topology = JSON.parse(cached);
    try {
      const res = await fetch('/config.json', { cache: 'no-store' });
      if (res.ok) {
        this.topology = await res.json();
        localStorage.setItem(TOPOLOGY_KEY, JSON.stringify(this.topology));
      }
    } catch {
      /* offline: the cached topology will do */
    }
    const region = localStorage.getItem(REGION_KEY);
    if (region && this.topology?.regions.some((r) => r.code === region)) await this.chooseRegion(region);
  }

  regionName(code = this.region) {
    return this.topology?.regions.find((r) => r.code === code)?.name ?? code ?? '';
  }

  /** The shopper account this device remembers for a region. */
  rememberedUser(code: string) {
    return localStorage.getItem(`${USER_KEY}.${code}`);
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
    this.closeUser();
    this.staff = null;
    localStorage.setItem(REGION_KEY, code);
    this.region = code;
    this.ready = false;
    this.loaded = 0;
    this.categories = [];
    this.products = [];
    this.warehouses = [];
    this.stock = new Map();
    this.catalogDb = new PouchDB(`sebaran-${code}-catalog`);
    this.inventoryDb = new PouchDB(`sebaran-${code}-inventory`);
    this.view = new CatalogView(this.catalogDb, this.inventoryDb);
    const offlineReady = (await hasPulled(this.catalogDb)) && (await hasPulled(this.inventoryDb));
    if (offlineReady && (await this.view.loadCache())) this.publish();
    else if (offlineReady) await this.reloadCatalog();
    if (gen !== this.generation) return;
    const remembered = this.rememberedUser(code);
    const other = this.topology?.regions.map((r) => r.code).find((r) => r !== code && this.rememberedUser(r));
    this.elsewhere = !remembered && other ? { region: other, name: this.rememberedUser(other)! } : null;
    if (remembered) await this.openUser(remembered);
    void this.pullLoop(gen);
    void this.refreshSession(code);
  }

  private stopSync() {
    this.pulling?.abort();
    this.pulling = null;
    this.userSync?.cancel();
    this.userSync = null;
    this.userFeed?.cancel();
    this.userFeed = null;
    for (const url of this.photos.values()) URL.revokeObjectURL(url);
    this.photos.clear();
  }

  /** Keeps the catalog and stock replicas current: one long-poll loop per database, backing off when offline. */
  private async pullLoop(gen: number) {
    const abort = new AbortController();
    this.pulling = abort;
    const region = this.region!;
    const loop = async (name: 'catalog' | 'inventory', local: PouchDB.Database) => {
      let backoff = 1000;
      let first = true;
      const onProgress = (p: { docs: number }) => (this.loaded = p.docs);
      while (gen === this.generation && !abort.signal.aborted) {
        try {
          this.syncing = true;
          await pullChanges({ url: `${nodeUrl(region)}/${name}`, local, onProgress }, !first, 25_000, abort.signal);
          if (gen !== this.generation) return;
          await this.reloadCatalog();
          this.online = true;
          this.error = null;
          backoff = 1000;
          first = false;
        } catch {
          if (abort.signal.aborted || gen !== this.generation) return;
          this.online = false;
          this.syncing = false;
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    };
    await Promise.all([loop('catalog', this.catalogDb!), loop('inventory', this.inventoryDb!)]);
  }

  /** Called when the network returns: cut the back-off short. */
  private kick() {
    if (this.region && !this.pulling) void this.pullLoop(this.generation);
    else if (this.region) {
      // Restart the loop so it does not sleep through the reconnect.
      const region = this.region;
      this.pulling?.abort();
      this.pulling = null;
      void this.pullLoop(this.generation);
      if (this.user) {
        void this.refreshSession(region);
        void this.openUser(this.user); // a fresh sync instead of waiting out its back-off
      }
    }
  }

  private publish() {
    const v = this.view!.build();
    this.categories = v.categories;
    this.products = v.products;
    this.warehouses = v.warehouses;
    this.stock = v.stock;
    this.ready = true;
  }

  /** Applies what changed in the local replicas since the last look. */
  private async reloadCatalog() {
    const view = this.view!;
    await view.update();
    if (view === this.view) this.publish();
  }

  /** The best line to buy from: the warehouse with the most stock. */
  bestLine(productId: string): StockLine | undefined {
    return this.stock.get(productId)?.find((l) => l.item.quantity > 0);
  }

  available(productId: string) {
    return (this.stock.get(productId) ?? []).reduce((n, l) => n + l.item.quantity, 0);
  }

  async photo(productId: string): Promise<string | null> {
    const hit = this.photos.get(productId);
    if (hit) return hit;
    try {
      const blob = (await this.catalogDb!.getAttachment(productId, 'photo.png')) as Blob;
      const url = URL.createObjectURL(blob);
      this.photos.set(productId, url);
      return url;
    } catch {
      return null;
    }
  }

  // --- session -------------------------------------------------------------

  /** Asks the node who its cookie belongs to; a staff account never gets the shopper's database or cart. */
  async refreshSession(region = this.region) {
    if (!region) return;
    const s = await currentSession(region);
    if (s === 'offline' || region !== this.region) return; // offline: keep what the device remembers
    if (s && isStaff(s)) {
      if (this.user) this.forgetUser(region);
      this.staff = s;
    } else if (s) {
      this.staff = null;
      if (s.name !== this.user) await this.openUser(s.name);
    } else {
      this.staff = null;
      // The node no longer knows our cookie: stay usable offline, but ask to sign in again to sync.
      this.userSync?.cancel();
      this.userSync = null;
    }
  }

  async signIn(name: string, password: string, open = true): Promise<'ok' | 'wrong' | 'offline' | 'staff'> {
    const region = this.region!;
    const s = await openSession(region, name, password);
    if (s === 'wrong' || s === 'offline') return s;
    if (isStaff(s)) {
      // Signed in (the admin pages use this session), but not as a shopper.
      if (this.user) this.forgetUser(region);
      this.staff = s;
      return 'staff';
    }
    this.staff = null;
    if (open) await this.openUser(s.name);
    return 'ok';
  }

  async signUp(p: SignUp): Promise<'ok' | 'offline' | SignUpError> {
    const region = this.region!;
    const r = await requestSignUp(region, p);
    if (r === 'offline') return 'offline';
    if (!r.ok) {
      if (r.code === 'taken' && (await this.isOwnShopperAccount(p.name, p.password))) return this.afterSignUp(p.name);
      return (SIGNUP_ERRORS as readonly unknown[]).includes(r.code) ? (r.code as SignUpError) : 'unavailable';
    }
    const s = await this.signIn(p.name, p.password, false);
    if (s !== 'ok') return s === 'offline' ? s : 'unavailable';
    return this.afterSignUp(p.name);
  }

  private async afterSignUp(name: string): Promise<'ok'> {
    this.user = name;
    this.userRegion = this.region;
    await this.waitForUserDb(); // made with the account; this only guards against a slow node
    await this.openUser(name);
    return 'ok';
  }

  /**
   * A sign-up sent twice (the answer to the first was lost) finds its own account "taken": if the
   * password opens a shopper account of that name, it is this shopper's, so sign in. A staff account
   * stays "taken" and its session is dropped at once.
   */
  private async isOwnShopperAccount(name: string, password: string): Promise<boolean> {
    const s = await openSession(this.region!, name, password);
    if (s === 'wrong' || s === 'offline') return false;
    if (!isStaff(s)) return true;
    await closeSession(this.region!);
    return false;
  }

  async signOut() {
    const region = this.region!;
    if (this.user) this.forgetUser(region);
    this.staff = null;
    await closeSession(region);
  }

  /** Drops the signed-in shopper from this device's memory of `region` (their local database stays). */
  private forgetUser(region: string) {
    localStorage.removeItem(`${USER_KEY}.${region}`);
    this.closeUser();
  }

  /** Stops the shopper's sync and clears what the pages show of them. */
  private closeUser() {
    this.userSync?.cancel();
    this.userFeed?.cancel();
    this.userSync = null;
    this.userFeed = null;
    this.userDb = null;
    this.userRegion = null;
    this.user = null;
    this.cart = [];
    this.requests = [];
    this.copies = [];
  }

  /** Waits (briefly) for the region service to give a new shopper their database. */
  async waitForUserDb(timeoutMs = 15_000) {
    const url = `${nodeUrl(this.region!)}/${userDbName(this.user!)}`;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const res = await fetch(url, { credentials: 'include' }).catch(() => null);
      if (res?.ok) return true;
      await new Promise((r) => setTimeout(r, 300));
    }
    return false;
  }

  private async openUser(name: string) {
    const region = this.region!;
    localStorage.setItem(`${USER_KEY}.${region}`, name);
    this.user = name;
    this.userRegion = region;
    this.elsewhere = null;
    this.userFeed?.cancel();
    this.userSync?.cancel();
    const db = new PouchDB(`sebaran-${region}-user-${name}`);
    this.userDb = db;
    await this.reloadUser();
    if (this.userDb !== db) return; // the region changed meanwhile
    this.userFeed = db.changes({ since: 'now', live: true }).on('change', () => void this.reloadUser());
    const remote = remoteDb(`${nodeUrl(region)}/${userDbName(name)}`);
    this.userSync = PouchDB.sync(db, remote, {
      live: true, retry: true, back_off_function: (d: number) => (d === 0 ? 500 : Math.min(d * 2, 10_000)),
    } as any)
      .on('change', () => void resolveCartConflicts(db))
      .on('paused', (err: unknown) => {
        if (!err) this.online = true;
      }) as any;
  }

  private async reloadUser() {
    const db = this.userDb;
    if (!db) return;
    const all = await db.allDocs({ include_docs: true });
    if (db !== this.userDb) return;
    const mine = splitUserDocs(all.rows.map((r: any) => r.doc));
    this.cart = mine.cart;
    this.requests = mine.requests;
    this.copies = mine.copies;
  }

  // --- cart and checkout ---------------------------------------------------

  lineStock(stockId: string): WarehouseItem | undefined {
    for (const lines of this.stock.values()) for (const l of lines) if (l.item._id === stockId) return l.item;
    return undefined;
  }

  /** The shopper's database, if it belongs to the region being shown: a cart never crosses regions. */
  private ownDb(): PouchDB.Database {
    if (this.staff) throw new ShopError('staff');
    if (!this.userDb || !this.user) throw new ShopError('signin_needed');
    if (this.userRegion !== this.region) throw new ShopError('other_region');
    return this.userDb;
  }

  /**
   * Cart writes one after another: a quantity typed and then "Remove" clicked fires both at once
   * (the field's change on blur, then the click), and each reads the line's revision before writing.
   */
  private cartWrites: Promise<unknown> = Promise.resolve();
  private inOrder<T>(write: () => Promise<T>): Promise<T> {
    const next = this.cartWrites.then(write, write);
    this.cartWrites = next.catch(() => {});
    return next;
  }

  /** Sets a line's quantity: a whole number from 1 to the stock; anything else changes nothing. */
  setCartQty(stockId: string, productId: string, qty: number) {
    return this.inOrder(() => this.writeCartQty(stockId, productId, qty));
  }

  private async writeCartQty(stockId: string, productId: string, qty: number) {
    const db = this.ownDb();
    const max = this.lineStock(stockId)?.quantity ?? 0;
    const problem = qtyProblem(qty, max);
    if (problem) throw new ShopError(problem);
    const id = ids.cartItem(stockId);
    const existing = (await db.get(id).catch(() => null)) as CartItem | null;
    const doc = CartItem.parse({
      _id: id, ...(existing?._rev ? { _rev: existing._rev } : {}), type: 'cart_item', region_code: this.region,
      stock_id: stockId, product_id: productId, qty, updated_at: nowIso(),
    });
    await db.put(doc as any);
  }

  /** Removing a line is its own action, never a side effect of a quantity. */
  removeFromCart(stockId: string) {
    return this.inOrder(async () => {
      const db = this.ownDb();
      const existing = await db.get(ids.cartItem(stockId)).catch(() => null);
      if (existing) await db.remove(existing as any);
    });
  }

  addToCart(stockId: string, productId: string, qty = 1) {
    return this.inOrder(async () => {
      const current = this.cart.find((c) => c.stock_id === stockId)?.qty ?? 0;
      const max = this.lineStock(stockId)?.quantity ?? 0;
      await this.writeCartQty(stockId, productId, Math.min(current + qty, Math.max(max, 1)));
    });
  }

  /** Writes the checkout request locally; it reaches the region whenever the device is online. */
  checkout(address: string) {
    return this.inOrder(() => this.writeCheckout(address));
  }

  private async writeCheckout(address: string) {
    const db = this.ownDb();
    if (this.cart.length === 0) throw new ShopError('cart_empty');
    const requestId = ulid();
    const req = CheckoutRequest.parse({
      _id: ids.checkout(requestId), type: 'checkout_request', region_code: this.region, request_id: requestId,
      items: this.cart.map((c) => ({ stock_id: c.stock_id, product_id: c.product_id, qty: c.qty })), address, created_at: nowIso(),
    });
    await db.bulkDocs([req, ...this.cart.map((c) => ({ ...c, _deleted: true }))] as any[]);
    return requestId;
  }

  copyFor(requestId: string) {
    return this.copies.find((c) => c.request_id === requestId) ?? null;
  }

  /** Every order of the shopper, newest first: answered or not, and ones made before this device (seeded, other devices). */
  get orders() {
    return myOrders(this.requests, this.copies);
  }
}

export const shop = new Shop();
