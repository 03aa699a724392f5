// Who can read and write what, on which node: status codes from real nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';
import { KINDS } from '../../src/lib/model/index.ts';
import type { Credentials } from '../../server/couch-client.ts';
import { validFixtures as v, invalidFixtures } from '../fixtures/documents.ts';
import { provisionUserDb } from '../../server/ops/userdb.ts';
import { ulid, userDbName } from '../../src/lib/model/ids.ts';
import { viewPath } from '../../src/lib/model/design.ts';

let c: TestCluster;
const shopper = { name: 'budi.bdg', password: 'rahasia-budi' };
beforeAll(async () => {
  c = await startCluster(['JKT', 'BDG']);
  // _users is admin-only (CouchDB 3): the server admin creates the shopper's account.
  await c.admin('BDG').ok('PUT', `/_users/org.couchdb.user:${shopper.name}`, { _id: `org.couchdb.user:${shopper.name}`, name: shopper.name, type: 'user', roles: [], password: shopper.password });
  await provisionUserDb(c.admin('BDG'), shopper.name, 'BDG');
});
afterAll(async () => c?.stop());

type Actor = 'anonymous' | 'shopper' | 'bdgAdmin' | 'centralAdmin' | 'service';
const creds = (a: Actor): Credentials | undefined =>
  ({
    anonymous: undefined,
    shopper,
    bdgAdmin: DEMO.regionAdmin('BDG'),
    centralAdmin: DEMO.centralAdmin,
    service: c.secrets.regions.BDG.service,
  })[a];

