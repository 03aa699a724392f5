// Cart rules shared by the shop pages and their tests: a line never asks for
// more than the stock shown, and totals use the catalog price.
import type { CartItem } from './userdb.ts';
import type { Product } from './catalog.ts';
import type { WarehouseItem } from './inventory.ts';

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
