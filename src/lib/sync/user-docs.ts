// The shopper's own database, read: cart lines, checkout requests and the
// service's order copies, and the merge of the last two into "my orders".
import type PouchDB from 'pouchdb-browser';
import type { CartItem, CheckoutRequest, OrderCopy } from '../model/index.ts';

/** What a shop action refuses, as a code the pages translate (src/lib/i18n, `shop.error.*`). */
export const SHOP_ERRORS = ['signin_needed', 'staff', 'other_region', 'cart_empty', 'qty_not_whole', 'qty_too_small', 'qty_too_large', 'cart_full'] as const;
export type ShopErrorCode = (typeof SHOP_ERRORS)[number];

export class ShopError extends Error {
  constructor(readonly code: ShopErrorCode) {
    super(code);
  }
}

export function splitUserDocs(docs: any[]) {
  const cart: CartItem[] = [];
  const requests: CheckoutRequest[] = [];
  const copies: OrderCopy[] = [];
  for (const d of docs) {
    if (d?.type === 'cart_item') cart.push(d);
    else if (d?.type === 'checkout_request') requests.push(d);
    else if (d?.type === 'order_copy') copies.push(d);
  }
  cart.sort((a, b) => a._id.localeCompare(b._id));
  return { cart, requests, copies };
}

export interface MyOrder {
  key: string;
  request: CheckoutRequest | null;
  copy: OrderCopy | null;
  created_at: string;
}

/**
 * One row per order: a request with its answer (or still waiting), and every copy the service wrote
 * without a request on this database (orders made before the shopper had one, e.g. seeded history).
 */
export function myOrders(requests: CheckoutRequest[], copies: OrderCopy[]): MyOrder[] {
  const byRequest = new Map(copies.map((c) => [c.request_id, c]));
  // The order time is the region service's once it answered; the device's own clock only until then.
  const rows: MyOrder[] = requests.map((r) => {
    const copy = byRequest.get(r.request_id) ?? null;
    return { key: r._id, request: r, copy, created_at: copy?.created_at ?? r.created_at };
  });
  const asked = new Set(requests.map((r) => r.request_id));
  for (const c of copies) if (!asked.has(c.request_id)) rows.push({ key: c._id, request: null, copy: c, created_at: c.created_at });
  return rows.sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** Two devices edited one cart line: the newest edit wins, the others are removed. */
export async function resolveCartConflicts(db: PouchDB.Database) {
  const all = await db.allDocs({ include_docs: true, conflicts: true, startkey: 'cart:', endkey: 'cart:\uffff' });
  for (const r of all.rows as any[]) {
    const conflicts: string[] = r.doc?._conflicts ?? [];
    if (!conflicts.length) continue;
    const losers = await Promise.all(conflicts.map((rev) => db.get(r.id, { rev }) as Promise<any>));
    const everyone = [r.doc, ...losers].sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? '') || (b._rev > a._rev ? 1 : -1));
    const winner = everyone[0];
    const removals = everyone.filter((d) => d._rev !== winner._rev).map((d) => ({ _id: d._id, _rev: d._rev, _deleted: true }));
    if (winner._rev !== r.doc._rev) {
      const { _conflicts, ...body } = winner;
      await db.put({ ...body, _rev: r.doc._rev });
      removals.splice(removals.findIndex((x) => x._rev === r.doc._rev), 1);
    }
    if (removals.length) await db.bulkDocs(removals);
  }
}
