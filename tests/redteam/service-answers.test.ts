// Every request gets an answer: 200 garbage checkout requests mixed with good
// ones, and admin requests the service cannot apply. Nothing is dropped
// silently, and a refusal is a code the app translates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R, item, product, region, checkout, place, answerOf, allAnswered, invariants, until, now, DEMO, type Region } from './service-support.ts';
import { REJECTION_CODES, ids, ulid, userDbName } from '../../src/lib/model/index.ts';

let r: Region;
const SHOPPERS = ['ani', 'budi', 'citra', 'dewi', 'eko'];
beforeAll(async () => {
  r = await region(SHOPPERS, 30);
});
afterAll(async () => r?.c.stop());

describe('checkout requests, well-formed or not', () => {
  it('200 garbage requests mixed with 40 good ones: each gets exactly one answer, 30 orders for 30 in stock', async () => {
    const s = await r.c.service(R);
    const garbage = [
      () => checkout(1, { request_id: ulid() }), // request_id that is not the document's
      () => checkout(1, { items: [{ stock_id: 'stock:BDG:BDG-A:NOPE-1', product_id: 'product:NOPE-1', qty: 1 }] }), // unknown item
      () => checkout(1, { items: [{ stock_id: 'stock:JKT:JKT-A:HOT-1', product_id: product, qty: 1 }] }), // another region's item
      () => checkout(1, { items: [{ stock_id: item, product_id: 'product:OTHER-1', qty: 1 }] }), // product that is not the item's
      () => checkout(1, { items: [{ stock_id: item, product_id: product, qty: 100_000 }, { stock_id: item, product_id: product, qty: 100_000 }] }),
    ];
    const expected = ['bad_request', 'not_in_region', 'not_in_region', 'product_mismatch', 'quantity_limit'];
    const sent: Array<{ name: string; req: any; want: string | null }> = [];
    for (let k = 0; k < 240; k++) {
      const name = SHOPPERS[k % SHOPPERS.length];
      if (k % 6 === 0) sent.push({ name, req: checkout(1), want: null });
      else sent.push({ name, req: garbage[k % 5](), want: expected[k % 5] });
    }
    const written = await Promise.all(sent.map(({ name, req }) => place(r, name, req)));
    expect(written.every((w) => w.status === 201)).toBe(true);
    expect(await allAnswered(r, SHOPPERS, 90_000)).toBe(true);
    const answers = await Promise.all(sent.map(({ name, req }) => answerOf(r, name, req._id.slice('checkout:'.length))));
    sent.forEach(({ want }, k) => {
      if (want) expect([answers[k].status, answers[k].rejections[0].code]).toEqual(['rejected', want]);
    });
    const good = answers.filter((_, k) => !sent[k].want);
    expect(good.filter((a) => a.status === 'placed')).toHaveLength(30);
    expect(good.filter((a) => a.status === 'rejected').every((a) => a.rejections[0].code === 'out_of_stock')).toBe(true);
    for (const a of answers) for (const rej of a.rejections) expect(REJECTION_CODES).toContain(rej.code);
    const { orders } = await invariants(r, SHOPPERS);
    expect(orders).toHaveLength(30);
    expect((await r.svc.getDoc('inventory', item)).quantity).toBe(0);
    await s.kill();
  });

  it('a shopper flooding 450 requests at once gets every one answered, a page at a time, and others are answered too', async () => {
    const s = await r.c.service(R);
    const flood = Array.from({ length: 450 }, () => checkout(1, { items: [{ stock_id: 'stock:BDG:BDG-A:NOPE-1', product_id: 'product:NOPE-1', qty: 1 }] }));
    await place(r, 'dewi', checkout(1)); // makes sure the database exists
    const written = (await r.shopper('dewi').ok('POST', `/${userDbName('dewi')}/_bulk_docs`, { docs: flood })) as any[];
    expect(written.every((w) => w.ok)).toBe(true);
    const other = checkout(1);
    await place(r, 'eko', other);
    expect(await until(async () => (await answerOf(r, 'eko', other.request_id)) !== null, 30_000)).toBe(true);
    expect(await allAnswered(r, SHOPPERS, 90_000)).toBe(true);
    expect((await answerOf(r, 'dewi', flood[449].request_id)).rejections[0].code).toBe('not_in_region');
    await invariants(r, SHOPPERS);
    await s.kill();
  });

  it('a blank address is refused by the node at once (a clear answer), not accepted and left unanswered', async () => {
    const req = checkout(1, { address: '   ' });
    const w = await place(r, 'ani', req);
    expect(w.status).toBe(403);
    expect(w.json.reason).toMatch(/address/);
  });

  it('a client\'s time stamp and padding are not trusted: the order is dated by the service', async () => {
    const s = await r.c.service(R);
    const receipt = `ledger:BDG:receive:${ulid()}`;
    const before = (await r.svc.getDoc('inventory', item)).quantity;
    await r.regionAdmin.ok('PUT', `/ops/${receipt}`, { _id: receipt, type: 'ledger', region_code: R, stock_id: item, delta: 5, reason: 'receive', by: DEMO.regionAdmin(R).name, at: now() });
    // The goods are in stock before the checkout arrives (else it is, rightly, rejected as out of stock).
    expect(await until(async () => (await r.svc.getDoc('inventory', item)).quantity === before + 5, 30_000)).toBe(true);
    const req = checkout(1, { created_at: '2001-01-01T00:00:00.000Z', address: '  Jl. Dago 5  ' });
    await place(r, 'budi', req);
    expect(await until(async () => (await answerOf(r, 'budi', req.request_id))?.status === 'placed', 30_000)).toBe(true);
    const order = await r.svc.getDoc('ops', ids.order(R, 'budi', req.request_id));
    expect(Date.now() - Date.parse(order.created_at)).toBeLessThan(120_000);
    expect(order.history[0].at).toBe(order.created_at);
    expect(order.address).toBe('Jl. Dago 5');
    await invariants(r, SHOPPERS);
    await s.kill();
  });
});

