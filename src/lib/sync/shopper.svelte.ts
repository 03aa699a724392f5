// The signed-in shopper's own database on this device (cart, checkout
// requests, the service's order copies), synced both ways with their
// database at the region node. An account belongs to one region, so the open
// database remembers its region and refuses cart and checkout writes while
// another region is shown.
import PouchDB from 'pouchdb-browser';
import { CartItem, CheckoutRequest, LIMITS, ids, ulid, userDbName, type OrderCopy, type WarehouseItem } from '../model/index.ts';
import { qtyProblem } from '../model/cart.ts';
import { nodeUrl, type Session } from './session.ts';
import { ShopError, myOrders, resolveCartConflicts, splitUserDocs } from './user-docs.ts';

const nowIso = () => new Date().toISOString();
/** Which account of a name this device's replica belongs to (`_design/account` at the node). */
const ACCOUNT_KEY = 'sebaran.account';

/** The device's replica of one account: a new account of a deleted name never opens the old one's. */
function localUserDbName(region: string, name: string) {
  const account = localStorage.getItem(`${ACCOUNT_KEY}.${region}.${name}`);
  return account ? `sebaran-${region}-user-${name}-${account}` : `sebaran-${region}-user-${name}`;
}

/** What the shopper's database needs to know of the shop around it. */
export interface ShopView {
  readonly region: string | null;
  readonly staff: Session | null;
  lineStock(stockId: string): WarehouseItem | undefined;
  /** The user database answered: the device is online. */
  sawNode(): void;
}

function remoteDb(url: string) {
  return new PouchDB(url, {
    skip_setup: true,
    fetch: (u: string | Request, opts: RequestInit = {}) => (PouchDB as any).fetch(u, { ...opts, credentials: 'include' }),
  } as any);
}

export class ShopperDb {
  user = $state<string | null>(null);
  cart = $state.raw<CartItem[]>([]);
  requests = $state.raw<CheckoutRequest[]>([]);
  copies = $state.raw<OrderCopy[]>([]);

