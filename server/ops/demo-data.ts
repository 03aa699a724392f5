// The demo data set, generated deterministically from a seed and an anchor
// date: same inputs, same documents. Pure: no I/O here, see seed.ts.
import { cancelEntries, emptyFold, foldLedger, ids, saleEntries, ulid, type Category, type SalesTally, type LedgerEntry, type Order, type Product, type UserProfile, type Warehouse, type WarehouseItem } from '../../src/lib/model/index.ts';
import type { Topology } from '../../src/lib/model/topology.ts';
import { CATEGORIES, demoPrice, demoProducts } from './demo-products.ts';
import { productImages } from './product-art.ts';

export interface DemoOptions {
  seed: number;
  /** End of the order history (orders reach back `days` from here). */
  anchor: Date;
  products: number;
  usersPerRegion: number;
  days: number;
  /** Orders per region; default about 8 a day. */
  ordersPerRegion: number;
  /** Attach generated pictures to every product: thumb.png (128 px) and photo.png (480 px). */
  photos: boolean;
}

export const defaultDemoOptions = (): DemoOptions => ({
  seed: 42, anchor: new Date(), products: 200, usersPerRegion: 50, days: 90, ordersPerRegion: 720, photos: true,
});

export interface RegionData {
  inventory: Array<Warehouse | WarehouseItem>;
  ops: Array<UserProfile | Order | LedgerEntry | SalesTally>;
  accounts: Array<{ name: string; full_name: string }>;
}

export interface DemoData {
  catalog: Array<Category | Product>;
  regions: Record<string, RegionData>;
}

