// A checkout the node stored but never announced on `/_db_updates` is still answered: the region
// service's sweep (server/region/sweep.ts) finds the shopper database that moved. Each engine is
// made to miss the announcement its own way:
//  - Apache CouchDB writes its announcements to `_global_changes`; with [global_changes] update_db
//    off (as when that write fails on a full disk) it announces nothing;
//  - the embedded node keeps its last announcements (10,000; this test's nodes 500, so its flood is
//    short); a follower further behind misses the rest.
// First the test shows the feed really left the checkout out; then that the answer comes anyway.
import { afterAll, describe, expect, it } from 'vitest';
import { startCluster, until, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';
import { engineName } from '../../server/cluster.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

const R = 'SBY';
const SHOPPER = { name: 'senyap', password: 'rahasia-senyap-1' };
const item = 'stock:SBY:SBY-A:KOPI-1';
const product = 'product:KOPI-1';
// Read by the embedded nodes this file starts (server/node/store.ts); CouchDB has no such window.
process.env.SEBARAN_DB_UPDATES_WINDOW = '500';
let c: TestCluster | null = null;
afterAll(async () => c?.stop());

describe(`a checkout the node never announced (${engineName()})`, () => {
  it('is answered by the sweep, and the feed is shown to have left it out', async () => {
    const cl = (c = await startCluster([R]));
    const admin = cl.admin(R);
    const svc = admin.as(cl.secrets.regions[R].service);
    await cl.admin('PUSAT').as(DEMO.centralAdmin).ok('PUT', `/catalog/${product}`, { ...v.product, _id: product, sku: 'KOPI-1', name: 'Kopi', price: 15000, created_at: now(), updated_at: now() });
    await svc.ok('PUT', '/inventory/warehouse:SBY:SBY-A', { ...v.warehouse, _id: 'warehouse:SBY:SBY-A', region_code: R, code: 'SBY-A' });
    await svc.ok('PUT', '/ops/ledger:SBY:seed:kopi', { ...v.ledger, _id: 'ledger:SBY:seed:kopi', region_code: R, stock_id: item, delta: 50, reason: 'seed', ref: undefined });
    await svc.ok('PUT', `/inventory/${item}`, { ...v.warehouse_item, _id: item, region_code: R, warehouse_id: 'warehouse:SBY:SBY-A', product_id: product, quantity: 50, ledger_count: 1 });
    await admin.ok('PUT', `/_users/org.couchdb.user:${SHOPPER.name}`, { _id: `org.couchdb.user:${SHOPPER.name}`, name: SHOPPER.name, type: 'user', roles: [], password: SHOPPER.password });
    expect(await until(async () => (await admin.getDoc('catalog', product)) !== null, 30_000)).toBe(true);

    const s = await cl.service(R, { env: { SEBARAN_SWEEP_MS: '2000' } });
    const shopper = cl.anon(R).as(SHOPPER);
    const db = userDbName(SHOPPER.name);
    const checkout = async () => {
      const id = ulid();
      const req = { _id: ids.checkout(id), type: 'checkout_request', region_code: R, request_id: id, items: [{ stock_id: item, product_id: product, qty: 1 }], address: 'Jl. Darmo 2, Surabaya', created_at: now() };
      await shopper.ok('PUT', `/${db}/${req._id}`, req);
      return ids.orderCopy(ids.order(R, SHOPPER.name, id));
    };
    const answered = (copy: string) => until(async () => (await shopper.getDoc(db, copy))?.status === 'placed', 60_000);
    // The shopper's database is made by the service; an announced checkout is answered as always.
    expect(await until(async () => (await shopper.request('GET', `/${db}`)).status === 200, 30_000)).toBe(true);
    expect(await answered(await checkout())).toBe(true);

    // The feed's position after everything the first checkout wrote has been announced. CouchDB writes its
    // announcements to `_global_changes` in batches, a little later: a marker written after the shopper's
    // database last moved is waited for in the feed, so nothing of the first checkout comes after `from`.
    await admin.ok('PUT', '/feed-marker');
    let from = '';
    for (let settled = false; !settled; ) {
      const seqBefore = (await admin.ok('GET', `/${db}`)).update_seq;
      const start = (await admin.ok('GET', '/_db_updates?since=now')).last_seq;
      await admin.ok('POST', '/feed-marker', {});
      expect(await until(async () => {
        const feed = await admin.ok('GET', `/_db_updates?since=${encodeURIComponent(start)}`);
        from = feed.last_seq;
        return feed.results.some((u: any) => u.db_name === 'feed-marker');
      }, 30_000)).toBe(true);
      settled = (await admin.ok('GET', `/${db}`)).update_seq === seqBefore;
    }
    let copy: string;
    if (engineName() === 'couchdb') {
      await admin.ok('PUT', '/_node/_local/_config/global_changes/update_db', '"false"');
      copy = await checkout();
    } else {
      // The service's pending long-poll is answered by a scratch write, then the service is paused so its
      // next poll asks from there, after the checkout and more announcements than the feed keeps.
      for (const d of ['flood-a', 'flood-b']) await admin.ok('PUT', `/${d}`);
      s.proc.kill('SIGSTOP');
      await admin.ok('PUT', '/flood-a/first', {});
      copy = await checkout();
      // Until the feed's window no longer reaches back to the checkout (writes in a row to one database count once).
      const inFeed = async () => (await admin.ok('GET', `/_db_updates?since=${encodeURIComponent(from)}`)).results.some((u: any) => u.db_name === db);
      expect(await inFeed()).toBe(true);
      for (let k = 0; k < 40_000 && (await inFeed()); k += 100) {
        for (let b = 0; b < 100; b += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => admin.ok('POST', `/flood-${j % 2 ? 'a' : 'b'}`, {})));
      }
    }
    // What the feed says after the checkout: nothing of the shopper's database.
    const unannounced = async () => !(await admin.ok('GET', `/_db_updates?since=${encodeURIComponent(from)}`)).results.some((u: any) => u.db_name === db);
    expect(await unannounced()).toBe(true);
    s.proc.kill('SIGCONT');

    expect(await answered(copy)).toBe(true);
    if (engineName() === 'couchdb') {
      // Seconds later, with the answer written too, the feed still has said nothing of it.
      expect(await unannounced()).toBe(true);
      await admin.ok('PUT', '/_node/_local/_config/global_changes/update_db', '"true"');
    }
  }, 150_000);
});
