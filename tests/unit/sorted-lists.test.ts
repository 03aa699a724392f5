// Central's catalog and stock lists against the node's real view engine and the real design
// documents (design-docs/catalog, design-docs/inventory), with generated products and stock rows
// (seeded): walking every page visits each row once, in the order asked, the count agrees, a search
// finds exactly what a brute-force word-prefix match finds, and the stock view's "low" rows are the
// rows stockStatus calls low or out.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { collate } from 'pouchdb-collate';
import { ViewEngine } from '../../server/node/views.ts';
import { designDoc } from '../../server/design.ts';
import { productQuery, type ProductOrder } from '../../src/lib/sync/catalog-list.ts';
import { productStock, stockQuery, unitsHeld, type StockOrder } from '../../src/lib/sync/stock-list.ts';
import { stockStatus, type Product, type UserProfile, type WarehouseItem } from '../../src/lib/model/index.ts';
import { userQuery } from '../../src/lib/sync/user-list.ts';
import type { PageQuery, ViewFn } from '../../src/lib/sync/key-pager.ts';
import { rng } from './random-text.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-lists-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const engine = new ViewEngine();

async function database(name: 'catalog' | 'inventory' | 'ops', docs: object[]) {
  const db = new PouchDB(join(dir, `${name}-${Math.random().toString(36).slice(2)}`), { adapter: 'leveldb' } as any);
  const { validate_doc_update: _rules, ...ddoc } = designDoc(name, null);
  await db.bulkDocs([ddoc, ...docs] as any[]);
  const view: ViewFn = async (v, params) => (await engine.query(db, 'sebaran', v, params as any)).rows as any;
  return { db, view };
}

async function walk<R>(q: PageQuery<R>, perPage: number) {
  const rows: R[] = [];
  for (let start: unknown = null, pages = 0; ; pages++) {
    expect(pages).toBeLessThan(1000);
    const p = await q.page(start, perPage);
    expect(p.rows.length).toBeLessThanOrEqual(perPage);
    rows.push(...p.rows);
    if (p.next === null) return rows;
    start = p.next;
  }
}

const NOUNS = ['Kopi', 'Teh', 'Gula', 'Beras', 'Sabun', 'Sampo', 'Kecap', 'Sambal', 'Keripik', 'Susu'];
const BRANDS = ['Priangan', 'Nusantara', 'Mentari', 'Garuda', 'Sari Rasa', 'Dwi-Jaya', 'Émas'];
const CATS = ['category:sembako', 'category:minuman', 'category:bumbu'];

function products(seed: number): Product[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: 20 + Math.floor(r() * 80) }, (_, i) => {
    const sku = `${pick(['SEM', 'MIN', 'BUM'])}-${String(i + 1).padStart(5, '0')}`;
    return {
      _id: `product:${sku}`, type: 'product', sku, name: `${pick(NOUNS)} ${pick(BRANDS)}${r() < 0.3 ? ' 250 g' : ''}`,
      category_id: pick(CATS), price: 500 * (1 + Math.floor(r() * 8)), unit: 'pcs', active: r() < 0.9,
      created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-01T00:00:00.000Z',
    } as Product;
  });
}

/** The expected order: each order's sort values under CouchDB collation (pouchdb-collate), then the id. */
const by = (key: (p: Product) => unknown[]) => (a: Product, b: Product) => collate(key(a), key(b)) || (a._id < b._id ? -1 : 1);
const expectedOrder: Record<ProductOrder, (a: Product, b: Product) => number> = {
  name: by((p) => [p.name.toLowerCase(), p.sku]),
  'name-desc': (a, b) => -expectedOrder.name(a, b),
  price: by((p) => [p.price, p.name.toLowerCase()]),
  'price-desc': (a, b) => -expectedOrder.price(a, b),
  sku: by((p) => [p.sku]),
};