let n = 0;
const uid = () => `${Date.now().toString(36)}${(n++).toString(36)}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
/** A document each actor would plausibly try to write into each database. */
function docFor(db: string, actor: Actor) {
  const id = uid();
  const by = creds(actor)?.name ?? 'nobody';
  if (db === 'catalog') return { ...v.product, _id: `product:T-${id}`, sku: `T-${id}`, created_at: now(), updated_at: now() };
  if (db === 'inventory') return { ...v.warehouse_item, _id: `stock:BDG:BDG-KOTA:T-${id}`, product_id: `product:T-${id}` };
  if (db === 'ops') return { ...v.ledger, _id: `ledger:BDG:t-${id}`, reason: 'receive', delta: 3, by };
  return { _id: `x-${id}` };
}

const ACTORS: Actor[] = ['anonymous', 'shopper', 'bdgAdmin', 'centralAdmin', 'service'];
// [node, db, read statuses by actor, write statuses by actor]. A read is `_all_docs`: on `_users` and
// `_replicator` CouchDB keeps that listing to server admins and answers 401 to everyone else, signed in
// or not; writing there is refused by their `_security` (members: `_admin`), 401 anonymous, 403 signed in.
const MATRIX: Array<[string, string, number[], number[]]> = [
  // Catalog and stock are public through the app server only (its reader account): at the node itself no
  // database is open to anonymous, since CouchDB lets anyone who can read a database write `_local` there.
  ['BDG', 'catalog', [401, 403, 200, 401, 200], [401, 403, 403, 401, 403]],
  ['BDG', 'inventory', [401, 403, 200, 401, 200], [401, 403, 403, 401, 201]],
  ['BDG', 'ops', [401, 403, 200, 401, 200], [401, 403, 201, 401, 201]],
  ['BDG', '_users', [401, 401, 401, 401, 401], [401, 403, 403, 401, 403]],
  ['BDG', '_replicator', [401, 401, 401, 401, 401], [401, 403, 403, 401, 403]],
  ['PUSAT', 'catalog', [401, 401, 401, 200, 401], [401, 401, 401, 201, 401]],
  ['PUSAT', 'inventory', [401, 401, 401, 200, 401], [401, 401, 401, 403, 401]],
  ['PUSAT', 'ops', [401, 401, 401, 200, 401], [401, 401, 401, 403, 401]],
  ['PUSAT', '_users', [401, 401, 401, 401, 401], [401, 401, 401, 403, 401]],
];

describe('access matrix (actor x database x read/write)', () => {
  for (const [node, db, reads, writes] of MATRIX) {
    ACTORS.forEach((actor, i) => {
      it(`${actor} at ${node}/${db}: read ${reads[i]}, write ${writes[i]}`, async () => {
        const couch = c.anon(node).as(creds(actor));
        const read = await couch.request('GET', `/${db}/_all_docs?limit=1`);
        expect(read.status, JSON.stringify(read.json)).toBe(reads[i]);
        const doc = docFor(db, actor);
        const write = await couch.request('POST', `/${db}`, doc);
        expect(write.status, JSON.stringify(write.json)).toBe(writes[i]);
        if (write.status !== 201) {
          expect(await c.admin(node).getDoc(db, doc._id)).toBeNull();
          expect(write.json.reason).toMatch(/\w/);
        }
      });
    });
  }

  it('_users is the server admin\'s alone: a shopper can neither read nor change their account, so cannot give themself a role', async () => {
    const me = c.anon('BDG').as(shopper);
    const id = `org.couchdb.user:${shopper.name}`;
    expect((await me.request('GET', `/_users/${id}`)).status).toBe(403);
    const doc = await c.admin('BDG').getDoc('_users', id);
    const r = await me.request('PUT', `/_users/${id}`, { ...doc, roles: ['region-admin', 'region:BDG'] });
    expect(r.status).toBe(403);
    expect(r.json.reason).toMatch(/\w/);
    expect(await c.admin('BDG').getDoc('_users', id)).toEqual(doc);
    // The write was possible: the server admin's identical request goes through.
    const grant = await c.admin('BDG').request('PUT', `/_users/${id}`, { ...doc, roles: ['tester'] });
    expect(grant.status).toBe(201);
    await c.admin('BDG').ok('PUT', `/_users/${id}`, { ...doc, _rev: grant.json.rev, roles: [] });
  });

  it('an anonymous sign-up through _users is refused (401, as CouchDB 3) and creates no account', async () => {
    const name = 'tamu.bdg';
    const id = `org.couchdb.user:${name}`;
    const user = { _id: id, name, type: 'user', roles: [], password: 'rahasia-tamu' };
    const put = await c.anon('BDG').request('PUT', `/_users/${id}`, user);
    expect(put.status, JSON.stringify(put.json)).toBe(401);
    const post = await c.anon('BDG').request('POST', '/_users', user);
    expect(post.status, JSON.stringify(post.json)).toBe(401);
    expect(await c.admin('BDG').getDoc('_users', id)).toBeNull();
    expect((await c.anon('BDG').request('POST', '/_session', { name, password: user.password })).status).toBe(401);
  });

  it('only a server admin changes _security or design documents, or deletes a database', async () => {
    const admin = c.anon('BDG').as(DEMO.regionAdmin('BDG'));
    const security = await c.admin('BDG').ok('GET', '/ops/_security');
    const sec = await admin.request('PUT', '/ops/_security', { members: { names: [], roles: [] } });
    // CouchDB refuses inside each shard and, with no shard agreeing, answers 500 no_majority
    // (single node, n=1); the embedded node says what it means. Either way nothing is stored.
    if (c.engine === 'couchdb') expect([sec.status, sec.json.reason]).toEqual([500, 'no_majority']);
    else expect(sec.status).toBe(403);
    expect(await c.admin('BDG').ok('GET', '/ops/_security')).toEqual(security);
    expect((await c.anon('BDG').request('PUT', '/ops/_security', { members: { names: [], roles: [] } })).status).toBe(401);
    expect((await admin.request('PUT', '/ops/_design/evil', { validate_doc_update: 'function(){}' })).status).toBe(403);
    expect(await c.admin('BDG').getDoc('ops', '_design/evil')).toBeNull();
    // Creating and deleting databases is for server admins only: 401 even to a signed-in user.
    expect((await c.anon('BDG').request('DELETE', '/ops')).status).toBe(401);
    expect((await admin.request('DELETE', '/ops')).status).toBe(401);
    expect((await admin.request('PUT', '/ops-copy')).status).toBe(401);
    expect((await c.admin('BDG').request('GET', '/ops')).status).toBe(200);
    expect((await c.admin('BDG').request('GET', '/ops-copy')).status).toBe(404);
  });

  it('a session cookie from /_session identifies the shopper', async () => {
    const login = await c.anon('BDG').request('POST', '/_session', { name: shopper.name, password: shopper.password });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const who = await c.anon('BDG').request('GET', '/_session', undefined, { Cookie: cookie });
    expect(who.json.userCtx.name).toBe(shopper.name);
    const wrong = await c.anon('BDG').request('POST', '/_session', { name: shopper.name, password: 'salah' });
    expect(wrong.status).toBe(401);
  });
});

describe('per-user databases', () => {
  it('only the shopper (and the region service) can read or write their database', async () => {
    const db = userDbName(shopper.name);
    const mine = c.anon('BDG').as(shopper);
    expect((await mine.request('PUT', `/${db}/${v.cart_item._id}`, v.cart_item)).status).toBe(201);
    expect((await mine.request('GET', `/${db}/_all_docs`)).status).toBe(200);
    expect((await c.anon('BDG').request('GET', `/${db}/_all_docs`)).status).toBe(401);
    expect((await c.anon('BDG').as(DEMO.regionAdmin('BDG')).request('GET', `/${db}/_all_docs`)).status).toBe(403);
    const svc = c.anon('BDG').as(c.secrets.regions.BDG.service);
    expect((await svc.request('PUT', `/${db}/${v.order_copy._id}`, v.order_copy)).status).toBe(201);
    // The shopper may not forge their own order confirmation.
    const forged = { ...v.order_copy, _id: 'my-order:BDG:forged', status: 'delivered' };
    expect((await mine.request('PUT', `/${db}/${forged._id}`, forged)).status).toBe(403);
  });
});

describe('validate_doc_update at the node', () => {
  it('refuses each kind of bad document with a message naming the field, and stores nothing', async () => {
    const svc = c.anon('BDG').as(c.secrets.regions.BDG.service);
    const central = c.anon('PUSAT').as(DEMO.centralAdmin);
    for (const f of invalidFixtures) {
      const kind = f.doc.type;
      const home = KINDS[kind]?.db ?? 'ops';
      const couch = home === 'catalog' ? central : home === 'userdb' ? c.anon('BDG').as(shopper) : svc;
      const db = home === 'userdb' ? userDbName(shopper.name) : home;
      const holder = c.admin(home === 'catalog' ? 'PUSAT' : 'BDG');
      const before = typeof f.doc._id === 'string' ? await holder.getDoc(db, f.doc._id) : null;
      // An existing document is updated from its current revision, so that the write rules decide
      // (CouchDB reports a stale update as a conflict before it runs them).
      const r = await couch.request('POST', `/${db}`, before ? { ...f.doc, _rev: before._rev } : f.doc);
      expect(r.status, `${f.name}: ${JSON.stringify(r.json)}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json.reason, f.name).toContain(f.field);
      if (typeof f.doc._id === 'string') expect(await holder.getDoc(db, f.doc._id), f.name).toEqual(before);
    }
  });

  it('an update not based on the current revision is a 409 conflict, reported before the write rules run', async () => {
    const svc = c.anon('BDG').as(c.secrets.regions.BDG.service);
    const good = { ...v.warehouse, _id: 'warehouse:BDG:STALE', code: 'STALE' };
    const { rev } = await svc.ok('PUT', `/inventory/${good._id}`, good);
    const bad = { ...good, region_code: 'JKT' };
    const stale = await svc.request('PUT', `/inventory/${good._id}`, bad);
    expect([stale.status, stale.json.error]).toEqual([409, 'conflict']);
    const current = await svc.request('PUT', `/inventory/${good._id}`, { ...bad, _rev: rev });
    expect([current.status, current.json.error]).toEqual([403, 'forbidden']);
    expect((await c.admin('BDG').getDoc('inventory', good._id))._rev).toBe(rev);
  });

  it('a bulk write stores the good documents and reports each refused one', async () => {
    const svc = c.anon('BDG').as(c.secrets.regions.BDG.service);
    const good = { ...v.warehouse, _id: 'warehouse:BDG:BULK-OK', code: 'BULK-OK' };
    const bad = { ...v.warehouse, _id: 'warehouse:BDG:BULK-BAD', code: 'BULK-BAD', region_code: 'JKT' };
    const r = await svc.request('POST', '/inventory/_bulk_docs', { docs: [good, bad] });
    expect(r.status).toBe(201);
    expect(r.json[0].ok).toBe(true);
    expect(r.json[1].error).toBe('forbidden');
    expect(r.json[1].reason).toMatch(/only BDG/);
    expect(await c.admin('BDG').getDoc('inventory', bad._id)).toBeNull();
  });
});