describe('admin requests', () => {
  const ask = async (body: Record<string, unknown>) => {
    const id = ids.request(R, ulid());
    await r.regionAdmin.ok('PUT', `/ops/${id}`, { _id: id, type: 'admin_request', region_code: R, by: DEMO.regionAdmin(R).name, at: now(), ...body });
    return id;
  };
  const resultOf = async (id: string) => {
    expect(await until(async () => (await r.svc.getDoc('ops', ids.result(id))) !== null, 30_000)).toBe(true);
    return r.svc.getDoc('ops', ids.result(id));
  };

  it('each gets a result, applied or refused with a code and its details', async () => {
    const s = await r.c.service(R);
    const { orders } = await invariants(r, SHOPPERS);
    const placed = orders.find((o: any) => o.status === 'placed');
    const asks = {
      unknownOrder: await ask({ kind: 'order_status', order_id: `order:BDG:ani:${ulid()}`, status: 'processed' }),
      foreignOrder: await ask({ kind: 'order_status', order_id: `order:JKT:ani:${ulid()}`, status: 'processed' }),
      badMove: await ask({ kind: 'order_status', order_id: placed._id, status: 'delivered' }),
      unknownCount: await ask({ kind: 'count', stock_id: 'stock:BDG:BDG-A:NOPE-1', counted: 3 }),
      unknownThreshold: await ask({ kind: 'threshold', stock_id: 'stock:BDG:BDG-A:NOPE-1', low_threshold: 3 }),
      unknownRestock: await ask({ kind: 'restock_done', restock_id: ids.request(R, ulid()) }),
      count: await ask({ kind: 'count', stock_id: item, counted: 7 }),
      cancel: await ask({ kind: 'order_status', order_id: placed._id, status: 'canceled' }),
    };
    const got = Object.fromEntries(await Promise.all(Object.entries(asks).map(async ([k, id]) => [k, await resultOf(id)])));
    expect(got.unknownOrder).toMatchObject({ ok: false, code: 'order_unknown' });
    expect(got.foreignOrder).toMatchObject({ ok: false, code: 'order_unknown' });
    expect(got.badMove).toMatchObject({ ok: false, code: 'bad_move', args: { from: 'placed', to: 'delivered' } });
    expect(got.unknownCount).toMatchObject({ ok: false, code: 'stock_unknown' });
    expect(got.unknownThreshold).toMatchObject({ ok: false, code: 'stock_unknown' });
    expect(got.unknownRestock).toMatchObject({ ok: false, code: 'restock_unknown' });
    expect(got.count).toMatchObject({ ok: true, code: 'applied' });
    expect(got.cancel).toMatchObject({ ok: true, code: 'applied', args: { status: 'canceled' } });
    // The cancel came after the count (7): its stock goes back on top.
    const back = placed.items.reduce((n: number, l: any) => n + l.qty, 0);
    expect(await until(async () => (await r.svc.getDoc('inventory', item)).quantity === 7 + back)).toBe(true);
    await invariants(r, SHOPPERS);
    await s.kill();
  });

  it('requests written while the service was down are answered when it starts', async () => {
    const id = await ask({ kind: 'threshold', stock_id: item, low_threshold: 4 });
    const s = await r.c.service(R);
    expect(await resultOf(id)).toMatchObject({ ok: true, code: 'applied' });
    expect(await until(async () => (await r.svc.getDoc('inventory', item)).low_threshold === 4)).toBe(true);
    await s.kill();
  });
});
