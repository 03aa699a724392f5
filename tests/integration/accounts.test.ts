// Shopper accounts end cleanly and survive a wiped region: a deleted account's
// data is never seen by a new account of the same name (with the region
// service up or down), and `rebuild-region` brings shoppers back from central's
// backup, able to sign in with their old password and seeing their orders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, R, item, product, checkout, place, answerOf, allAnswered, invariants, until, now, type Region } from '../redteam/service-support.ts';
import { startCluster } from './harness.ts';
import { validFixtures as v } from '../fixtures/documents.ts';
import { signUpShopper } from '../../server/region/signup.ts';
import { deleteShopper } from '../../server/region/accounts.ts';
import { rebuildRegion } from '../../server/ops/rebuild.ts';
import { createAppServer, regionAdminsOf } from '../../server/app-server.ts';
import { freePort } from '../../server/cluster.ts';
import { BACKUP_DB, centralBackupDb } from '../../server/ops/shopper-backup.ts';
import type { ServiceHandle } from '../../server/throwaway-cluster.ts';
import { ids, userDbName } from '../../src/lib/model/index.ts';

let r: Region;
beforeAll(async () => {
  const c = await startCluster([R]);
  const svc = c.admin(R).as(c.secrets.regions[R].service);
  const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
  await pusat.ok('PUT', `/catalog/${product}`, { ...v.product, _id: product, sku: 'HOT-1', name: 'Barang laris', price: 25000, created_at: now(), updated_at: now() });
  await svc.ok('PUT', '/inventory/warehouse:BDG:BDG-A', { ...v.warehouse, _id: 'warehouse:BDG:BDG-A', code: 'BDG-A' });
  await svc.ok('PUT', '/ops/ledger:BDG:seed:hot', { ...v.ledger, _id: 'ledger:BDG:seed:hot', stock_id: item, delta: 50, reason: 'seed', ref: undefined });
  await svc.ok('PUT', `/inventory/${item}`, { ...v.warehouse_item, _id: item, warehouse_id: 'warehouse:BDG:BDG-A', product_id: product, quantity: 50, ledger_count: 1 });
  expect(await until(async () => (await c.admin(R).getDoc('catalog', product)) !== null, 30_000)).toBe(true);
  r = {
    c, svc, admin: c.admin(R), regionAdmin: c.anon(R).as(DEMO.regionAdmin(R)),
    shopper: (name) => c.anon(R).as({ name, password: passwords.get(name)! }),
  };
}, 120_000);
afterAll(async () => r?.c.stop());

/** Stops a node, deletes everything it stored (keeping only its configuration) and starts it again. */
async function wipe(code: string) {
  const node = r.c.nodes[code];
  await node.stop();
  if (r.c.engine === 'couchdb') {
    rmSync(join(node.dir, 'data'), { recursive: true, force: true });
    mkdirSync(join(node.dir, 'data'));
  } else {
    for (const f of readdirSync(node.dir)) if (f !== 'node.json' && f !== 'node.log') rmSync(join(node.dir, f), { recursive: true, force: true });
  }
  await node.start();
}

const passwords = new Map<string, string>();
async function signUp(name: string, password: string) {
  passwords.set(name, password);
  const res = await signUpShopper(r.c.topology.regions[0].url, r.c.secrets.regions[R].admin, R, { name, password, full_name: 'Hana Pertiwi', email: `${name}@contoh.id` });
  expect(res.ok, JSON.stringify(res)).toBe(true);
  // CouchDB's authentication cache follows _users a moment later (a re-used name may still find the old account).
  expect(await until(() => canSignIn(name, password))).toBe(true);
}
const canSignIn = async (name: string, password: string) =>
  (await r.c.anon(R).request('POST', '/_session', { name, password })).status === 200;
const cart = (qty: number) => ({ ...v.cart_item, _id: ids.cartItem(item), stock_id: item, product_id: product, qty, updated_at: now() });
const shopperDocs = async (name: string) =>
  (await r.shopper(name).allDocs(userDbName(name), 'include_docs=false')).filter((x: any) => !x.id.startsWith('_design/')).map((x: any) => `${x.id}@${x.value.rev}`).sort();