describe("each admin's reach: what they may do and what the nodes refuse", () => {
  const ulidish = () => ulid();
  const request = (region: string, by: string, extra: Record<string, unknown>) => ({
    _id: `request:${region}:${ulidish()}`, type: 'admin_request', region_code: region, by, at: now(), ...extra,
  });
  const q = (k: unknown) => encodeURIComponent(JSON.stringify(k));
  const bdgAdmin = DEMO.regionAdmin('BDG');
  type Case = [string, Actor, string, 'GET' | 'POST', string, (() => unknown) | undefined, number];
  const CASES: Case[] = [
    // The BDG admin: the region's views, requests and goods received at BDG; nothing elsewhere.
    ['BDG admin reads the sales view', 'bdgAdmin', 'BDG', 'GET', `${viewPath('ops', 'orders_by_day')}?group=true&startkey=${q(['BDG'])}&endkey=${q(['BDG', {}])}`, undefined, 200],
    ['BDG admin reads the order list view', 'bdgAdmin', 'BDG', 'GET', `/ops/_design/sebaran/_view/orders_by_created?limit=5&descending=true`, undefined, 200],
    ['BDG admin asks for an order status change', 'bdgAdmin', 'BDG', 'POST', '/ops', () => request('BDG', bdgAdmin.name, { kind: 'order_status', order_id: v.order._id, status: 'processed' }), 201],
    ['BDG admin asks for a stock count', 'bdgAdmin', 'BDG', 'POST', '/ops', () => request('BDG', bdgAdmin.name, { kind: 'count', stock_id: v.warehouse_item._id, counted: 4 }), 201],
    ['BDG admin signs a request as someone else', 'bdgAdmin', 'BDG', 'POST', '/ops', () => request('BDG', 'admin-jkt', { kind: 'count', stock_id: v.warehouse_item._id, counted: 4 }), 403],
    ['BDG admin writes an order directly', 'bdgAdmin', 'BDG', 'POST', '/ops', () => ({ ...v.order, _id: `order:BDG:${ulidish()}` }), 403],
    ['BDG admin takes stock away through the ledger', 'bdgAdmin', 'BDG', 'POST', '/ops', () => ({ ...v.ledger, _id: `ledger:BDG:x-${ulidish()}`, reason: 'receive', delta: -5, by: bdgAdmin.name }), 403],
    ['BDG admin sends itself a restock request', 'bdgAdmin', 'BDG', 'POST', '/ops', () => request('BDG', bdgAdmin.name, { kind: 'restock', product_id: v.product._id, qty: 5 }), 403],
    ['BDG admin writes a request for JKT', 'bdgAdmin', 'BDG', 'POST', '/ops', () => request('JKT', bdgAdmin.name, { kind: 'count', stock_id: 'stock:JKT:JKT-PUSAT:SEM-00001', counted: 1 }), 403],
    ['BDG admin reads a shopper account', 'bdgAdmin', 'BDG', 'GET', `/_users/org.couchdb.user:${shopper.name}`, undefined, 403],
    ['BDG admin at the JKT node', 'bdgAdmin', 'JKT', 'GET', '/ops/_all_docs?limit=1', undefined, 401],
    ['BDG admin at central', 'bdgAdmin', 'PUSAT', 'GET', `${viewPath('ops', 'orders_by_day')}?group_level=1`, undefined, 401],
    // The central admin: every region's figures at central, restock requests; no region node.
    ['central admin reads the sales of all regions', 'centralAdmin', 'PUSAT', 'GET', `${viewPath('ops', 'orders_by_day')}?group_level=1`, undefined, 200],
    ['central admin asks BDG to restock, in BDG\'s own database at central', 'centralAdmin', 'PUSAT', 'POST', '/ops-bdg', () => request('BDG', DEMO.centralAdmin.name, { kind: 'restock', product_id: v.product._id, qty: 24 }), 201],
    // Written into the merged database, the request would never reach BDG: nothing flows out of it.
    ['central admin writes a restock request into the merged database', 'centralAdmin', 'PUSAT', 'POST', '/ops', () => request('BDG', DEMO.centralAdmin.name, { kind: 'restock', product_id: v.product._id, qty: 24 }), 403],
    ['central admin writes a JKT request into BDG\'s database', 'centralAdmin', 'PUSAT', 'POST', '/ops-bdg', () => request('JKT', DEMO.centralAdmin.name, { kind: 'restock', product_id: v.product._id, qty: 24 }), 403],
    ['central admin writes stock into BDG\'s database at central', 'centralAdmin', 'PUSAT', 'POST', '/inventory-bdg', () => ({ ...v.warehouse_item, _id: `stock:BDG:BDG-KOTA:X-${ulidish()}` }), 403],
    ['central admin changes an order status', 'centralAdmin', 'PUSAT', 'POST', '/ops', () => request('BDG', DEMO.centralAdmin.name, { kind: 'order_status', order_id: v.order._id, status: 'canceled' }), 403],
    ['central admin writes stock at central', 'centralAdmin', 'PUSAT', 'POST', '/inventory', () => ({ ...v.warehouse_item, _id: `stock:BDG:BDG-KOTA:X-${ulidish()}` }), 403],
    ['central admin at the BDG node', 'centralAdmin', 'BDG', 'GET', '/ops/_all_docs?limit=1', undefined, 401],
    // Shoppers and strangers never reach admin data.
    ['shopper reads the sales view', 'shopper', 'BDG', 'GET', `${viewPath('ops', 'orders_by_day')}?group=true`, undefined, 403],
    ['shopper reads an order list', 'shopper', 'BDG', 'GET', '/ops/_design/sebaran/_view/orders_by_created?limit=5', undefined, 403],
    ['shopper writes an admin request', 'shopper', 'BDG', 'POST', '/ops', () => request('BDG', shopper.name, { kind: 'order_status', order_id: v.order._id, status: 'delivered' }), 403],
    ['anonymous reads the sales view', 'anonymous', 'BDG', 'GET', `${viewPath('ops', 'orders_by_day')}?group=true`, undefined, 401],
    ['anonymous reads central', 'anonymous', 'PUSAT', 'GET', `${viewPath('ops', 'orders_by_day')}?group_level=1`, undefined, 401],
  ];
  for (const [what, actor, node, method, path, body, status] of CASES) {
    it(`${what}: ${status}`, async () => {
      const doc = body?.() as any;
      const r = await c.anon(node).as(creds(actor)).request(method, path, doc);
      expect(r.status, JSON.stringify(r.json)).toBe(status);
      if (status >= 400) expect(r.json.reason).toMatch(/\w/);
      if (doc?._id && status >= 400) expect(await c.admin(node).getDoc(path.split('/')[1], doc._id)).toBeNull();
    });
  }

  it('sign-in is refused where an account does not live', async () => {
    expect((await c.anon('JKT').request('POST', '/_session', bdgAdmin)).status).toBe(401);
    expect((await c.anon('BDG').request('POST', '/_session', DEMO.centralAdmin)).status).toBe(401);
    expect((await c.anon('PUSAT').request('POST', '/_session', bdgAdmin)).status).toBe(401);
    expect((await c.anon('BDG').request('POST', '/_session', bdgAdmin)).status).toBe(200);
  });
});
