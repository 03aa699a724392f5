// Deciding a checkout request at the region service: prices from the
// catalog, stock from the service's own ledger fold, all lines or none.
import { CheckoutRequest } from './userdb.ts';
import type { LedgerEntry, Order, OrderItem } from './ops.ts';
import type { RejectionCode } from './codes.ts';
import { ids } from './ids.ts';
import { LIMITS, QTY_MAX } from './common.ts';
import type { Product } from './catalog.ts';
import type { WarehouseItem } from './inventory.ts';

export interface StockView {
  item: Pick<WarehouseItem, '_id' | 'warehouse_id' | 'product_id' | 'region_code'>;
  available: number;
}

export interface Decision {
  ok: boolean;
  items: OrderItem[];
  total: number;
  rejections: Rejection[];
}

/** The most of one item a single order may take, after merging lines: the cap of every other line. */
export const LINE_QTY_MAX = QTY_MAX;

/** Why a line was refused: a code the app translates, plus the service's words as a fallback. */
export type { RejectionCode };
export interface Rejection {
  stock_id: string;
  code?: RejectionCode;
  available?: number;
  reason: string;
}

/** Merges duplicate lines so "2 + 3 of the same item" is checked as 5. */
export function mergeLines(lines: CheckoutRequest['items']) {
  const merged = new Map<string, { stock_id: string; product_id: string; qty: number }>();
  for (const l of lines) {
    const m = merged.get(l.stock_id);
    if (m) m.qty += l.qty;
    else merged.set(l.stock_id, { ...l });
  }
  return [...merged.values()];
}

export function decideCheckout(
  req: Pick<CheckoutRequest, 'items' | 'region_code'>,
  region: string,
  stock: (id: string) => StockView | undefined,
  product: (id: string) => Product | undefined,
): Decision {
  const items: OrderItem[] = [];
  const rejections: Decision['rejections'] = [];
  if (req.region_code !== region) {
    return { ok: false, items, total: 0, rejections: [{ stock_id: '*', code: 'wrong_region', reason: `this request belongs to region ${req.region_code}, not ${region}` }] };
  }
  for (const line of mergeLines(req.items)) {
    const s = stock(line.stock_id);
    if (!s || s.item.region_code !== region) {
      rejections.push({ stock_id: line.stock_id, code: 'not_in_region', reason: `not a warehouse item of region ${region}` });
      continue;
    }
    if (s.item.product_id !== line.product_id) {
      rejections.push({ stock_id: line.stock_id, code: 'product_mismatch', reason: `this warehouse item holds ${s.item.product_id}, not ${line.product_id}` });
      continue;
    }
    if (line.qty > LINE_QTY_MAX) {
      rejections.push({ stock_id: line.stock_id, code: 'quantity_limit', reason: `at most ${LINE_QTY_MAX} of one item per order` });
      continue;
    }
    const p = product(s.item.product_id);
    if (!p || !p.active) {
      rejections.push({ stock_id: line.stock_id, code: 'not_sold', reason: 'this product is no longer sold' });
      continue;
    }
    if (s.available < line.qty) {
      rejections.push({
        stock_id: line.stock_id,
        code: s.available === 0 ? 'out_of_stock' : 'insufficient',
        available: s.available,
        reason: s.available === 0 ? 'out of stock' : `only ${s.available} left in stock, ${line.qty} requested`,
      });
      continue;
    }
    items.push({
      product_id: p._id, stock_id: s.item._id, warehouse_id: s.item.warehouse_id, name: p.name, qty: line.qty,
      price: p.price, subtotal: p.price * line.qty,
    });
  }
  const total = items.reduce((n, i) => n + i.subtotal, 0);
  return rejections.length ? { ok: false, items: [], total: 0, rejections } : { ok: true, items, total, rejections };
}

/**
 * What is wrong with a checkout request as a whole, as a rejection, or null when it is well-formed.
 * The node's rules already refuse most of this; the service answers whatever got through anyway.
 */
export function checkoutProblem(doc: unknown): Rejection | null {
  const whole = (code: RejectionCode, reason: string): Rejection => ({ stock_id: '*', code, reason });
  const r = CheckoutRequest.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    const [field, , sub] = issue.path;
    if (field === 'address') return whole('address_missing', 'the delivery address is missing or too long');
    if (field === 'items' && issue.path.length === 1) {
      return issue.code === 'too_big' ? whole('too_many_lines', `at most ${LIMITS.lines} lines per order`) : whole('empty_cart', 'the cart is empty');
    }
    if (field === 'items' && sub === 'qty') return whole('quantity_limit', `each line needs a quantity from 1 to ${LINE_QTY_MAX}`);
    return whole('bad_request', `${issue.path.join('.') || 'request'}: ${issue.message}`.slice(0, 300));
  }
  if (r.data._id !== ids.checkout(r.data.request_id)) return whole('bad_request', 'request_id must match the document id');
  return null;
}

/** The ledger entries that take an order's stock: derived from the order, one per line, so written once. */
export function saleEntries(order: Order, by: string, at: string): LedgerEntry[] {
  return order.items.map((line, k) => ({
    _id: ids.sale(order._id, k), type: 'ledger', region_code: order.region_code, stock_id: line.stock_id,
    delta: -line.qty, reason: 'sale', amount: line.subtotal, ref: order._id, by, at,
  }));
}

/** The entries that give a canceled order's stock back. */
export function cancelEntries(order: Order, by: string, at: string): LedgerEntry[] {
  return order.items.map((line, k) => ({
    _id: ids.cancel(order._id, k), type: 'ledger', region_code: order.region_code, stock_id: line.stock_id,
    delta: line.qty, reason: 'cancel', amount: line.subtotal, ref: order._id, by, at,
  }));
}

export type { Order };