  private db: PouchDB.Database | null = null;
  /** The region whose node holds this database: accounts (and carts) belong to one region. */
  private home: string | null = null;
  private sync: PouchDB.Replication.Sync<{}> | null = null;
  private feed: PouchDB.Core.Changes<{}> | null = null;
  /**
   * Cart writes one after another: a quantity typed and then "Remove" clicked fires both at once
   * (the field's change on blur, then the click), and each reads the line's revision before writing.
   */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private shop: ShopView) {}

  async open(region: string, name: string) {
    this.close();
    this.user = name;
    this.home = region;
    const db = new PouchDB(localUserDbName(region, name));
    this.db = db;
    // Followed from before the first read, so a write landing between the two is not missed.
    const { update_seq: from } = await db.info();
    await this.reload();
    if (this.db !== db) return; // closed meanwhile (another region or account)
    this.feed = db.changes({ since: from, live: true }).on('change', () => void this.reload());
    this.sync = PouchDB.sync(db, remoteDb(`${nodeUrl(region)}/${userDbName(name)}`), {
      live: true, retry: true, back_off_function: (d: number) => (d === 0 ? 500 : Math.min(d * 2, 10_000)),
    } as any)
      .on('change', () => void resolveCartConflicts(db))
      .on('paused', (err: unknown) => {
        if (!err) this.shop.sawNode();
      }) as any;
  }

  /**
   * Learns which account of this name the node holds now. A replica this device kept for an earlier
   * account of the same name (deleted since) is destroyed, so none of its carts, requests or orders
   * reach the new account. Unknown (offline, or the node has no database yet): nothing changes.
   */
  async learnAccount(region: string, name: string) {
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
    if (this.user === name && this.home === region) this.close();
    await new PouchDB(localUserDbName(region, name)).destroy().catch(() => {});
    if (account) localStorage.setItem(key, account);
    else localStorage.removeItem(key);
  }

  /** Stops the sync but keeps what the pages show (the node no longer knows the session). */
  pause() {
    this.sync?.cancel();
    this.sync = null;
  }

  /** Stops the sync and clears what the pages show; the local database stays on the device. */
  close() {
    this.sync?.cancel();
    this.feed?.cancel();
    this.sync = null;
    this.feed = null;
    this.db = null;
    this.home = null;
    this.user = null;
    this.cart = [];
    this.requests = [];
    this.copies = [];
  }

  private async reload() {
    const db = this.db;
    if (!db) return;
    const all = await db.allDocs({ include_docs: true });
    if (db !== this.db) return;
    const mine = splitUserDocs(all.rows.map((r: any) => r.doc));
    this.cart = mine.cart;
    this.requests = mine.requests;
    this.copies = mine.copies;
  }

  /** The database, if a shopper of the region being shown has it open. */
  private own(): PouchDB.Database {
    if (this.shop.staff) throw new ShopError('staff');
    if (!this.db || !this.user) throw new ShopError('signin_needed');
    if (this.home !== this.shop.region) throw new ShopError('other_region');
    return this.db;
  }

  private inOrder<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writes.then(write, write);
    this.writes = next.catch(() => {});
    return next;
  }

  /** Sets a line's quantity: a whole number from 1 to the stock; anything else changes nothing. */
  setQty(stockId: string, productId: string, qty: number) {
    return this.inOrder(() => this.writeQty(stockId, productId, qty));
  }

  private async writeQty(stockId: string, productId: string, qty: number) {
    const db = this.own();
    const max = this.shop.lineStock(stockId)?.quantity ?? 0;
    const problem = qtyProblem(qty, max);
    if (problem) throw new ShopError(problem);
    const id = ids.cartItem(stockId);
    const existing = (await db.get(id).catch(() => null)) as CartItem | null;
    // A checkout carries at most LIMITS.lines lines, so a cart never holds more.
    if (!existing && this.cart.length >= LIMITS.lines) throw new ShopError('cart_full');
    const doc = CartItem.parse({
      _id: id, ...(existing?._rev ? { _rev: existing._rev } : {}), type: 'cart_item', region_code: this.home,
      stock_id: stockId, product_id: productId, qty, updated_at: nowIso(),
    });
    await db.put(doc as any);
  }

  /** Removing a line is its own action, never a side effect of a quantity. */
  remove(stockId: string) {
    return this.inOrder(async () => {
      const db = this.own();
      const existing = await db.get(ids.cartItem(stockId)).catch(() => null);
      if (existing) await db.remove(existing as any);
    });
  }

  /** Adds up to the stock shown; `added` is what went in (0 when the cart already holds it all). */
  add(stockId: string, productId: string, qty = 1): Promise<{ added: number; inCart: number }> {
    return this.inOrder(async () => {
      const current = this.cart.find((c) => c.stock_id === stockId)?.qty ?? 0;
      const max = this.shop.lineStock(stockId)?.quantity ?? 0;
      const next = Math.max(current, Math.min(current + qty, Math.max(max, 1)));
      if (next !== current) await this.writeQty(stockId, productId, next);
      return { added: next - current, inCart: next };
    });
  }

  /** Writes the checkout request locally; it reaches the region whenever the device is online. */
  checkout(address: string) {
    return this.inOrder(async () => {
      const db = this.own();
      if (this.cart.length === 0) throw new ShopError('cart_empty');
      const requestId = ulid();
      const req = CheckoutRequest.parse({
        _id: ids.checkout(requestId), type: 'checkout_request', region_code: this.home, request_id: requestId,
        items: this.cart.map((c) => ({ stock_id: c.stock_id, product_id: c.product_id, qty: c.qty })), address, created_at: nowIso(),
      });
      // Bare tombstones: the cart lines are gone, nothing of them need travel (the node's rules allow no more).
      await db.bulkDocs([req, ...this.cart.map((c) => ({ _id: c._id, _rev: c._rev, _deleted: true }))] as any[]);
      return requestId;
    });
  }

  copyFor(requestId: string) {
    return this.copies.find((c) => c.request_id === requestId) ?? null;
  }

  /** Every order of the shopper, newest first: answered or not, and ones made before this device (seeded, other devices). */
  get orders() {
    return myOrders(this.requests, this.copies);
  }
}
