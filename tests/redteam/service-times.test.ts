// Times the service and the admins rely on come from the region service, never
// from a document a client wrote: a checkout request, an admin request or a
// goods receipt dated in 2099 (or 2001) makes an order, a status change, a
// result and a stock snapshot dated by the service's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R, item, region, checkout, place, answerOf, invariants, until, DEMO, type Region } from './service-support.ts';
import { ids, ulid } from '../../src/lib/model/index.ts';

let r: Region;
beforeAll(async () => {
  r = await region(['tari'], 20);
});
afterAll(async () => r?.c.stop());

const FUTURE = '2099-01-01T00:00:00.000Z';
const PAST = '2001-01-01T00:00:00.000Z';
/** Within the test's own window: the service's clock, not the document's. */
const serviceTime = (at: string, from: number) => Date.parse(at) >= from - 1000 && Date.parse(at) <= Date.now() + 1000;

describe('client-written dates are records of the client, never the service\'s time', () => {
  it('an order, its status changes, the admin\'s result and the snapshot are dated by the service', async () => {
    const from = Date.now();
    const s = await r.c.service(R);
    try {
      // The forged dates are well-formed: the write rules accept them as the client's own claim.
      const req = checkout(2, { created_at: FUTURE });
      expect((await place(r, 'tari', req)).status).toBe(201);
      expect(await until(async () => (await answerOf(r, 'tari', req.request_id))?.status === 'placed', 30_000)).toBe(true);
      const orderId = ids.order(R, 'tari', req.request_id);
      const order = await r.svc.getDoc('ops', orderId);
      expect(serviceTime(order.created_at, from), order.created_at).toBe(true);
      expect(serviceTime(order.history[0].at, from)).toBe(true);
      const copy = await answerOf(r, 'tari', req.request_id);
      expect(copy.created_at).toBe(order.created_at);

      const requestId = ids.request(R, ulid());
      const ask = { _id: requestId, type: 'admin_request', region_code: R, kind: 'order_status', order_id: orderId, status: 'processed', by: DEMO.regionAdmin(R).name, at: PAST };
      expect((await r.regionAdmin.request('PUT', `/ops/${requestId}`, ask)).status).toBe(201);
      expect(await until(async () => (await r.svc.getDoc('ops', ids.result(requestId))) !== null, 30_000)).toBe(true);
      const result = await r.svc.getDoc('ops', ids.result(requestId));
      expect(result.ok).toBe(true);
      expect(serviceTime(result.at, from), result.at).toBe(true);
      const moved = await r.svc.getDoc('ops', orderId);
      expect(moved.history.at(-1)).toMatchObject({ status: 'processed', by: DEMO.regionAdmin(R).name });
      expect(serviceTime(moved.history.at(-1).at, from)).toBe(true);
      expect(serviceTime(moved.updated_at, from)).toBe(true);

      const receipt = { _id: ids.ledger(R, `receive:${ulid()}`), type: 'ledger', region_code: R, stock_id: item, delta: 5, reason: 'receive', by: DEMO.regionAdmin(R).name, at: FUTURE };
      expect((await r.regionAdmin.request('PUT', `/ops/${receipt._id}`, receipt)).status).toBe(201);
      expect(await until(async () => (await r.svc.getDoc('inventory', item)).quantity === 23, 30_000)).toBe(true);
      const snapshot = await r.svc.getDoc('inventory', item);
      expect(serviceTime(snapshot.updated_at, from), snapshot.updated_at).toBe(true);
      await invariants(r, ['tari']);
    } finally {
      await s.kill();
    }
  });
});