describe('central catalog list (products_sorted, products_search)', () => {
  for (let seed = 1; seed <= 6; seed++) {
    it(`every page walk visits each product once, in order, for every order and category (case ${seed})`, async () => {
      const all = products(seed);
      const { view } = await database('catalog', all);
      const docs = async (ids: string[]) => ids.map((id) => all.find((p) => p._id === id)!);
      const r = rng(seed * 31);
      for (const order of Object.keys(expectedOrder) as ProductOrder[]) {
        for (const category of ['', ...CATS]) {
          const want = all.filter((p) => !category || p.category_id === category);
          const { query } = await productQuery(view, docs, { search: '', category, order });
          expect(await query.count()).toBe(want.length);
          const got = await walk(query, 1 + Math.floor(r() * 15));
          expect(got.map((p) => p._id)).toEqual([...want].sort(expectedOrder[order]).map((p) => p._id));
        }
      }
    });

    it(`a search finds exactly the products whose words start with every query word (case ${seed})`, async () => {
      const all = products(seed);
      const { view } = await database('catalog', all);
      const docs = async (ids: string[]) => ids.map((id) => all.find((p) => p._id === id)!);
      const r = rng(seed * 97);
      const own = (p: Product) => `${p.name} ${p.sku}`.toLowerCase().split(/[^a-z0-9\u00c0-\uffff]+/).concat(p.sku.toLowerCase());
      for (let k = 0; k < 25; k++) {
        const p = all[Math.floor(r() * all.length)];
        const ws = own(p).filter(Boolean);
        const query = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
          const w = ws[Math.floor(r() * ws.length)];
          return w.slice(0, 1 + Math.floor(r() * w.length));
        });
        const text = query.map((w) => (r() < 0.5 ? w.toUpperCase() : w)).join(r() < 0.5 ? ' ' : '  ');
        const category = r() < 0.3 ? p.category_id : '';
        const want = all.filter((x) => (!category || x.category_id === category) && query.every((q) => own(x).some((w) => w.startsWith(q))));
        const { query: q, capped } = await productQuery(view, docs, { search: text, category, order: 'sku' });
        expect(capped).toBe(false);
        expect(await q.count()).toBe(want.length);
        expect((await walk(q, 7)).map((x) => x._id)).toEqual(want.map((x) => x._id).sort());
      }
    });
  }
});

function stock(seed: number): WarehouseItem[] {
  const r = rng(seed);
  const rows: WarehouseItem[] = [];
  for (const R of ['BDG', 'JKT', 'SBY']) {
    for (const W of ['GD1', 'GD2']) {
      for (let i = 1; i <= 25; i++) {
        if (r() < 0.3) continue;
        const sku = `SEM-${String(i).padStart(5, '0')}`;
        const quantity = r() < 0.15 ? 0 : Math.floor(r() * 40);
        rows.push({
          _id: `stock:${R}:${W}:${sku}`, type: 'warehouse_item', region_code: R, warehouse_id: `warehouse:${R}:${W}`, product_id: `product:${sku}`,
          quantity, low_threshold: Math.floor(r() * 15), ledger_count: 1, updated_at: '2026-11-01T00:00:00.000Z',
        });
      }
    }
  }
  return rows;
}

const stockOrder: Record<StockOrder, (a: WarehouseItem, b: WarehouseItem) => number> = {
  sku: (a, b) => (a.product_id + a.region_code + a.warehouse_id < b.product_id + b.region_code + b.warehouse_id ? -1 : 1),
  qty: (a, b) => a.quantity - b.quantity || stockOrder.sku(a, b),
  'qty-desc': (a, b) => -stockOrder.qty(a, b),
  region: (a, b) => (a.region_code + a.warehouse_id + a.product_id < b.region_code + b.warehouse_id + b.product_id ? -1 : 1),
};

