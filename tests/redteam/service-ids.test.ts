// Ids the service relies on cannot be claimed by anyone else: a region admin
// cannot take the ledger id of a future sale, and a shopper who reuses
// another shopper's request id gets their own answer, never the other's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R, item, region, checkout, place, answerOf, invariants, until, now, DEMO, type Region } from './service-support.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';

let r: Region;
const SHOPPERS = ['ani', 'budi'];
beforeAll(async () => {
  r = await region(SHOPPERS, 30);
});
afterAll(async () => r?.c.stop());

describe('service-owned ids', () => {
  it('a region admin cannot pre-write the ledger id of a future sale (or cancel, count, seed); the sale then takes its stock', async () => {
    const s = await r.c.service(R);
    const req = checkout(4);
    const future = ids.order(R, 'ani', req.request_id);
    const by = DEMO.regionAdmin(R).name;
    const entry = (id: string) => ({ _id: id, type: 'ledger', region_code: R, stock_id: item, delta: 4, reason: 'receive', by, at: now() });
    for (const id of [ids.sale(future, 0), ids.cancel(future, 0), ids.ledger(R, `count:${ulid()}`), ids.ledger(R, 'seed:hot-2')]) {
      const w = await r.regionAdmin.request('PUT', `/ops/${encodeURIComponent(id)}`, entry(id));
      expect([id, w.status]).toEqual([id, 403]);
      expect(w.json.reason).toMatch(/namespace only the region service writes/);
    }
    // Proof the admin could write a receipt at all: the same entry under a receipt id lands.
    const receipt = ids.ledger(R, `receive:${ulid()}`);
    expect((await r.regionAdmin.request('PUT', `/ops/${receipt}`, entry(receipt))).status).toBe(201);
    await place(r, 'ani', req);
    expect(await until(async () => (await answerOf(r, 'ani', req.request_id))?.status === 'placed', 30_000)).toBe(true);
    expect(await until(async () => (await r.svc.getDoc('inventory', item)).quantity === 30 + 4 - 4)).toBe(true);
    await invariants(r, SHOPPERS);
    await s.kill();
  });

  it('a shopper reusing another shopper\'s request id gets their own order, not the other\'s', async () => {
    const s = await r.c.service(R);
    const mine = checkout(1);
    await place(r, 'ani', mine);
    expect(await until(async () => (await answerOf(r, 'ani', mine.request_id))?.status === 'placed', 30_000)).toBe(true);
    // budi learns ani's request id (it is in her device's database) and sends a request under it.
    const theirs = { ...checkout(2), _id: mine._id, request_id: mine.request_id };
    await place(r, 'budi', theirs);
    expect(await until(async () => (await answerOf(r, 'budi', mine.request_id)) !== null, 30_000)).toBe(true);
    const a = await answerOf(r, 'ani', mine.request_id);
    const b = await answerOf(r, 'budi', mine.request_id);
    expect(a.order_id).toBe(ids.order(R, 'ani', mine.request_id));
    expect(b.order_id).toBe(ids.order(R, 'budi', mine.request_id));
    expect([a.items[0].qty, b.items[0].qty]).toEqual([1, 2]);
    expect((await r.svc.getDoc('ops', b.order_id)).user_name).toBe('budi');
    // Neither can read the other's answer.
    expect((await r.shopper('budi').request('GET', `/${userDbName('ani')}/${encodeURIComponent(a._id)}`)).status).toBe(403);
    await invariants(r, SHOPPERS);
    await s.kill();
  });

  it('a shopper cannot write an order, an answer or a derived ledger entry anywhere', async () => {
    const me = r.shopper('ani');
    const db = userDbName('ani');
    const key = ulid();
    const copy = { _id: ids.orderCopy(ids.order(R, 'ani', key)), type: 'order_copy', region_code: R, request_id: key, order_id: null, status: 'rejected', items: [], total: 0, rejections: [], history: [], created_at: now(), updated_at: now() };
    expect((await me.request('PUT', `/${db}/${encodeURIComponent(copy._id)}`, copy)).status).toBe(403);
    expect((await me.request('PUT', `/ops/${encodeURIComponent(ids.sale(ids.order(R, 'ani', key), 0))}`, {})).status).toBe(403);
  });
});
