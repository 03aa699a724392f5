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

export const ids = {
  category: (slug: string) => `category:${slug}`,
  product: (sku: string) => `product:${sku}`,
  warehouse: (region: string, code: string) => `warehouse:${region}:${code}`,
  stock: (region: string, warehouseCode: string, sku: string) => `stock:${region}:${warehouseCode}:${sku}`,
  user: (region: string, name: string) => `user:${region}:${name}`,
  order: (region: string, requestId: string) => `order:${region}:${requestId}`,
  ledger: (region: string, id: string) => `ledger:${region}:${id}`,
  request: (region: string, id: string) => `request:${region}:${id}`,
  cartItem: (stockId: string) => `cart:${stockId}`,
  checkout: (id: string) => `checkout:${id}`,
  orderCopy: (orderId: string) => `my-${orderId}`,
};

/** Per-user database name, as CouchDB's couch_peruser names it: userdb-<hex of the username>. */
export function userDbName(name: string): string {
  return 'userdb-' + Array.from(new TextEncoder().encode(name), (b) => b.toString(16).padStart(2, '0')).join('');
}
