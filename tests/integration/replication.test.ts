import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => c?.stop());

const product = (sku: string, price = 15000) => ({
  _id: `product:${sku}`, type: 'product', sku, name: `Produk ${sku}`, description: 'uji', category_id: 'category:uji',
  price, unit: 'pcs', active: true, created_at: now(), updated_at: now(),
});

describe('changes feed', () => {
  it('since=N returns only changes after N, also as a longpoll (else replication spins)', async () => {
    const admin = c.admin('PUSAT');
    const all = await admin.ok('GET', '/catalog/_changes');
    const n = all.last_seq;
    const after = await admin.ok('GET', `/catalog/_changes?since=${n}`);
    expect(after.results).toEqual([]);
    const t0 = Date.now();
    const poll = await admin.ok('GET', `/catalog/_changes?since=${n}&feed=longpoll&timeout=300`);
    expect(poll.results).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const filtered = await admin.ok('POST', `/catalog/_changes?filter=_selector&since=${n - 1}`, { selector: { _id: { $regex: '^product:' } } });
    expect(filtered.results.every((r: any) => r.seq > n - 1)).toBe(true);
  });
});

describe('replication', () => {
  it('a catalog change at central appears at every region', async () => {
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    await pusat.ok('PUT', '/catalog/product:REP-1', product('REP-1'));
    for (const r of c.topology.regions) {
      expect(await until(async () => !!(await c.anon(r.code).getDoc('catalog', 'product:REP-1')))).toBe(true);
    }
  });

  it('a regional document reaches central and never another region', async () => {
    const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
    const wh = { _id: 'warehouse:BDG:BDG-X', type: 'warehouse', region_code: 'BDG', code: 'BDG-X', name: 'Gudang X', city: 'Bandung', delivery_days: { min: 1, max: 2 }, updated_at: now() };
    await svc.ok('PUT', '/inventory/warehouse:BDG:BDG-X', wh);
    expect(await until(async () => !!(await c.admin('PUSAT').getDoc('inventory', 'warehouse:BDG:BDG-X')))).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    for (const code of ['JKT', 'SBY']) {
      expect(await c.admin(code).getDoc('inventory', 'warehouse:BDG:BDG-X')).toBeNull();
    }
  });
});

describe('a device pull (snapshot, then changes)', () => {
  it('copies the region catalog and stock, then follows changes and deletions', async () => {
    const PouchDB = (await import('pouchdb-node')).default;
    const { pullChanges } = await import('../../src/lib/sync/pull.ts');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/pull-`);
    const local = new PouchDB(`${dir}/catalog`);
    const url = `${c.topology.regions.find((r) => r.code === 'BDG')!.url}/catalog`;
    const first = await pullChanges({ url, local });
    const remote = (await c.anon('BDG').allDocs('catalog', 'include_docs=false')).filter((r: any) => !r.id.startsWith('_design/'));
    expect(first).toBe(remote.length);
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    const current = await pusat.getDoc('catalog', 'product:REP-1');
    await pusat.ok('PUT', '/catalog/product:REP-1', { ...current, price: 99000 });
    await pusat.ok('PUT', '/catalog/product:REP-2', product('REP-2'));
    expect(await until(async () => (await c.anon('BDG').getDoc('catalog', 'product:REP-2')) !== null)).toBe(true);
    await until(async () => (await c.anon('BDG').getDoc('catalog', 'product:REP-1'))?.price === 99000);
    expect(await pullChanges({ url, local })).toBeGreaterThanOrEqual(2);
    expect(((await local.get('product:REP-1')) as any).price).toBe(99000);
    const rep2 = await pusat.getDoc('catalog', 'product:REP-2');
    await pusat.ok('DELETE', `/catalog/product:REP-2?rev=${rep2._rev}`);
    expect(await until(async () => (await c.anon('BDG').getDoc('catalog', 'product:REP-2')) === null)).toBe(true);
    await pullChanges({ url, local });
    await expect(local.get('product:REP-2')).rejects.toMatchObject({ status: 404 });
    const conflicts = await local.allDocs({ include_docs: true, conflicts: true } as any);
    expect(conflicts.rows.filter((r: any) => r.doc?._conflicts?.length)).toEqual([]);
    await local.destroy();
  });
});

describe('_db_updates', () => {
  it('tells an admin (only) which databases changed, as a longpoll', async () => {
    const bdg = c.admin('BDG');
    expect((await c.anon('BDG').request('GET', '/_db_updates')).status).toBe(401);
    const { last_seq } = await bdg.ok('GET', '/_db_updates?since=now');
    const waiting = bdg.ok('GET', `/_db_updates?feed=longpoll&since=${last_seq}&timeout=10000`);
    await bdg.ok('PUT', '/userdb-7a7a');
    const r = await waiting;
    expect(r.results.map((x: any) => `${x.type} ${x.db_name}`)).toContain('created userdb-7a7a');
    const stale = await bdg.ok('GET', '/_db_updates?since=1-otherinstance');
    expect(stale.results.length).toBeGreaterThan(0);
  });
});
