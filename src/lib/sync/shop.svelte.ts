// The shopper's device: local PouchDB replicas of the region's catalog and
// stock (pulled), the shopper's own database (synced both ways), and the
// session at the region node. Everything the shop pages show comes from
// here, so they keep working offline. The one stateful singleton of the shop.
import PouchDB from 'pouchdb-browser';
import { pullChanges, hasPulled } from './pull.ts';
import type { PublicTopology } from '../model/topology.ts';
import {
  CartItem, CheckoutRequest, LIMITS, QTY_MAX, ids, ulid, userDbName,
  type Category, type OrderCopy, type Product, type Warehouse, type WarehouseItem,
} from '../model/index.ts';
import { SIGNUP_ERRORS, type SignUp, type SignUpError } from '../model/signup.ts';

const REGION_KEY = 'sebaran.region';
const USER_KEY = 'sebaran.user';
/** Which account of a name this device's replica belongs to (`_design/account` at the node). */
const ACCOUNT_KEY = 'sebaran.account';
const TOPOLOGY_KEY = 'sebaran.topology';

export interface StockLine {
  item: WarehouseItem;
  warehouse: Warehouse | undefined;
}

const nowIso = () => new Date().toISOString();
const nodeUrl = (region: string) => `${location.origin}/db/${region.toLowerCase()}`;

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
  /** Warehouse items of this region, by product id. */
  stock = $state.raw<Map<string, StockLine[]>>(new Map());
  user = $state<string | null>(null);
  cart = $state.raw<CartItem[]>([]);
  requests = $state.raw<CheckoutRequest[]>([]);
  copies = $state.raw<OrderCopy[]>([]);

  private catalogDb: PouchDB.Database | null = null;
  private inventoryDb: PouchDB.Database | null = null;
  private userDb: PouchDB.Database | null = null;
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

  async chooseRegion(code: string) {
    const gen = ++this.generation;
    this.stopSync();
    localStorage.setItem(REGION_KEY, code);
    this.region = code;
    this.ready = false;
    this.loaded = 0;
    this.categories = [];
    this.products = [];
    this.stock = new Map();
    this.catalogDb = new PouchDB(`sebaran-${code}-catalog`);
    this.inventoryDb = new PouchDB(`sebaran-${code}-inventory`);
    this.maps = { categories: new Map(), products: new Map(), warehouses: new Map(), items: new Map() };
    this.seqs = { catalog: 0, inventory: 0 };
    const offlineReady = (await hasPulled(this.catalogDb)) && (await hasPulled(this.inventoryDb));
    if (offlineReady && !(await this.loadViewCache())) await this.reloadCatalog();
    if (gen !== this.generation) return;
    const remembered = localStorage.getItem(`${USER_KEY}.${code}`);
    if (remembered) await this.openUser(remembered);
    void this.pullLoop(gen);
    void this.checkSession(code);
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
        void this.checkSession(region);
        void this.openUser(this.user); // a fresh sync instead of waiting out its back-off
      }
    }
  }

  // What the pages show is built from these maps; they follow the local
  // databases' changes feeds, so a stock change costs one document, not a reload.
  private maps = {
    categories: new Map<string, Category>(),
    products: new Map<string, Product>(),
    warehouses: new Map<string, Warehouse>(),
    items: new Map<string, WarehouseItem>(),
  };
  private seqs = { catalog: 0 as number | string, inventory: 0 as number | string };

  private take(doc: any, deleted = false) {
    const m = this.maps;
    const id: string = doc._id;
    if (id.startsWith('category:')) deleted ? m.categories.delete(id) : m.categories.set(id, doc);
    else if (id.startsWith('product:')) {
      if (deleted || !doc.active) m.products.delete(id);
      else {
        const { _attachments, ...rest } = doc;
        m.products.set(id, rest);
      }
    } else if (id.startsWith('warehouse:')) deleted ? m.warehouses.delete(id) : m.warehouses.set(id, doc);
    else if (id.startsWith('stock:')) deleted ? m.items.delete(id) : m.items.set(id, doc);
  }

  private publish() {
    const m = this.maps;
    const stock = new Map<string, StockLine[]>();
    for (const item of m.items.values()) {
      const lines = stock.get(item.product_id) ?? [];
      lines.push({ item, warehouse: m.warehouses.get(item.warehouse_id) });
      stock.set(item.product_id, lines);
    }
    for (const lines of stock.values()) lines.sort((a, b) => b.item.quantity - a.item.quantity);
    this.categories = [...m.categories.values()].sort((a, b) => a.sort - b.sort);
    this.products = [...m.products.values()];
    this.stock = stock;
    this.ready = true;
  }

  /** First render on a returning visit: one cached document instead of every product and stock line. */
  private async loadViewCache(): Promise<boolean> {
    try {
      const cache: any = await this.catalogDb!.get('_local/sebaran-view');
      for (const d of [...cache.categories, ...cache.products, ...cache.warehouses, ...cache.items]) this.take(d);
      this.seqs = cache.seqs;
      this.publish();
      return true;
    } catch {
      return false;
    }
  }

  private async saveViewCache() {
    const m = this.maps;
    const doc: any = {
      _id: '_local/sebaran-view', seqs: this.seqs,
      categories: [...m.categories.values()], products: [...m.products.values()],
      warehouses: [...m.warehouses.values()], items: [...m.items.values()],
    };
    try {
      const prev: any = await this.catalogDb!.get('_local/sebaran-view').catch(() => null);
      if (prev) doc._rev = prev._rev;
      await this.catalogDb!.put(doc);
    } catch {
      /* a cache only: the next refresh writes it again */
    }
  }

  /** Applies what changed in the local replicas since the last look. */
  private async reloadCatalog() {
    const [cat, inv] = await Promise.all([
      this.catalogDb!.changes({ since: this.seqs.catalog, include_docs: true }),
      this.inventoryDb!.changes({ since: this.seqs.inventory, include_docs: true }),
    ]);
    for (const c of [...cat.results, ...inv.results] as any[]) {
      if (c.id.startsWith('_design/')) continue;
      this.take(c.doc ?? { _id: c.id }, !!c.deleted);
    }
    this.seqs = { catalog: cat.last_seq, inventory: inv.last_seq };
    this.publish();
    if (cat.results.length + inv.results.length > 0) void this.saveViewCache();
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

  private async checkSession(region: string) {
    try {
      const res = await fetch(`${nodeUrl(region)}/_session`, { credentials: 'include' });
      const body = await res.json();
      const name: string | null = body?.userCtx?.name ?? null;
      if (region !== this.region) return;
      if (name && name !== this.user) {
        await this.learnAccount(region, name);
        await this.openUser(name);
      }
      if (!name && this.user) {
        // The node no longer knows our cookie: stay usable offline, but ask to sign in again to sync.
        this.userSync?.cancel();
        this.userSync = null;
      }
    } catch {
      /* offline: keep what the device remembers */
    }
  }

  async signIn(name: string, password: string, open = true): Promise<'ok' | 'wrong' | 'offline'> {
    const region = this.region!;
    try {
      const res = await fetch(`${nodeUrl(region)}/_session`, {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      if (res.status === 401) return 'wrong';
      if (!res.ok) throw new Error(String(res.status));
    } catch (e) {
      return (e as Error).message === '401' ? 'wrong' : 'offline';
    }
    if (open) {
      await this.learnAccount(region, name);
      await this.openUser(name);
    }
    return 'ok';
  }

  /**
   * Signs up through the region (`/db/<region>/_signup`, served by the app server, which creates the
   * account and its database with admin rights the browser never holds), then signs in.
   */
  async signUp(p: SignUp): Promise<'ok' | 'offline' | SignUpError> {
    const region = this.region!;
    let res: Response;
    try {
      res = await fetch(`${nodeUrl(region)}/_signup`, {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(p),
      });
    } catch {
      return 'offline';
    }
    if (!res.ok) {
      const code = (await res.json().catch(() => ({})))?.error;
      if (code === 'taken' && (await this.isOwnShopperAccount(p.name, p.password))) return this.afterSignUp(p.name);
      return (SIGNUP_ERRORS as readonly string[]).includes(code) ? (code as SignUpError) : 'unavailable';
    }
    const r = await this.signIn(p.name, p.password, false);
    if (r !== 'ok') return r === 'wrong' ? 'unavailable' : r;
    return this.afterSignUp(p.name);
  }

  private async afterSignUp(name: string): Promise<'ok'> {
    this.user = name;
    await this.waitForUserDb(); // made with the account; this only guards against a slow node
    await this.learnAccount(this.region!, name);
    await this.openUser(name);
    return 'ok';
  }

  /**
   * A sign-up sent twice (the answer to the first was lost) finds its own account "taken": if the
   * password opens a shopper account of that name, it is this shopper's, so sign in. A staff account
   * stays "taken" and its session is dropped at once.
   */
  private async isOwnShopperAccount(name: string, password: string): Promise<boolean> {
    const url = `${nodeUrl(this.region!)}/_session`;
    try {
      const res = await fetch(url, {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }),
      });
      if (!res.ok) return false;
      const body = await res.json();
      if (Array.isArray(body?.roles) && body.roles.length === 0) return true;
      await fetch(url, { method: 'DELETE', credentials: 'include' });
      return false;
    } catch {
      return false;
    }
  }

  async signOut() {
    const region = this.region!;
    this.userSync?.cancel();
    this.userFeed?.cancel();
    this.userSync = null;
    this.userFeed = null;
    localStorage.removeItem(`${USER_KEY}.${region}`);
    this.user = null;
    this.cart = [];
    this.requests = [];
    this.copies = [];
    await fetch(`${nodeUrl(region)}/_session`, { method: 'DELETE', credentials: 'include' }).catch(() => {});
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

  private localUserDbName(region: string, name: string) {
    const account = localStorage.getItem(`${ACCOUNT_KEY}.${region}.${name}`);
    return account ? `sebaran-${region}-user-${name}-${account}` : `sebaran-${region}-user-${name}`;
  }

  /**
   * Learns which account of this name the node holds now. A replica this device kept for an earlier
   * account of the same name (deleted since) is destroyed, so none of its carts, requests or orders
   * reach the new account. Unknown (offline, or the node has no database yet): nothing changes.
   */
  private async learnAccount(region: string, name: string) {
    const db = `${nodeUrl(region)}/${userDbName(name)}`;
    let account: string | null;
    try {
      if (!(await fetch(db, { credentials: 'include' })).ok) return;
      const res = await fetch(`${db}/_design/account`, { credentials: 'include' });
      if (res.status === 404) account = null; // an account made before accounts had ids
      else if (!res.ok) return;
      else account = (await res.json())?.account_id ?? null;
    } catch {
      return;
    }
    const key = `${ACCOUNT_KEY}.${region}.${name}`;
    if ((localStorage.getItem(key) ?? null) === account) return;
    if (this.user === name) {
      this.userSync?.cancel();
      this.userFeed?.cancel();
    }
    await new PouchDB(this.localUserDbName(region, name)).destroy().catch(() => {});
    if (account) localStorage.setItem(key, account);
    else localStorage.removeItem(key);
  }

  private async openUser(name: string) {
    const region = this.region!;
    localStorage.setItem(`${USER_KEY}.${region}`, name);
    this.user = name;
    this.userFeed?.cancel();
    this.userSync?.cancel();
    this.userDb = new PouchDB(this.localUserDbName(region, name));
    await this.reloadUser();
    this.userFeed = this.userDb
      .changes({ since: 'now', live: true })
      .on('change', () => void this.reloadUser());
    const remote = remoteDb(`${nodeUrl(region)}/${userDbName(name)}`);
    this.userSync = PouchDB.sync(this.userDb, remote, {
      live: true, retry: true, back_off_function: (d: number) => (d === 0 ? 500 : Math.min(d * 2, 10_000)),
    } as any)
      .on('change', () => void this.resolveConflicts())
      .on('paused', (err: unknown) => {
        if (!err) this.online = true;
      }) as any;
  }

  private async reloadUser() {
    if (!this.userDb) return;
    const all = await this.userDb.allDocs({ include_docs: true });
    const cart: CartItem[] = [];
    const requests: CheckoutRequest[] = [];
    const copies: OrderCopy[] = [];
    for (const r of all.rows as any[]) {
      const d = r.doc;
      if (d?.type === 'cart_item') cart.push(d);
      else if (d?.type === 'checkout_request') requests.push(d);
      else if (d?.type === 'order_copy') copies.push(d);
    }
    this.cart = cart.sort((a, b) => a._id.localeCompare(b._id));
    this.requests = requests.sort((a, b) => b.created_at.localeCompare(a.created_at));
    this.copies = copies;
  }

  /** Two devices edited one cart line: the newest edit wins, the others are removed. */
  private async resolveConflicts() {
    if (!this.userDb) return;
    const all = await this.userDb.allDocs({ include_docs: true, conflicts: true, startkey: 'cart:', endkey: 'cart:\uffff' });
    for (const r of all.rows as any[]) {
      const conflicts: string[] = r.doc?._conflicts ?? [];
      if (!conflicts.length) continue;
      const losers = await Promise.all(conflicts.map((rev) => this.userDb!.get(r.id, { rev }) as Promise<any>));
      const everyone = [r.doc, ...losers].sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? '') || (b._rev > a._rev ? 1 : -1));
      const winner = everyone[0];
      const removals = everyone.filter((d) => d._rev !== winner._rev).map((d) => ({ _id: d._id, _rev: d._rev, _deleted: true }));
      if (winner._rev !== r.doc._rev) {
        const { _conflicts, ...body } = winner;
        await this.userDb.put({ ...body, _rev: r.doc._rev });
        removals.splice(removals.findIndex((x) => x._rev === r.doc._rev), 1);
      }
      if (removals.length) await this.userDb.bulkDocs(removals);
    }
  }

  // --- cart and checkout ---------------------------------------------------

  lineStock(stockId: string): WarehouseItem | undefined {
    for (const lines of this.stock.values()) for (const l of lines) if (l.item._id === stockId) return l.item;
    return undefined;
  }

  async setCartQty(stockId: string, productId: string, qty: number) {
    if (!this.userDb) throw new Error('Sign in first');
    const id = ids.cartItem(stockId);
    const existing = (await this.userDb.get(id).catch(() => null)) as CartItem | null;
    if (qty <= 0) {
      if (existing) await this.userDb.remove(existing as any);
      return;
    }
    const max = Math.min(this.lineStock(stockId)?.quantity ?? 0, QTY_MAX);
    // A checkout carries at most LIMITS.lines lines, so a cart never holds more.
    if (!existing && this.cart.length >= LIMITS.lines) throw new Error('cart_full');
    const doc = CartItem.parse({
      _id: id, ...(existing?._rev ? { _rev: existing._rev } : {}), type: 'cart_item', region_code: this.region,
      stock_id: stockId, product_id: productId, qty: Math.min(qty, Math.max(max, 1)), updated_at: nowIso(),
    });
    await this.userDb.put(doc as any);
  }

  async addToCart(stockId: string, productId: string, qty = 1) {
    const current = this.cart.find((c) => c.stock_id === stockId)?.qty ?? 0;
    await this.setCartQty(stockId, productId, current + qty);
  }

  /** Writes the checkout request locally; it reaches the region whenever the device is online. */
  async checkout(address: string) {
    if (!this.userDb || this.cart.length === 0) throw new Error('The cart is empty');
    const requestId = ulid();
    const req = CheckoutRequest.parse({
      _id: ids.checkout(requestId), type: 'checkout_request', region_code: this.region, request_id: requestId,
      items: this.cart.map((c) => ({ stock_id: c.stock_id, product_id: c.product_id, qty: c.qty })), address, created_at: nowIso(),
    });
    await this.userDb.bulkDocs([req, ...this.cart.map((c) => ({ ...c, _deleted: true }))] as any[]);
    return requestId;
  }

  copyFor(requestId: string) {
    return this.copies.find((c) => c.request_id === requestId) ?? null;
  }
}

export const shop = new Shop();