/** mulberry32: small, fast, good enough for demo data, and repeatable. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

const FIRST = ['budi', 'sari', 'agus', 'dewi', 'rina', 'andi', 'putri', 'eko', 'wati', 'joko', 'siti', 'rudi', 'yuni', 'hendra', 'lestari', 'bayu', 'indah', 'dimas', 'fitri', 'gilang', 'ayu', 'fajar', 'maya', 'rizki', 'nur'];
const LAST = ['santoso', 'wijaya', 'saputra', 'lestari', 'pratama', 'hidayat', 'kusuma', 'nugroho', 'siregar', 'utami', 'setiawan', 'halim'];
const STREETS = ['Jl. Merdeka', 'Jl. Sudirman', 'Jl. Diponegoro', 'Jl. Asia Afrika', 'Jl. Pahlawan', 'Jl. Gatot Subroto', 'Jl. Ahmad Yani'];

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

export function generateDemo(t: Topology, o: DemoOptions): DemoData {
  const r = rng(o.seed);
  const anchor = o.anchor.getTime();
  const catalogTime = iso(anchor - (o.days + 1) * DAY);
  const catalog: Array<Category | Product> = [];
  CATEGORIES.forEach(({ slug, name, name_en }, i) =>
    catalog.push({ _id: ids.category(slug), type: 'category', slug, name, name_en, sort: i, updated_at: catalogTime }),
  );
  const products: Product[] = [];
  // Names shuffle from their own stream, so the catalogue's vocabulary does not shift prices and dates.
  const product = demoProducts(rng(o.seed ^ 0x6e616d65).next);
  for (let i = 0; i < o.products; i++) {
    const d = product(i);
    const { slug } = d.category;
    const sku = `${slug.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(5, '0')}`;
    const p: Product = {
      _id: ids.product(sku), type: 'product', sku,
      name: d.name,
      description: d.description,
      category_id: ids.category(slug),
      // The same draw as before (the stream's later values stay where they were), now the brand's standing.
      price: demoPrice(d.kind, d.size, (r.int(4, 400) - 4) / 396),
      unit: d.kind.unit,
      active: true,
      created_at: iso(anchor - r.int(o.days + 1, o.days + 200) * DAY),
      updated_at: catalogTime,
    };
    if (o.photos) {
      const { thumb, photo } = productImages(d.art);
      p._attachments = {
        'thumb.png': { content_type: 'image/png', data: thumb.toString('base64') },
        'photo.png': { content_type: 'image/png', data: photo.toString('base64') },
      };
    }
    products.push(p);
  }
  catalog.push(...products);

  const regions: Record<string, RegionData> = {};
  for (const region of t.regions) {
    const R = region.code;
    const lc = R.toLowerCase();
    const rr = rng(o.seed ^ hashCode(R));
    const inventory: RegionData['inventory'] = [];
    const ops: RegionData['ops'] = [];
    const items: WarehouseItem[] = [];
    for (const w of region.warehouses) {
      inventory.push({
        _id: ids.warehouse(R, w.code), type: 'warehouse', region_code: R, code: w.code, name: w.name, city: w.city,
        delivery_days: w.delivery_days, updated_at: catalogTime,
      });
      for (const p of products) {
        if (!rr.chance(0.85)) continue;
        items.push({
          _id: ids.stock(R, w.code, p.sku), type: 'warehouse_item', region_code: R, warehouse_id: ids.warehouse(R, w.code),
          product_id: p._id, quantity: 0, low_threshold: 10, ledger_count: 0, updated_at: catalogTime,
        });
      }
    }
    // Final stock: a tenth sold out, some low, most comfortable.
    const finalQty = new Map(items.map((it) => [it._id, rr.chance(0.1) ? 0 : rr.chance(0.17) ? rr.int(1, 9) : rr.int(20, 200)]));
    const accounts: RegionData['accounts'] = [];
    const users: UserProfile[] = [];
    for (let u = 0; u < o.usersPerRegion; u++) {
      const first = u === 0 ? 'pembeli' : rr.pick(FIRST);
      const last = rr.pick(LAST);
      const name = u === 0 ? `pembeli.${lc}` : `${first}.${last}${u}.${lc}`;
      const full = u === 0 ? `Pembeli Demo ${region.name}` : `${cap(first)} ${cap(last)}`;
      accounts.push({ name, full_name: full });
      users.push({
        _id: ids.user(R, name), type: 'user', region_code: R, name, full_name: full, email: `${name}@contoh.id`,
        phone: `+62 8${rr.int(11, 99)} ${rr.int(1000, 9999)} ${rr.int(1000, 9999)}`,
        address: `${rr.pick(STREETS)} No. ${rr.int(1, 200)}, ${region.warehouses[0].city}`,
        created_at: iso(anchor - rr.int(o.days, o.days + 365) * DAY),
      });
    }
    ops.push(...users);
    const sold = new Map<string, number>();
    const ledger: LedgerEntry[] = [];
    const productById = new Map(products.map((p) => [p._id, p]));
    for (let n = 0; n < o.ordersPerRegion; n++) {
      const created = anchor - rr.next() * o.days * DAY;
      const requestId = ulid(Math.floor(created), rr.next);
      const user = rr.pick(users);
      const orderId = ids.order(R, user.name, requestId);
      const lines = new Map<string, WarehouseItem>();
      const want = rr.int(1, 4);
      while (lines.size < want) {
        const it = rr.pick(items);
        lines.set(it._id, it);
      }
      const orderItems = [...lines.values()].map((it) => {
        const p = productById.get(it.product_id)!;
        const qty = rr.int(1, 3);
        return { product_id: p._id, stock_id: it._id, warehouse_id: it.warehouse_id, name: p.name, qty, price: p.price, subtotal: qty * p.price };
      });
      const ageDays = (anchor - created) / DAY;
      const canceled = ageDays > 2 && rr.chance(0.06);
      const path = ['placed', ...(ageDays > 1 ? ['processed'] : []), ...(ageDays > 3 ? ['shipped'] : []), ...(ageDays > 7 ? ['delivered'] : [])];
      const statuses = canceled ? ['placed', 'canceled'] : path;
      const history = statuses.map((status, k) => ({ status, at: iso(created + k * 0.8 * DAY), by: k === 0 ? user.name : `admin-${lc}` })) as Order['history'];
      const status = statuses[statuses.length - 1] as Order['status'];
      ops.push({
        _id: orderId, type: 'order', region_code: R, user_name: user.name, request_id: requestId, items: orderItems,
        total: orderItems.reduce((s, i) => s + i.subtotal, 0), status, address: user.address ?? 'Alamat demo',
        history, created_at: iso(created), updated_at: history[history.length - 1].at,
      });
      // The same derived entries the region service writes (so its recovery finds them done).
      const order = ops[ops.length - 1] as Order;
      ledger.push(...saleEntries(order, `svc-${lc}`, iso(created)));
      if (canceled) ledger.push(...cancelEntries(order, `svc-${lc}`, history[1].at));
      for (const line of orderItems) sold.set(line.stock_id, (sold.get(line.stock_id) ?? 0) + (canceled ? 0 : line.qty));
    }
    // The opening stock is whatever makes the ledger add up to the final quantity.
    for (const it of items) {
      const opening = finalQty.get(it._id)! + (sold.get(it._id) ?? 0);
      if (opening > 0) {
        ledger.push({
          _id: ids.ledger(R, `seed:${it._id.slice('stock:'.length)}`), type: 'ledger', region_code: R, stock_id: it._id,
          delta: opening, reason: 'seed', note: 'Stok awal (data demo)', by: `svc-${lc}`, at: iso(anchor - (o.days + 1) * DAY),
        });
      }
    }
    // Snapshots and sales tallies from the ledger's fold, as the region service writes them.
    const folded = foldLedger(ledger);
    for (const it of items) {
      const f = folded.get(it._id) ?? emptyFold();
      it.quantity = f.quantity;
      it.ledger_count = f.count;
      if (f.units || f.revenue) {
        ops.push({
          _id: ids.tally(it._id), type: 'sales_tally', region_code: R, stock_id: it._id, product_id: it.product_id,
          units: f.units, revenue: f.revenue, updated_at: iso(anchor),
        } satisfies SalesTally);
      }
    }
    inventory.push(...items);
    for (const e of ledger) ops.push(e); // not push(...ledger): a million arguments overflow the stack
    regions[R] = { inventory, ops, accounts };
  }
  return { catalog, regions };
}

function hashCode(s: string) {
  let h = 0;
  for (const ch of s) h = (Math.imul(31, h) + ch.charCodeAt(0)) | 0;
  return h;
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
