// Order numbers people read: region, Jakarta day, six characters of the request's ULID.
import { describe, expect, it } from 'vitest';
import { orderRef } from '../../src/lib/model/order-ref.ts';
import { ids, ulid } from '../../src/lib/model/ids.ts';
import { rng } from './random-text.ts';

describe('orderRef', () => {
  it('names the region and the Jakarta day: 23:30 UTC is the next morning in Jakarta', () => {
    const id = ulid(Date.parse('2026-11-24T23:30:00Z'), () => 0.5);
    expect(orderRef(ids.order('BDG', 'pembeli.bdg', id))).toBe(`BDG-261125-${id.slice(-6)}`);
    expect(orderRef(ids.order('SBY', 'a.b', ulid(Date.parse('2026-11-24T16:59:59Z'))))).toMatch(/^SBY-261124-[0-9A-Z]{6}$/);
  });

  it('leaves anything that is not an order id as it is', () => {
    for (const id of ['', 'order:BDG:x', 'ledger:BDG:sale:x', 'order:bdg:user:01M8VAX0PZCX70RZVFA7R6CWAT']) expect(orderRef(id)).toBe(id);
  });

  it('gives 2,000 orders of one region and day distinct numbers (generated, seeded)', () => {
    const r = rng(7);
    const day = Date.parse('2026-11-25T01:00:00Z');
    const refs = new Set(Array.from({ length: 2000 }, (_, i) => orderRef(ids.order('JKT', `u${i % 50}`, ulid(day + Math.floor(r() * 3_600_000), r)))));
    // 32^6 endings: a repeat among 2,000 orders of one day has a chance of about 0.2%; this seed has none.
    expect(refs.size).toBe(2000);
  });
});
