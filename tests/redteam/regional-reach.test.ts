// A regional laptop is stolen: every credential it could hold reaches only
// its own region's data, at its own node, at central and at the other
// regions. Status codes from real nodes, both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, now, until, type TestCluster } from '../integration/harness.ts';
import { DEMO } from '../../server/config.ts';
import type { Credentials } from '../../server/couch-client.ts';
import { provisionUserDb } from '../../server/ops/userdb.ts';
import { validFixtures as v } from '../fixtures/documents.ts';
import { AdminCalls } from '../../server/region/admin-calls.ts';

const REGIONS = ['BDG', 'JKT'] as const;
type R = (typeof REGIONS)[number];
type Who = 'repl' | 'svc' | 'admin' | 'shopper' | 'reader';
const WHO: Who[] = ['repl', 'svc', 'admin', 'shopper', 'reader'];

let c: TestCluster;
const shopperOf = (r: R) => ({ name: `pembeli.${r.toLowerCase()}`, password: `rahasia-${r}` });
beforeAll(async () => {
  c = await startCluster([...REGIONS]);
  for (const r of REGIONS) {
    const s = shopperOf(r);
    await c.admin(r).ok('PUT', `/_users/org.couchdb.user:${s.name}`, { _id: `org.couchdb.user:${s.name}`, name: s.name, type: 'user', roles: [], password: s.password });
    await provisionUserDb(c.admin(r), s.name, r);
  }
});
afterAll(async () => c?.stop());

function creds(who: Who, r: R): Credentials {
  const s = c.secrets.regions[r];
  return { repl: s.replicator, svc: s.service, admin: DEMO.regionAdmin(r), shopper: shopperOf(r), reader: s.reader }[who];
}
const other = (r: R): R => (r === 'BDG' ? 'JKT' : 'BDG');

/** What `who` of region `r` gets reading `_all_docs` of `db` at `node`: the whole matrix, as data. */
function expectedRead(who: Who, r: R, node: 'PUSAT' | R, db: string): number {
  if (node === 'PUSAT') {
    if (who !== 'repl') return 401; // no account at central
    return db.endsWith(`-${r.toLowerCase()}`) ? 200 : 403;
  }
  if (node !== r) return 401; // no account at another region's node
  if (who === 'shopper') return 403;
  if (who === 'reader') return db === 'ops' ? 403 : 200;
  return 200;
}

const CENTRAL_DBS = ['catalog', 'ops', 'inventory', 'ops-bdg', 'inventory-bdg', 'catalog-bdg', 'ops-jkt', 'inventory-jkt', 'catalog-jkt'];
const REGION_DBS = ['catalog', 'inventory', 'ops'];

