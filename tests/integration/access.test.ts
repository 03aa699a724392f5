// Who can read and write what, on which node: status codes from real nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';
import { KINDS } from '../../src/lib/model/index.ts';
import type { Credentials } from '../../server/couch-client.ts';
import { validFixtures as v, invalidFixtures } from '../fixtures/documents.ts';
import { provisionUserDb } from '../../server/ops/userdb.ts';
import { userDbName } from '../../src/lib/model/ids.ts';

let c: TestCluster;
const shopper = { name: 'budi.bdg', password: 'rahasia-budi' };
beforeAll(async () => {
  c = await startCluster(['JKT', 'BDG']);
  const bdg = c.anon('BDG');
  const r = await bdg.request('PUT', `/_users/org.couchdb.user:${shopper.name}`, { _id: `org.couchdb.user:${shopper.name}`, name: shopper.name, type: 'user', roles: [], password: shopper.password });
  expect(r.status).toBe(201);
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
// [node, db, read statuses by actor, write statuses by actor]
const MATRIX: Array<[string, string, number[], number[]]> = [
  ['BDG', 'catalog', [200, 200, 200, 401, 200], [401, 403, 403, 401, 403]],
  ['BDG', 'inventory', [200, 200, 200, 401, 200], [401, 403, 403, 401, 201]],
  ['BDG', 'ops', [401, 403, 200, 401, 200], [401, 403, 201, 401, 201]],
  ['BDG', '_users', [401, 403, 403, 401, 403], [401, 403, 403, 401, 403]],
  ['BDG', '_replicator', [401, 403, 403, 401, 403], [401, 403, 403, 401, 403]],
  ['PUSAT', 'catalog', [401, 401, 401, 200, 401], [401, 401, 401, 201, 401]],
  ['PUSAT', 'inventory', [401, 401, 401, 200, 401], [401, 401, 401, 403, 401]],
  ['PUSAT', 'ops', [401, 401, 401, 200, 401], [401, 401, 401, 403, 401]],
  ['PUSAT', '_users', [401, 401, 401, 403, 401], [401, 401, 401, 403, 401]],
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

  it('a shopper cannot give themself a role', async () => {
    const me = c.anon('BDG').as(shopper);
    const doc = await me.getDoc('_users', `org.couchdb.user:${shopper.name}`);
    const r = await me.request('PUT', `/_users/org.couchdb.user:${shopper.name}`, { ...doc, roles: ['region-admin', 'region:BDG'] });
    expect(r.status).toBe(403);
    expect(r.json.reason).toMatch(/roles/);
  });

  it('only a server admin changes _security or design documents', async () => {
    const admin = c.anon('BDG').as(DEMO.regionAdmin('BDG'));
    expect((await admin.request('PUT', '/ops/_security', { members: { names: [], roles: [] } })).status).toBe(403);
    expect((await admin.request('PUT', '/ops/_design/evil', { validate_doc_update: 'function(){}' })).status).toBe(403);
    expect((await c.anon('BDG').request('DELETE', '/ops')).status).toBe(401);
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
      const r = await couch.request('POST', `/${db}`, f.doc);
      expect(r.status, `${f.name}: ${JSON.stringify(r.json)}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json.reason, f.name).toContain(f.field);
      if (typeof f.doc._id === 'string') expect(await holder.getDoc(db, f.doc._id), f.name).toEqual(before);
    }
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
