// The region service's decision protocol under attack: an order the node
// would refuse, and a kill -9 between the decision (the order) and the writes
// derived from it. A checkout becomes an order with its stock taken, or a
// rejection with a reason, never half.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R, item, product, region, checkout, place, answerOf, allAnswered, invariants, range, until, now, DEMO, SERVICE_DB, type Region } from './service-support.ts';
import { ids } from '../../src/lib/model/index.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

let r: Region;
const SHOPPERS = ['ani', 'budi', 'citra'];
const big = 'stock:BDG:BDG-A:BIG-1';
beforeAll(async () => {
  r = await region(SHOPPERS, 30);
  // A costly product: 100 of it add up to more than an order's total may hold.
  const pusat = r.c.admin('PUSAT').as(DEMO.centralAdmin);
  await pusat.ok('PUT', '/catalog/product:BIG-1', { ...v.product, _id: 'product:BIG-1', sku: 'BIG-1', name: 'Mesin besar', price: 20_000_000_000, created_at: now(), updated_at: now() });
  await r.svc.ok('PUT', '/ops/ledger:BDG:seed:big', { ...v.ledger, _id: 'ledger:BDG:seed:big', stock_id: big, delta: 500, reason: 'seed', ref: undefined });
  await r.svc.ok('PUT', `/inventory/${big}`, { ...v.warehouse_item, _id: big, warehouse_id: 'warehouse:BDG:BDG-A', product_id: 'product:BIG-1', quantity: 500, ledger_count: 1 });
  expect(await until(async () => (await r.c.admin(R).getDoc('catalog', 'product:BIG-1')) !== null, 30_000)).toBe(true);
});
afterAll(async () => r?.c.stop());

const quantity = async (id = item) => (await r.svc.getDoc('inventory', id)).quantity;
const salesOf = async (orderId: string) => (await r.svc.allDocs('ops', range(`ledger:${R}:sale:`))).filter((x: any) => x.doc.ref === orderId);

describe('a checkout whose order the node would refuse', () => {
  it('is rejected with a coded reason and takes no stock (an order total above the cap)', async () => {
    const s = await r.c.service(R);
    const req = checkout(100, { items: [{ stock_id: big, product_id: 'product:BIG-1', qty: 100 }] });
    // The node does refuse that order: written directly, it is a 403.
    const orderId = ids.order(R, 'ani', req.request_id);
    const item0 = { product_id: 'product:BIG-1', stock_id: big, warehouse_id: 'warehouse:BDG:BDG-A', name: 'Mesin besar', qty: 100, price: 20_000_000_000, subtotal: 2_000_000_000_000 };
    const refused = await r.svc.request('PUT', `/ops/${encodeURIComponent(orderId)}`, { ...v.order, _id: orderId, user_name: 'ani', request_id: req.request_id, items: [item0], total: 2_000_000_000_000 });
    expect(refused.status).toBe(403);
    expect((await place(r, 'ani', req)).status).toBe(201);
    expect(await until(async () => (await answerOf(r, 'ani', req.request_id)) !== null, 30_000)).toBe(true);
    const answer = await answerOf(r, 'ani', req.request_id);
    expect([answer.status, answer.rejections[0].code]).toEqual(['rejected', 'order_invalid']);
    expect(await quantity(big)).toBe(500);
    expect(await r.svc.getDoc('ops', orderId)).toBeNull();
    await invariants(r, SHOPPERS);
    await s.kill();
  });

  it('is rejected when merged lines exceed the per-item cap, and the stock stays', async () => {
    const s = await r.c.service(R);
    const line = { stock_id: item, product_id: product, qty: 60_000 };
    const req = checkout(1, { items: [line, line] });
    expect((await place(r, 'budi', req)).status).toBe(201);
    expect(await until(async () => (await answerOf(r, 'budi', req.request_id)) !== null, 30_000)).toBe(true);
    expect((await answerOf(r, 'budi', req.request_id)).rejections[0].code).toBe('quantity_limit');
    expect(await quantity()).toBe(30);
    await invariants(r, SHOPPERS);
    await s.kill();
  });
});

describe('kill -9 between the decision and what follows from it', () => {
  const crashAt = async (point: string, name: string, qty: number) => {
    process.env.SEBARAN_SERVICE_CRASH_AT = point;
    let s;
    try {
      s = await r.c.service(R);
    } finally {
      delete process.env.SEBARAN_SERVICE_CRASH_AT;
    }
    const req = checkout(qty);
    expect((await place(r, name, req)).status).toBe(201);
    expect(await until(async () => s.proc.exitCode !== null || s.proc.signalCode !== null, 30_000)).toBe(true);
    expect(s.proc.signalCode).toBe('SIGKILL');
    return req;
  };

  it('after the order is written: the restart takes its stock once and answers', async () => {
    const before = await quantity();
    const req = await crashAt('after-order', 'ani', 2);
    const orderId = ids.order(R, 'ani', req.request_id);
    // Half done: the order is there, its stock not yet taken, no answer.
    expect(await r.svc.getDoc('ops', orderId)).not.toBeNull();
    expect(await salesOf(orderId)).toHaveLength(0);
    expect(await answerOf(r, 'ani', req.request_id)).toBeNull();
    const s = await r.c.service(R);
    expect(await allAnswered(r, SHOPPERS)).toBe(true);
    expect((await answerOf(r, 'ani', req.request_id)).status).toBe('placed');
    expect(await until(async () => (await quantity()) === before - 2)).toBe(true);
    expect(await salesOf(orderId)).toHaveLength(1);
    await invariants(r, SHOPPERS);
    await s.kill();
  });

  it('after the sale entries are written: the restart repairs the snapshot and answers, taking nothing twice', async () => {
    const before = await quantity();
    const req = await crashAt('after-sale', 'citra', 3);
    const orderId = ids.order(R, 'citra', req.request_id);
    expect(await salesOf(orderId)).toHaveLength(1);
    expect(await answerOf(r, 'citra', req.request_id)).toBeNull();
    const s = await r.c.service(R);
    expect(await allAnswered(r, SHOPPERS)).toBe(true);
    expect(await until(async () => (await quantity()) === before - 3)).toBe(true);
    expect(await salesOf(orderId)).toHaveLength(1);
    await invariants(r, SHOPPERS);
    await s.kill();
  });

  it('a restart that has forgotten every checkpoint reads every request again and makes no second order', async () => {
    const { orders, ledger } = await invariants(r, SHOPPERS);
    const cps = await r.admin.allDocs(SERVICE_DB, 'include_docs=false');
    for (const row of cps) await r.admin.ok('DELETE', `/${SERVICE_DB}/${encodeURIComponent(row.id)}?rev=${row.value.rev}`);
    const s = await r.c.service(R);
    // Proof that it read them again: a new request after the old ones is answered, so the old were passed.
    const req = checkout(1);
    await place(r, 'budi', req);
    expect(await until(async () => (await answerOf(r, 'budi', req.request_id)) !== null, 30_000)).toBe(true);
    const after = await invariants(r, SHOPPERS);
    expect(after.orders.length).toBe(orders.length + 1);
    expect(after.ledger.length).toBe(ledger.length + 1);
    await s.kill();
  });
});