describe('each regional credential against its own and the other regions\' data', () => {
  for (const r of REGIONS) {
    for (const who of WHO) {
      const targets: Array<['PUSAT' | R, string]> = [
        ...CENTRAL_DBS.map((db) => ['PUSAT', db] as ['PUSAT', string]),
        ...REGION_DBS.map((db) => [r, db] as [R, string]),
        ...REGION_DBS.map((db) => [other(r), db] as [R, string]),
      ];
      it(`${who}-${r.toLowerCase()} reads only its own region's data: ${targets.map(([n, db]) => `${n}/${db} ${expectedRead(who, r, n, db)}`).join(', ')}`, async () => {
        const got = await Promise.all(targets.map(async ([n, db]) => (await c.anon(n).as(creds(who, r)).request('GET', `/${db}/_all_docs?limit=1`)).status));
        expect(got).toEqual(targets.map(([n, db]) => expectedRead(who, r, n, db)));
      });
    }
  }

  it("a region's replication account at central writes its own region's documents into its own databases only", async () => {
    const repl = c.anon('PUSAT').as(c.secrets.regions.BDG.replicator);
    const doc = (region: string) => ({ ...v.ledger, _id: `ledger:${region}:reach-${now().replace(/\D/g, '')}`, region_code: region, delta: 1, reason: 'receive' });
    expect((await repl.request('POST', '/ops-bdg', doc('BDG'))).status).toBe(201);
    const foreign = await repl.request('POST', '/ops-bdg', doc('JKT'));
    expect([foreign.status, foreign.json.error]).toEqual([403, 'forbidden']);
    for (const db of ['ops', 'ops-jkt', 'inventory', 'inventory-jkt']) {
      const d = doc(db.endsWith('jkt') ? 'JKT' : 'BDG');
      expect((await repl.request('POST', `/${db}`, d)).status, db).toBe(403);
      expect(await c.admin('PUSAT').getDoc(db, d._id), db).toBeNull();
    }
  });

  it("a region's replication account cannot slip tombstones into central's catalog, bare or padded, so none reaches the other regions", async () => {
    const repl = c.anon('PUSAT').as(c.secrets.regions.BDG.replicator);
    const id = `product:JUNK-${now().replace(/\D/g, '')}`;
    for (const doc of [{ _id: id, _deleted: true }, { _id: id, _deleted: true, pad: 'x'.repeat(10_000) }]) {
      for (const db of ['catalog', 'catalog-jkt']) expect((await repl.request('POST', `/${db}/_bulk_docs`, { docs: [doc] })).status, db).toBe(403);
    }
    const [row] = (await c.admin('PUSAT').ok('POST', '/catalog/_all_docs', { keys: [id] })).rows as any[];
    expect(row.error).toBe('not_found');
    // The same write was possible: central's own admin makes it.
    expect((await c.admin('PUSAT').ok('POST', '/catalog/_bulk_docs', { docs: [{ _id: id, _deleted: true }] }))[0].ok).toBe(true);
  });

  it("a region's replication account cannot touch another region's catalog checkpoint at central: it keeps its own in its own copy", async () => {
    // Whoever may read a database may write `_local` documents there (CouchDB's rule); a rewritten
    // checkpoint would make the other region's lane skip catalog changes.
    const repl = c.anon('PUSAT').as(c.secrets.regions.BDG.replicator);
    const jkt = c.anon('PUSAT').as(c.secrets.regions.JKT.replicator);
    const mark = { session_id: 'forged', source_last_seq: '999999999', history: [] };
    for (const db of ['catalog', 'catalog-jkt']) {
      const put = await repl.request('PUT', `/${db}/_local/reach-test`, mark);
      expect(put.status, db).toBe(403);
      expect((await c.admin('PUSAT').request('GET', `/${db}/_local/reach-test`)).status, db).toBe(404);
    }
    // The write was possible: in its own copy, and for JKT in JKT's.
    expect((await repl.request('PUT', '/catalog-bdg/_local/reach-test', mark)).status).toBe(201);
    expect((await jkt.request('PUT', '/catalog-jkt/_local/reach-test', mark)).status).toBe(201);
  });

  it("a region's copy of the catalog at central is written by central's lane only: not by the region, not by central's admin", async () => {
    const id = `product:COPY-${now().replace(/\D/g, '')}`;
    const doc = { ...v.product, _id: id, sku: id.slice('product:'.length), created_at: now(), updated_at: now() };
    const central = c.anon('PUSAT').as(DEMO.centralAdmin);
    const region = c.anon('PUSAT').as(c.secrets.regions.BDG.replicator);
    expect((await central.request('PUT', `/catalog-bdg/${id}`, doc)).status).toBe(403);
    // Not the region's own account either: a rebuild of the region from its copy would bring it back.
    const forged = await region.request('POST', '/catalog-bdg/_bulk_docs', { docs: [{ ...doc, _id: `${id}-F`, sku: `${doc.sku}-F` }, { _id: `${id}-T`, _deleted: true }] });
    expect(forged.json.map((r: any) => r.error)).toEqual(['forbidden', 'forbidden']);
    expect((await region.request('POST', '/catalog-bdg/_bulk_docs', { docs: [{ ...doc, _id: `${id}-G`, sku: `${doc.sku}-G`, _rev: '7-abc' }], new_edits: false })).json[0]?.error).toBe('forbidden');
    for (const suffix of ['-F', '-T', '-G']) expect(await c.admin('PUSAT').getDoc('catalog-bdg', `${id}${suffix}`)).toBeNull();
    expect((await central.request('PUT', `/catalog/${id}`, doc)).status).toBe(201);
    // The catalog reaches both regions through their copies.
    for (const r of REGIONS) expect(await until(async () => (await c.admin(r).getDoc('catalog', id)) !== null, 30_000), r).toBe(true);
  });

  it("a region's replication account holds no account at another region, and no other region's credential works at BDG", async () => {
    for (const who of WHO) {
      expect((await c.anon('BDG').request('POST', '/_session', creds(who, 'JKT'))).status, who).toBe(401);
      expect((await c.anon('JKT').request('POST', '/_session', creds(who, 'BDG'))).status, who).toBe(401);
    }
  });
});

