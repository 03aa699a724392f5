// Deciding a checkout request at the region service: prices from the
// catalog, stock from the service's own ledger fold, all lines or none.
import type { CheckoutRequest } from './userdb.ts';
import type { Order, OrderItem } from './ops.ts';
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

/** Why a line was refused: a code the app translates, plus the service's words as a fallback. */
export type RejectionCode = 'wrong_region' | 'not_in_region' | 'product_mismatch' | 'not_sold' | 'out_of_stock' | 'insufficient';
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

export type { Order };
