// The order number a person reads and says on the phone: region, the Jakarta day
// it was placed (YYMMDD) and the last six characters of its request's ULID, e.g.
// BDG-261125-7Q3YAB. Derived from the id, so the shop shows it before the order is
// confirmed (offline too) and every node and page agrees on it without a counter.
// The internal id stays beside it where staff work.
import { jakartaDay } from './jakarta.ts';
import { ulidTime } from './ids.ts';

const ORDER_ID = /^order:([A-Z]{2,5}):[^:]+:([0-9A-HJKMNP-TV-Z]{26})$/;

export function orderRef(orderId: string): string {
  const m = ORDER_ID.exec(orderId);
  const t = m ? ulidTime(m[2]) : null;
  if (!m || t === null) return orderId;
  return `${m[1]}-${jakartaDay(t).slice(2).replace(/-/g, '')}-${m[2].slice(-6)}`;
}