describe('the region service account: data only, never the server', () => {
  // What CouchDB keeps to server admins, whatever `_security` says; the service makes these calls through admin-calls.ts.
  const ADMIN_ONLY: Array<[string, string]> = [
    ['GET', '/_db_updates'], ['GET', '/_all_dbs'], ['GET', '/_scheduler/docs'], ['GET', '/_users/_all_docs'],
    ['PUT', '/userdb-7376632d74657374'], ['PUT', '/userdb-7376632d74657375?q=1'], ['PUT', '/sebaran-service/_security'],
  ];
  for (const [method, path] of ADMIN_ONLY) {
    it(`svc-bdg cannot ${method} ${path} (a server-admin call)`, async () => {
      const r = await c.anon('BDG').as(c.secrets.regions.BDG.service).request(method, path, method === 'PUT' && path.endsWith('_security') ? { admins: { names: [], roles: [] }, members: { names: [], roles: [] } } : undefined);
      // CouchDB answers a `_security` write it refuses inside each shard with 500 no_majority (single node).
      if (c.engine === 'couchdb' && path.endsWith('/_security')) expect([401, 403, 500]).toContain(r.status);
      else expect([401, 403]).toContain(r.status);
      expect(r.status).not.toBe(200);
    });
  }

  it('svc-bdg reads and writes its region\'s data, and reads the service database no one else can', async () => {
    const svc = c.anon('BDG').as(c.secrets.regions.BDG.service);
    for (const db of ['catalog', 'inventory', 'ops', 'sebaran-service']) expect((await svc.request('GET', `/${db}/_all_docs?limit=1`)).status, db).toBe(200);
    expect((await c.anon('BDG').as(DEMO.regionAdmin('BDG')).request('GET', '/sebaran-service/_all_docs')).status).toBe(403);
    expect((await svc.request('PUT', '/inventory/warehouse:BDG:REACH', { ...v.warehouse, _id: 'warehouse:BDG:REACH', code: 'REACH' })).status).toBe(201);
  });

  it('the server-admin client the service holds refuses every call not on its list, before it leaves the process', async () => {
    const admin = new AdminCalls(c.topology.regions[0].url, c.secrets.regions[c.topology.regions[0].code].admin);
    await expect(admin.request('PUT', '/ops/x', { type: 'x' })).rejects.toThrow(/not a call the region service makes/);
    await expect(admin.request('GET', '/ops/_all_docs')).rejects.toThrow(/not a call/);
    await expect(admin.request('DELETE', '/ops')).rejects.toThrow(/not a call/);
    // A shopper database is made with one shard, and only so.
    await expect(admin.request('PUT', '/userdb-78?q=8')).rejects.toThrow(/not a call/);
    await expect(admin.request('PUT', '/userdb-78?q=1&n=3')).rejects.toThrow(/not a call/);
    await expect(admin.request('PUT', '/_users/org.couchdb.user:x', {})).rejects.toThrow(/not a call/);
    expect(() => admin.as(c.secrets.regions.BDG.service)).toThrow();
    expect((await admin.request('GET', '/_all_dbs')).status).toBe(200);
  });
});

describe('server admins are per node', () => {
  it("a region node's server admin is its own: refused at central and at the other region, accepted at home", async () => {
    for (const r of REGIONS) {
      const nodeAdmin = c.secrets.regions[r].admin;
      const at = (code: string) => c.anon(code).as(nodeAdmin).request('GET', '/_all_dbs');
      // It works where it belongs (so a refusal elsewhere is the credential, not the request).
      expect((await at(r)).status, `${r} at home`).toBe(200);
      expect((await at('PUSAT')).status, `${r}'s admin at central`).toBe(401);
      expect((await at(other(r))).status, `${r}'s admin at ${other(r)}`).toBe(401);
    }
    expect(c.secrets.regions.BDG.admin.password).not.toBe(c.secrets.admin.password);
    expect(c.secrets.regions.BDG.admin.password).not.toBe(c.secrets.regions.JKT.admin.password);
  });
});