describe('a deleted account ends cleanly', () => {
  it('a new sign-up with a deleted name starts empty, with the region service down throughout', async () => {
    await signUp('hana.bdg', 'pertama-hana-1');
    const db = userDbName('hana.bdg');
    expect((await r.shopper('hana.bdg').request('PUT', `/${db}/${ids.cartItem(item)}`, cart(3))).status).toBe(201);
    expect((await place(r, 'hana.bdg', checkout(2, { address: 'Jl. Lama 1, Bandung' }))).status).toBe(201);
    expect((await shopperDocs('hana.bdg')).length).toBe(2);
    // No region service runs in this file yet: the deletion and the new sign-up must not need it.
    const del = await deleteShopper(r.c.topology.regions[0].url, r.c.secrets.regions[R].admin, 'hana.bdg');
    expect(del).toMatchObject({ ok: true, removed: { account: true, db: true } });
    expect(await until(async () => !(await canSignIn('hana.bdg', 'pertama-hana-1')))).toBe(true);
    await signUp('hana.bdg', 'kedua-hana-22');
    expect(await shopperDocs('hana.bdg')).toEqual([]);
    expect(await canSignIn('hana.bdg', 'kedua-hana-22')).toBe(true);
    expect(await canSignIn('hana.bdg', 'pertama-hana-1')).toBe(false);
  });

  it('an account an operator deletes straight from _users leaves a database that a new sign-up replaces, service down', async () => {
    await signUp('ika.bdg', 'pertama-ika-1');
    const db = userDbName('ika.bdg');
    expect((await place(r, 'ika.bdg', checkout(1, { address: 'Jl. Rahasia 7, Bandung' }))).status).toBe(201);
    const old = await r.admin.getDoc('_users', 'org.couchdb.user:ika.bdg');
    expect((await r.admin.request('DELETE', `/_users/org.couchdb.user:ika.bdg?rev=${old._rev}`)).status).toBe(200);
    // The old database is still there: it could have been reused.
    expect((await r.admin.request('GET', `/${db}`)).status).toBe(200);
    expect((await r.admin.allDocs(db)).filter((x: any) => x.id.startsWith('checkout:')).length).toBe(1);
    await signUp('ika.bdg', 'kedua-ika-22');
    expect(await shopperDocs('ika.bdg')).toEqual([]);
  });

  it('the region service, started after, keeps the new account\'s database and removes a deleted one\'s', async () => {
    await signUp('joko.bdg', 'rahasia-joko-1');
    const service = await r.c.service(R);
    try {
      // The new hana and ika write and are answered in the databases they got, which the service kept.
      const req = checkout(1);
      expect((await place(r, 'hana.bdg', req)).status).toBe(201);
      expect(await until(async () => (await answerOf(r, 'hana.bdg', req.request_id)) !== null, 30_000)).toBe(true);
      expect((await shopperDocs('hana.bdg')).length).toBe(2);
      // A shopper's database has one shard: each of its reads and writes touches one file.
      if (r.c.engine === 'couchdb') expect((await r.admin.ok('GET', `/${userDbName('hana.bdg')}`)).cluster.q).toBe(1);
      const joko = await r.admin.getDoc('_users', 'org.couchdb.user:joko.bdg');
      expect((await r.admin.request('DELETE', `/_users/org.couchdb.user:joko.bdg?rev=${joko._rev}`)).status).toBe(200);
      // The service hears of the deletion on its `_db_updates` feed, after the round it is in: on a loaded
      // CI machine that has taken over 30 s once, and the database did go.
      const gone = await until(async () => (await r.admin.request('GET', `/${userDbName('joko.bdg')}`)).status === 404, 90_000);
      if (!gone) expect.fail(`joko's database stayed; service: ${service.output.join('').slice(-4000)}`);
      expect(await invariants(r, ['hana.bdg', 'ika.bdg'])).toBeTruthy();
    } finally {
      await service.kill();
    }
  }, 180_000);

  it('a name taken by a new account while the service was away: the old account\'s backed-up documents are dropped', async () => {
    let service = await r.c.service(R);
    const backup = async (prefix: string) => (await r.admin.allDocs(BACKUP_DB, 'include_docs=true')).filter((x: any) => x.id.startsWith(prefix)).map((x: any) => x.doc);
    try {
      await signUp('pia.bdg', 'pertama-pia-1');
      expect((await r.shopper('pia.bdg').request('PUT', `/${userDbName('pia.bdg')}/${ids.cartItem(item)}`, cart(2))).status).toBe(201);
      // The account's record and its documents' records are written by separate passes, in either order.
      const backedUp = await until(async () => (await backup('doc:')).some((d) => d.name === 'pia.bdg') && (await backup('account:pia.bdg')).length === 1, 30_000);
      // Which half is missing, and what the service said meanwhile.
      if (!backedUp) expect.fail(`docs ${(await backup('doc:')).filter((d) => d.name === 'pia.bdg').length}, account ${(await backup('account:pia.bdg')).length}; service: ${service.output.join('').slice(-3000)}`);
      const oldKey = (await backup('account:pia.bdg'))[0].account_key;
      await service.kill();
      const old = await r.admin.getDoc('_users', 'org.couchdb.user:pia.bdg');
      expect((await r.admin.request('DELETE', `/_users/org.couchdb.user:pia.bdg?rev=${old._rev}`)).status).toBe(200);
      await signUp('pia.bdg', 'kedua-pia-22');
      service = await r.c.service(R);
      expect(await until(async () => (await backup('account:pia.bdg'))[0]?.account_key !== oldKey, 30_000)).toBe(true);
      expect(await until(async () => !(await backup(`doc:${oldKey}:`)).length, 30_000)).toBe(true);
    } finally {
      await service.kill();
    }
  });

  it('through the app: a shopper deletes their own account, the region admin deletes any shopper of the region, nobody else', async () => {
    const server = createAppServer(r.c.topology, '/nonexistent-build', { admins: regionAdminsOf(r.c.secrets) });
    const port = await freePort();
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
    const app = `http://127.0.0.1:${port}/db/${R.toLowerCase()}`;
    const del = (name: string, creds?: { name: string; password: string }) =>
      fetch(`${app}/_accounts/${encodeURIComponent(name)}`, {
        method: 'DELETE', headers: creds ? { Authorization: 'Basic ' + Buffer.from(`${creds.name}:${creds.password}`).toString('base64') } : {},
      });
    try {
      await signUp('nina.bdg', 'rahasia-nina-1');
      await signUp('oki.bdg', 'rahasia-oki-12');
      expect((await del('nina.bdg')).status).toBe(401);
      expect((await del('nina.bdg', { name: 'oki.bdg', password: 'rahasia-oki-12' })).status).toBe(403);
      expect((await del('nina.bdg', { name: 'nina.bdg', password: 'salah-sandi-1' })).status).toBe(401);
      expect((await del('nina.bdg', { name: 'pusat', password: DEMO.centralAdmin.password })).status).toBe(401); // no account at the region
      expect(await r.admin.getDoc('_users', 'org.couchdb.user:nina.bdg')).not.toBeNull();
      // The refusals were about who asked: the shopper themself, then the region's admin, may.
      const own = await del('nina.bdg', { name: 'nina.bdg', password: 'rahasia-nina-1' });
      expect(own.status).toBe(200);
      expect(await own.json()).toMatchObject({ ok: true, removed: { account: true, db: true } });
      expect((await del('oki.bdg', DEMO.regionAdmin(R))).status).toBe(200);
      expect(await r.admin.getDoc('_users', 'org.couchdb.user:oki.bdg')).toBeNull();
      expect((await r.admin.request('GET', `/${userDbName('oki.bdg')}`)).status).toBe(404);
      // A staff account is not a shopper's, whoever asks.
      expect((await del(DEMO.regionAdmin(R).name, DEMO.regionAdmin(R))).status).toBe(403);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('staff accounts cannot be deleted as shoppers', async () => {
    const res = await deleteShopper(r.c.topology.regions[0].url, r.c.secrets.regions[R].admin, DEMO.regionAdmin(R).name);
    expect(res).toMatchObject({ ok: false, error: 'not_a_shopper' });
    expect(await r.admin.getDoc('_users', `org.couchdb.user:${DEMO.regionAdmin(R).name}`)).not.toBeNull();
  });
});

describe("a new account of a deleted name gets none of the old account's orders", () => {
  it('the service writes missing order copies only for orders made after the account was', async () => {
    await signUp('nia.bdg', 'pertama-nia-1');
    let service = await r.c.service(R);
    const old = checkout(1);
    const fresh = checkout(1);
    const copyOf = (req: { request_id: string }) => ids.orderCopy(ids.order(R, 'nia.bdg', req.request_id));
    try {
      expect((await place(r, 'nia.bdg', old)).status).toBe(201);
      expect(await until(async () => (await answerOf(r, 'nia.bdg', old.request_id)) !== null, 30_000)).toBe(true);
    } finally {
      await service.kill();
    }
    expect((await deleteShopper(r.c.topology.regions[0].url, r.c.secrets.regions[R].admin, 'nia.bdg')).ok).toBe(true);
    await signUp('nia.bdg', 'kedua-nia-22');
    service = await r.c.service(R);
    try {
      expect((await place(r, 'nia.bdg', fresh)).status).toBe(201);
      expect(await until(async () => (await answerOf(r, 'nia.bdg', fresh.request_id)) !== null, 30_000)).toBe(true);
    } finally {
      await service.kill();
    }
    // Take the new account's copy away: a service start must write it again (so the backfill ran for
    // this account), and must not write the old account's order, which ops still keeps by name.
    const db = userDbName('nia.bdg');
    const copy = await r.admin.getDoc(db, copyOf(fresh));
    expect((await r.admin.request('DELETE', `/${db}/${copyOf(fresh)}?rev=${copy._rev}`)).status).toBe(200);
    expect(await r.svc.getDoc('ops', ids.order(R, 'nia.bdg', old.request_id))).not.toBeNull();
    service = await r.c.service(R);
    try {
      expect(await until(async () => (await r.admin.getDoc(db, copyOf(fresh))) !== null, 30_000)).toBe(true);
      expect(await r.admin.getDoc(db, copyOf(old))).toBeNull();
    } finally {
      await service.kill();
    }
  });
});

describe('shoppers survive a wiped region', () => {
  let service: ServiceHandle | null = null;
  afterAll(async () => service?.kill());
  const central = () => r.c.admin('PUSAT');
  const backupIds = async () => (await central().allDocs(centralBackupDb(R), 'include_docs=false')).map((x: any) => x.id);

  it('the backup reaches central, where neither a central nor a regional admin can read it', async () => {
    service = await r.c.service(R);
    await signUp('lina.bdg', 'sandi-lina-123');
    await signUp('mira.bdg', 'sandi-mira-123');
    expect((await r.shopper('lina.bdg').request('PUT', `/${userDbName('lina.bdg')}/${ids.cartItem(item)}`, cart(4))).status).toBe(201);
    for (const qty of [1, 2]) expect((await place(r, 'lina.bdg', checkout(qty))).status).toBe(201);
    expect(await allAnswered(r, ['lina.bdg'])).toBe(true);
    const lina = await shopperDocs('lina.bdg');
    expect(lina.length).toBe(5); // a cart line, two requests, two order copies
    const want = [...lina.map((x) => x.split('@')[0]), 'account'];
    expect(await until(async () => {
      const have = await backupIds();
      return have.includes('account:lina.bdg') && have.includes('account:mira.bdg') && have.filter((id) => id.startsWith('doc:')).length >= want.length - 1;
    }, 60_000)).toBe(true);
    const rec = await central().getDoc(centralBackupDb(R), 'account:lina.bdg');
    expect(typeof rec.user.derived_key).toBe('string');
    // Through the app's logins, nobody reads it.
    const pusat = r.c.anon('PUSAT').as(DEMO.centralAdmin);
    expect([401, 403]).toContain((await pusat.request('GET', `/${centralBackupDb(R)}/account:lina.bdg`)).status);
    expect([401, 403]).toContain((await pusat.request('GET', `/${centralBackupDb(R)}/_all_docs`)).status);
    expect([401, 403]).toContain((await r.regionAdmin.request('GET', `/${BACKUP_DB}/account:lina.bdg`)).status);
    expect([401, 403]).toContain((await r.shopper('lina.bdg').request('GET', `/${BACKUP_DB}/account:lina.bdg`)).status);
  }, 120_000);

  it('a shopper database with more changes than one pass reads of it is backed up whole', async () => {
    await signUp('nina.bdg', 'sandi-nina-123');
    // 1,100 cart lines: more than the 1,000 changes the backup takes of one database at a time.
    const lines = Array.from({ length: 1100 }, (_, k) => ({ ...cart(1), _id: ids.cartItem(`${item}-${k}`), stock_id: `${item}-${k}` }));
    const res = (await r.shopper('nina.bdg').ok('POST', `/${userDbName('nina.bdg')}/_bulk_docs`, { docs: lines })) as any[];
    expect(res.filter((x) => x.ok).length).toBe(1100);
    const records = async () => (await r.admin.allDocs(BACKUP_DB, 'include_docs=true')).filter((x: any) => x.doc?.name === 'nina.bdg' && x.doc.type === 'shopper_doc').length;
    expect(await until(async () => (await records()) === 1100, 60_000)).toBe(true);
  }, 120_000);

  it('a deleted account leaves the backup too', async () => {
    expect((await deleteShopper(r.c.topology.regions[0].url, r.c.secrets.regions[R].admin, 'mira.bdg')).ok).toBe(true);
    expect(await until(async () => !(await backupIds()).includes('account:mira.bdg'), 60_000)).toBe(true);
  });

  it('rebuild-region brings back accounts with their passwords, their documents at the same revisions, and their order history', async () => {
    const before = await shopperDocs('lina.bdg');
    const hana = await shopperDocs('hana.bdg');
    const orders = (await r.admin.allDocs('ops')).filter((x: any) => x.doc.type === 'order').map((x: any) => x.id).sort();
    // Every shopper document is backed up; then one order copy is lost from the backup (as if the
    // region died before its lane carried it): the rebuild derives it from the order.
    expect(await until(async () => {
      const have = new Set(await backupIds());
      return before.every((d) => [...have].some((id) => id.endsWith(`:${d.split('@')[0]}`))) && hana.every((d) => [...have].some((id) => id.endsWith(`:${d.split('@')[0]}`)));
    }, 60_000)).toBe(true);
    const lostCopy = (await central().allDocs(centralBackupDb(R))).find((x: any) => x.id.startsWith('doc:') && x.doc.name === 'lina.bdg' && x.doc.doc._id.startsWith('my-order:'));
    await service!.kill();
    service = null;
    await central().ok('DELETE', `/${centralBackupDb(R)}/${encodeURIComponent(lostCopy.id)}?rev=${lostCopy.value.rev}`);
    // The region node is wiped: its data directory is emptied (accounts and shopper databases included)
    // and it starts again with only its server admin.
    await wipe(R);
    expect(await r.admin.getDoc('_users', 'org.couchdb.user:lina.bdg').catch(() => null)).toBeNull();
    expect((await r.admin.request('GET', `/${userDbName('lina.bdg')}`)).status).toBe(404);

    const lines: string[] = [];
    const report = await rebuildRegion(r.c.topology, r.c.secrets, R, (l) => lines.push(l), 120_000);
    expect(report.copies).toBe(1);
    expect(await until(() => canSignIn('lina.bdg', 'sandi-lina-123'))).toBe(true);
    expect(await until(() => canSignIn('hana.bdg', 'kedua-hana-22'))).toBe(true);
    expect(await canSignIn('mira.bdg', 'sandi-mira-123')).toBe(false); // deleted before the wipe: stays deleted
    const after = await shopperDocs('lina.bdg');
    // The derived copy is a new revision; everything else is exactly what the shopper's devices hold.
    const lostId = lostCopy.doc.doc._id;
    expect(after.filter((x) => !x.startsWith(`${lostId}@`))).toEqual(before.filter((x) => !x.startsWith(`${lostId}@`)));
    expect(after.map((x) => x.split('@')[0])).toEqual(before.map((x) => x.split('@')[0]));
    expect(await shopperDocs('hana.bdg')).toEqual(hana);
    expect((await r.admin.allDocs('ops')).filter((x: any) => x.doc.type === 'order').map((x: any) => x.id).sort()).toEqual(orders);
  }, 240_000);

  it('after the rebuild the region service answers new requests and nothing is decided twice', async () => {
    service = await r.c.service(R);
    const req = checkout(1);
    expect((await place(r, 'lina.bdg', req)).status).toBe(201);
    expect(await until(async () => (await answerOf(r, 'lina.bdg', req.request_id))?.status === 'placed', 30_000)).toBe(true);
    await invariants(r, ['lina.bdg', 'hana.bdg']);
    // A second rebuild of a node that was not wiped keeps everything as it is.
    const lina = await shopperDocs('lina.bdg');
    await service.kill();
    service = null;
    await rebuildRegion(r.c.topology, r.c.secrets, R, () => {}, 120_000);
    expect(await shopperDocs('lina.bdg')).toEqual(lina);
  }, 240_000);

  it('the CLI deletes a shopper', async () => {
    const env = { ...process.env, SEBARAN_TOPOLOGY: r.c.topologyPath, SEBARAN_SECRETS: r.c.secretsPath };
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'delete-shopper', R, 'lina.bdg'], { env, encoding: 'utf8' });
    expect(res.status, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/Deleted lina\.bdg/);
    expect(await until(async () => !(await canSignIn('lina.bdg', 'sandi-lina-123')))).toBe(true);
    expect((await r.admin.request('GET', `/${userDbName('lina.bdg')}`)).status).toBe(404);
  });
});
