// Ids say what they are, so a log line or a replication filter reads plainly.
const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 48-bit time + 80 random bits, Crockford base32. Sortable by creation time. */
export function ulid(now = Date.now(), random: () => number = Math.random): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ENCODING[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ENCODING[Math.floor(random() * 32)];
  return time + rand;
}

/** The creation time (ms) a ULID carries, or null for a string that is not one. */
export function ulidTime(id: string): number | null {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return null;
  let t = 0;
  for (const ch of id.slice(0, 10)) t = t * 32 + ENCODING.indexOf(ch);
  return t;
}

export const ids = {
  category: (slug: string) => `category:${slug}`,
  product: (sku: string) => `product:${sku}`,
  /** The SKU a product id names (product:<SKU>). */
  skuOf: (productId: string) => productId.replace(/^product:/, ''),
  warehouse: (region: string, code: string) => `warehouse:${region}:${code}`,
  /** A warehouse's code (warehouse:<R>:<CODE>), what a person reads when its name is not at hand; never the id. */
  warehouseCode: (warehouseId: string) => warehouseId.split(':')[2] || warehouseId,
  /** The warehouse a warehouse item (stock:<R>:<WAREHOUSE>:<SKU>) is in. */
  warehouseOf: (stockId: string) => stockId.replace(/^stock:([^:]+):([^:]+):.*$/, 'warehouse:$1:$2'),
  stock: (region: string, warehouseCode: string, sku: string) => `stock:${region}:${warehouseCode}:${sku}`,
  user: (region: string, name: string) => `user:${region}:${name}`,
  /** One order per shopper and request: a shopper cannot reach another's order by reusing a request id. */
  order: (region: string, user: string, requestId: string) => `order:${region}:${user}:${requestId}`,
  ledger: (region: string, id: string) => `ledger:${region}:${id}`,
  /** The stock an order takes (line k) and gives back when canceled: derived from the order, so written once. */
  sale: (orderId: string, k: number) => `${orderId.replace(/^order:/, 'ledger:').replace(/^(ledger:[A-Z]+:)/, '$1sale:')}:${k}`,
  cancel: (orderId: string, k: number) => `${orderId.replace(/^order:/, 'ledger:').replace(/^(ledger:[A-Z]+:)/, '$1cancel:')}:${k}`,
  /** What a warehouse item sold (SalesTally): one per item, next to the ledger it is folded from. */
  tally: (stockId: string) => stockId.replace(/^stock:/, 'tally:'),
  request: (region: string, id: string) => `request:${region}:${id}`,
  /** The service's answer to an admin request sits next to it. */
  result: (requestId: string) => requestId.replace(/^request:/, 'result:'),
  cartItem: (stockId: string) => `cart:${stockId}`,
  checkout: (id: string) => `checkout:${id}`,
  orderCopy: (orderId: string) => `my-${orderId}`,
};

/**
 * Ledger ids the region service derives (sales, cancels, counts, seeds): only the service may write
 * them, so nobody can take the id of a sale before the service writes it (design-docs/lib/access.js).
 */
export const SERVICE_LEDGER_IDS = '^ledger:[A-Z]{2,5}:(seed|sale|cancel|count):';

/** Per-user database name, as CouchDB's couch_peruser names it: userdb-<hex of the username>. */
export function userDbName(name: string): string {
  return 'userdb-' + Array.from(new TextEncoder().encode(name), (b) => b.toString(16).padStart(2, '0')).join('');
}