describe('central stock list (stock_sorted)', () => {
  for (let seed = 1; seed <= 4; seed++) {
    it(`every filter and order: each row once, in order, counted; low = stockStatus low or out (case ${seed})`, async () => {
      const all = stock(seed);
      const { view } = await database('inventory', all);
      const r = rng(seed * 13);
      for (const region of ['', 'BDG', 'SBY']) {
        for (const warehouse of ['', `warehouse:${region || 'JKT'}:GD2`]) {
          for (const lowOnly of [false, true]) {
            const want = all.filter((i) => (!region || i.region_code === region) && (!warehouse || i.warehouse_id === warehouse)
              && (!lowOnly || stockStatus(i.quantity, i.low_threshold) !== 'normal'));
            expect(want.length).toBeGreaterThan(0);
            for (const order of Object.keys(stockOrder) as StockOrder[]) {
              const q = stockQuery(view, { region, warehouse, lowOnly, order });
              expect(await q.count()).toBe(want.length);
              const got = await walk(q, 1 + Math.floor(r() * 20));
              expect(got.map((i) => i._id)).toEqual([...want].sort(stockOrder[order]).map((i) => i._id));
            }
          }
        }
      }
      for (const p of ['product:SEM-00003', 'product:SEM-00017', 'product:NONE-1']) {
        const rows = all.filter((i) => i.product_id === p);
        expect((await productStock(view, p)).map((i) => i._id).sort()).toEqual(rows.map((i) => i._id).sort());
        expect(await unitsHeld(view, p)).toBe(rows.reduce((n, i) => n + i.quantity, 0));
      }
    });
  }
});

const FIRST = ['budi', 'sari', 'agus', 'dewi', 'rina', 'andi', 'putri'];
const LAST = ['santoso', 'wijaya', 'saputra', 'lestari', 'pratama'];

function users(seed: number): UserProfile[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: 20 + Math.floor(r() * 60) }, (_, i) => {
    const R = pick(['BDG', 'JKT', 'SBY']);
    const first = pick(FIRST), last = pick(LAST);
    const name = `${first}.${last}${i}.${R.toLowerCase()}`;
    return {
      _id: `user:${R}:${name}`, type: 'user', region_code: R, name, full_name: `${first[0].toUpperCase()}${first.slice(1)} ${last}`,
      email: `${first}_${last}@contoh.id`, created_at: new Date(Date.UTC(2026, 0, 1 + Math.floor(r() * 300))).toISOString(),
    } as UserProfile;
  });
}

describe('shopper lists (users_sorted, users_search)', () => {
  for (let seed = 1; seed <= 4; seed++) {
    it(`pages, orders and searches agree with the documents (case ${seed})`, async () => {
      const all = users(seed);
      const { view } = await database('ops', all);
      const docs = async (ids: string[]) => ids.map((id) => all.find((u) => u._id === id)!);
      const r = rng(seed * 7);
      const byName = (a: UserProfile, b: UserProfile) => collate([a.name], [b.name]) || (a._id < b._id ? -1 : 1);
      const newest = (a: UserProfile, b: UserProfile) => -(collate([a.created_at, a.name], [b.created_at, b.name]) || (a._id < b._id ? -1 : 1));
      for (const scope of ['all', 'BDG', 'SBY']) {
        const want = all.filter((u) => scope === 'all' || u.region_code === scope);
        for (const [order, cmp] of [['name', byName], ['newest', newest]] as const) {
          const { query } = await userQuery(view, docs, { scope, search: '', order });
          expect(await query.count()).toBe(want.length);
          expect((await walk(query, 1 + Math.floor(r() * 12))).map((u) => u._id)).toEqual([...want].sort(cmp).map((u) => u._id));
        }
        for (let k = 0; k < 10; k++) {
          const u = all[Math.floor(r() * all.length)];
          const own = `${u.name} ${u.full_name} ${u.email}`.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
          const w = own[Math.floor(r() * own.length)];
          const q = w.slice(0, 1 + Math.floor(r() * w.length));
          const hit = (x: UserProfile) => `${x.name} ${x.full_name} ${x.email}`.toLowerCase().split(/[^a-z0-9]+/).some((y) => y.startsWith(q));
          const { query } = await userQuery(view, docs, { scope, search: q.toUpperCase(), order: 'name' });
          expect((await walk(query, 5)).map((x) => x._id).sort()).toEqual(want.filter(hit).map((x) => x._id).sort());
        }
      }
    });
  }
});
