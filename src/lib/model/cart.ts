// Cart rules shared by the shop pages and their tests: a line never asks for
// more than the stock shown, and totals use the catalog price.
import type { CartItem } from './userdb.ts';
import type { Product } from './catalog.ts';
import type { WarehouseItem } from './inventory.ts';
import { QTY_MAX } from './common.ts';

export interface CartLine {
  item: CartItem;
  product: Product | undefined;
  max: number;
  qty: number;
  subtotal: number;
}

export function cartLines(cart: CartItem[], product: (id: string) => Product | undefined, stock: (id: string) => WarehouseItem | undefined): CartLine[] {
  return cart.map((item) => {
    const p = product(item.product_id);
    const max = Math.max(0, stock(item.stock_id)?.quantity ?? 0);
    const qty = Math.min(item.qty, max);
    return { item, product: p, max, qty, subtotal: p ? p.price * qty : 0 };
  });
}

export function cartTotal(lines: CartLine[]) {
  return lines.reduce((n, l) => n + l.subtotal, 0);
}

/** Why a typed cart quantity is not one: a whole number from 1 to the stock shown (and to one line's cap, QTY_MAX). */
export function qtyProblem(qty: number, max: number): 'qty_not_whole' | 'qty_too_small' | 'qty_too_large' | null {
  if (!Number.isFinite(qty) || !Number.isInteger(qty)) return 'qty_not_whole';
  if (qty < 1) return 'qty_too_small';
  if (qty > Math.min(max, QTY_MAX)) return 'qty_too_large';
  return null;
}

/**
 * What a checkout request not yet answered will cost at the device's catalog prices, or null when a
 * product is no longer in the catalog. Only an estimate: the region prices the order when it confirms.
 */
export function requestEstimate(items: Array<{ product_id: string; qty: number }>, product: (id: string) => Product | undefined): number | null {
  let total = 0;
  for (const i of items) {
    const p = product(i.product_id);
    if (!p) return null;
    total += p.price * i.qty;
  }
  return total;
}
