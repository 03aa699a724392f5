import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, now, type TestCluster } from './harness.ts';
import { DEMO } from '../../server/config.ts';
import { centralLaneDocs, initAll, replicationDocs } from '../../server/ops/init.ts';
import { centralDbOf } from '../../src/lib/model/topology.ts';
import { ids, ulid } from '../../src/lib/model/index.ts';
import { createAppServer, readersOf } from '../../server/app-server.ts';
import { freePort } from '../../server/cluster.ts';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import { createGunzip, gunzipSync } from 'node:zlib';

let c: TestCluster;
let app: Server;
let appUrl: string;
beforeAll(async () => {
  c = await startCluster();
  // Devices read a region's catalog and stock through the app server (the nodes open no database to anonymous).
  app = createAppServer(c.topology, '/nonexistent-build', { readers: readersOf(c.secrets) });
  const port = await freePort();
  await new Promise<void>((r) => app.listen(port, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  app?.closeAllConnections();
  app?.close();
  await c?.stop();
});

const product = (sku: string, price = 15000) => ({
  _id: `product:${sku}`, type: 'product', sku, name: `Produk ${sku}`, description: 'uji', category_id: 'category:uji',
  price, unit: 'pcs', active: true, created_at: now(), updated_at: now(),
});

describe('changes feed', () => {
  // Sequences are opaque (CouchDB's are strings naming shard positions): a test only hands back ones the feed gave out.
  it('since=<a sequence from the feed> returns only the changes after it, also as a longpoll (else replication spins)', async () => {
    const admin = c.admin('PUSAT').as(DEMO.centralAdmin);
    for (const sku of ['SEQ-1', 'SEQ-2', 'SEQ-3']) await admin.ok('PUT', `/catalog/product:${sku}`, product(sku));
    await admin.ok('PUT', '/catalog/category:seq', { _id: 'category:seq', type: 'category', slug: 'seq', name: 'Urutan', sort: 9, updated_at: now() });
    const all = await c.admin('PUSAT').ok('GET', '/catalog/_changes');
    const last = all.last_seq;
    const after = await c.admin('PUSAT').ok('GET', `/catalog/_changes?since=${encodeURIComponent(last)}`);
    expect(after.results).toEqual([]);
    const t0 = Date.now();
    const poll = await c.admin('PUSAT').ok('GET', `/catalog/_changes?since=${encodeURIComponent(last)}&feed=longpoll&timeout=300`);
    expect(poll.results).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    // From the sequence of the feed's first row: exactly the rows after it, and the selector holds. (CouchDB's
    // feed runs shard by shard, not in write order, so "after" means after in the feed.)
    const ids = (rows: any[]) => rows.map((r) => r.id).sort();
    const since = encodeURIComponent(all.results[0].seq);
    const later = all.results.slice(1);
    expect(later.some((r: any) => r.id.startsWith('product:'))).toBe(true);
    expect(later.some((r: any) => !r.id.startsWith('product:'))).toBe(true);
    const unfiltered = await c.admin('PUSAT').ok('GET', `/catalog/_changes?since=${since}`);
    expect(ids(unfiltered.results)).toEqual(ids(later));
    const filtered = await c.admin('PUSAT').ok('POST', `/catalog/_changes?filter=_selector&since=${since}`, { selector: { _id: { $regex: '^product:' } } });
    expect(ids(filtered.results)).toEqual(ids(later.filter((r: any) => r.id.startsWith('product:'))));
  });
});

describe('replication', () => {
  it('a catalog change at central appears at every region', async () => {
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    await pusat.ok('PUT', '/catalog/product:REP-1', product('REP-1'));
    for (const r of c.topology.regions) {
      expect(await until(async () => !!(await c.admin(r.code).getDoc('catalog', 'product:REP-1')))).toBe(true);
    }
  });

  it('a regional document reaches central and never another region', async () => {
    const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
    const wh = { _id: 'warehouse:BDG:BDG-X', type: 'warehouse', region_code: 'BDG', code: 'BDG-X', name: 'Gudang X', city: 'Bandung', delivery_days: { min: 1, max: 2 }, updated_at: now() };
    await svc.ok('PUT', '/inventory/warehouse:BDG:BDG-X', wh);
    expect(await until(async () => !!(await c.admin('PUSAT').getDoc('inventory', 'warehouse:BDG:BDG-X')))).toBe(true);
    // The other regions' lanes from central are running: a document of theirs, written at central (into
    // the region's own database there) after BDG's arrived, reaches each of them; BDG's never does.
    for (const code of ['JKT', 'SBY']) {
      const mark = { ...wh, _id: `warehouse:${code}:${code}-MARK`, region_code: code, code: `${code}-MARK` };
      await c.admin('PUSAT').ok('PUT', `/${centralDbOf('inventory', code)}/${mark._id}`, mark);
    }
    for (const code of ['JKT', 'SBY']) {
      expect(await until(async () => !!(await c.admin(code).getDoc('inventory', `warehouse:${code}:${code}-MARK`)))).toBe(true);
      expect(await c.admin(code).getDoc('inventory', 'warehouse:BDG:BDG-X')).toBeNull();
    }
  });
});

describe('what central sends a region', () => {
  it('a restock request the central admin writes into ops-bdg reaches BDG and central\'s merged ops, and no other region', async () => {
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    const id = ids.request('BDG', ulid());
    const ask = { _id: id, type: 'admin_request', region_code: 'BDG', kind: 'restock', product_id: 'product:REP-1', qty: 7, by: DEMO.centralAdmin.name, at: now() };
    await pusat.ok('PUT', `/${centralDbOf('ops', 'BDG')}/${id}`, ask);
    expect(await until(async () => !!(await c.admin('BDG').getDoc('ops', id)))).toBe(true);
    expect(await until(async () => !!(await c.admin('PUSAT').getDoc('ops', id)))).toBe(true);
    // JKT's lanes from central are running (a JKT request sent after this one arrives), and BDG's never came.
    const jkt = { ...ask, _id: ids.request('JKT', ulid()), region_code: 'JKT' };
    await pusat.ok('PUT', `/${centralDbOf('ops', 'JKT')}/${jkt._id}`, jkt);
    expect(await until(async () => !!(await c.admin('JKT').getDoc('ops', jkt._id)))).toBe(true);
    expect(await c.admin('JKT').getDoc('ops', id)).toBeNull();
    // Into the merged database it is refused: it would never leave central.
    const direct = { ...ask, _id: ids.request('BDG', ulid()) };
    const refused = await pusat.request('PUT', `/ops/${direct._id}`, direct);
    expect(refused.status).toBe(403);
    expect(refused.json.reason).toMatch(/ops-bdg/);
  });

  it('init removes the lanes an earlier version ran out of central\'s merged databases and its retired design documents, and a second run finds nothing to change', async () => {
    const central = c.admin('PUSAT');
    const old = centralLaneDocs(c.topology, c.secrets)[0];
    const retired = { ...old, _id: 'sebaran-bdg-ops-out', source: old.target, target: old.source };
    await central.ok('PUT', `/_replicator/${retired._id}`, retired);
    expect(await central.getDoc('_replicator', retired._id)).not.toBeNull();
    // The best sellers' own design document of an earlier version, at central and at a region.
    const oldDesign = { _id: '_design/product-sales', language: 'javascript', views: { product_sales: { map: 'function (doc) { emit(doc._id, 1); }', reduce: '_sum' } } };
    for (const node of [central, c.admin('BDG')]) await node.ok('PUT', `/ops/${oldDesign._id}`, oldDesign);
    const lines: string[] = [];
    await initAll(c.topology, c.secrets, (l) => lines.push(l));
    expect(await central.getDoc('_replicator', retired._id)).toBeNull();
    expect(lines.join('\n')).toContain('removed replication sebaran-bdg-ops-out');
    for (const node of [central, c.admin('BDG')]) expect(await node.getDoc('ops', oldDesign._id)).toBeNull();
    expect(lines.join('\n')).toContain('removed the retired design document _design/product-sales from ops');
    const again: string[] = [];
    await initAll(c.topology, c.secrets, (l) => again.push(l));
    expect(again.filter((l) => l.startsWith('  +'))).toEqual([]);
  });

  it("init moves regions that pulled central's shared catalog (an earlier version) onto their own copies; one it cannot reach keeps its lane working until a later init", async () => {
    const central = c.admin('PUSAT');
    const codes = c.topology.regions.map((r) => r.code);
    // As an earlier version left it: every region's lane on the shared catalog, readable to the lanes.
    const sec = await central.ok('GET', '/catalog/_security');
    await central.ok('PUT', '/catalog/_security', { ...sec, members: { ...sec.members, roles: [...sec.members.roles, 'replicator'] } });
    for (const code of codes) {
      const region = c.topology.regions.find((r) => r.code === code)!;
      const wanted = replicationDocs(c.topology, region, c.secrets).find((d) => d._id === 'sebaran-catalog-pull') as any;
      const lane = await c.admin(code).getDoc('_replicator', 'sebaran-catalog-pull');
      await c.admin(code).ok('PUT', '/_replicator/sebaran-catalog-pull', { ...wanted, _rev: lane._rev, source: { ...wanted.source, url: wanted.source.url.replace(/-[a-z]+$/, '') } });
    }
    const arrives = async (id: string, at: string[]) => {
      await central.ok('PUT', `/catalog/${id}`, product(id.slice('product:'.length)));
      for (const code of at) expect(await until(async () => (await c.admin(code).getDoc('catalog', id)) !== null, 30_000), `${id} at ${code}`).toBe(true);
    };
    await arrives('product:MOVE-0', codes);
    // The last region cannot be reached: init stops there, and the shared catalog stays readable to its lane.
    const last = codes[codes.length - 1];
    const closed = await freePort();
    const away = { ...c.topology, regions: c.topology.regions.map((r) => (r.code === last ? { ...r, url: `http://127.0.0.1:${closed}` } : r)) };
    await expect(initAll(away, c.secrets)).rejects.toThrow();
    expect((await central.ok('GET', '/catalog/_security')).members.roles).toContain('replicator');
    for (const code of codes.slice(0, -1)) expect((await c.admin(code).getDoc('_replicator', 'sebaran-catalog-pull')).source.url).toMatch(new RegExp(`/catalog-${code.toLowerCase()}$`));
    await arrives('product:MOVE-1', codes);
    // Reached later: every region on its own copy, and only then is the shared catalog closed to them.
    const lines: string[] = [];
    await initAll(c.topology, c.secrets, (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(/_security of catalog at/);
    expect((await central.ok('GET', '/catalog/_security')).members.roles).not.toContain('replicator');
    expect((await c.admin(last).getDoc('_replicator', 'sebaran-catalog-pull')).source.url).toMatch(new RegExp(`/catalog-${last.toLowerCase()}$`));
    expect((await c.anon('PUSAT').as(c.secrets.regions[last].replicator).request('GET', '/catalog/_all_docs?limit=1')).status).toBe(403);
    await arrives('product:MOVE-2', codes);
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
    // At the node itself an anonymous device is refused; through the app server it reads.
    const direct = `${c.topology.regions.find((r) => r.code === 'BDG')!.url}/catalog`;
    await expect(pullChanges({ url: direct, local })).rejects.toMatchObject({ status: 401 });
    const url = `${appUrl}/db/bdg/catalog`;
    // The snapshot's documents are handed over as they arrive, before any is written (the shop shows them).
    const shown: string[] = [];
    let writes = 0;
    let writesWhenShown = -1;
    const onSnapshot = (docs: any[]) => {
      shown.push(...docs.map((d) => d._id));
      writesWhenShown = writes;
    };
    const counted = { get: (id: string) => local.get(id), put: (d: any) => local.put(d), bulkDocs: (d: any[], o: any) => (writes++, local.bulkDocs(d, o)) };
    const first = await pullChanges({ url, local: counted, onSnapshot });
    const remote = (await c.admin('BDG').allDocs('catalog', 'include_docs=false')).filter((r: any) => !r.id.startsWith('_design/'));
    expect(first).toBe(remote.length);
    expect(shown.sort()).toEqual(remote.map((r: any) => r.id).sort());
    expect(writesWhenShown).toBe(0);
    expect(writes).toBeGreaterThan(0);
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    const current = await pusat.getDoc('catalog', 'product:REP-1');
    await pusat.ok('PUT', '/catalog/product:REP-1', { ...current, price: 99000 });
    await pusat.ok('PUT', '/catalog/product:REP-2', product('REP-2'));
    expect(await until(async () => (await c.admin('BDG').getDoc('catalog', 'product:REP-2')) !== null)).toBe(true);
    await until(async () => (await c.admin('BDG').getDoc('catalog', 'product:REP-1'))?.price === 99000);
    expect(await pullChanges({ url, local, onSnapshot })).toBeGreaterThanOrEqual(2);
    expect(shown).toHaveLength(remote.length); // later pulls are changes, not snapshots
    expect(((await local.get('product:REP-1')) as any).price).toBe(99000);
    const rep2 = await pusat.getDoc('catalog', 'product:REP-2');
    await pusat.ok('DELETE', `/catalog/product:REP-2?rev=${rep2._rev}`);
    expect(await until(async () => (await c.admin('BDG').getDoc('catalog', 'product:REP-2')) === null)).toBe(true);
    await pullChanges({ url, local });
    await expect(local.get('product:REP-2')).rejects.toMatchObject({ status: 404 });
    const conflicts = await local.allDocs({ include_docs: true, conflicts: true } as any);
    expect(conflicts.rows.filter((r: any) => r.doc?._conflicts?.length)).toEqual([]);
    await local.destroy();
  });
});

describe('_db_updates', () => {
  const events = (r: any) => r.results.map((x: any) => `${x.type} ${x.db_name}`);

  it('tells a server admin (only) which databases were created, as a longpoll from since=now', async () => {
    const bdg = c.admin('BDG');
    expect((await c.anon('BDG').request('GET', '/_db_updates')).status).toBe(401);
    // Not even the region service: CouchDB keeps every server path to server admins (401).
    expect((await c.anon('BDG').as(c.secrets.regions.BDG.service).request('GET', '/_db_updates')).status).toBe(401);
    const present = await bdg.ok('GET', '/_db_updates?since=now');
    expect(present.results).toEqual([]);
    expect(present.last_seq).toEqual(expect.any(String));
    const poll = (since: string) => bdg.ok('GET', `/_db_updates?feed=longpoll&since=${encodeURIComponent(since)}&timeout=10000`);
    const waiting = poll(present.last_seq);
    await bdg.ok('PUT', '/userdb-7a7a');
    // Follow the feed as a client does: CouchDB may wake the poll with the shard map's update (`updated _dbs`)
    // before the `created` event arrives.
    let r = await waiting;
    const seen: string[] = [];
    const deadline = Date.now() + 10_000;
    for (;;) {
      expect(r.results.length).toBeGreaterThan(0);
      for (const x of r.results) expect(x).toEqual({ db_name: expect.any(String), type: expect.stringMatching(/^(created|updated|deleted)$/), seq: expect.any(String) });
      expect(r.last_seq).toBe(r.results.at(-1).seq);
      seen.push(...events(r));
      if (seen.includes('created userdb-7a7a') || Date.now() > deadline) break;
      r = await poll(r.last_seq);
    }
    expect(seen).toContain('created userdb-7a7a');
  });

  it("a since it cannot read is a 400; another node's sequence replays the feed from the start", async () => {
    const bdg = c.admin('BDG');
    for (const since of ['1-otherinstance', 'garbage', '5']) {
      const bad = await bdg.request('GET', `/_db_updates?since=${since}`);
      expect([since, bad.status, bad.json.error]).toEqual([since, 400, 'bad_request']);
    }
    const everything = await bdg.ok('GET', '/_db_updates?since=0');
    expect(events(everything)).toEqual(expect.arrayContaining(['created ops', 'created userdb-7a7a']));
    const foreign = (await c.admin('PUSAT').ok('GET', '/_db_updates?since=now')).last_seq;
    const replay = await bdg.ok('GET', `/_db_updates?since=${encodeURIComponent(foreign)}`);
    expect(events(replay)).toEqual(expect.arrayContaining(['created ops', 'created userdb-7a7a']));
  });
});

describe('the app server compresses what devices pull', () => {
  /** A raw GET through the app server, asking for gzip or not; the body as the wire carried it. */
  const raw = (path: string, gzip: boolean) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = request(`${appUrl}${path}`, { headers: gzip ? { 'Accept-Encoding': 'gzip, deflate, br' } : {} }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts as unknown as Uint8Array[]) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('gzips JSON for a client that accepts it, and only then; the content is the same', async () => {
    const path = '/db/bdg/catalog/_all_docs?include_docs=true';
    const plain = await raw(path, false);
    const zipped = await raw(path, true);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.body as unknown as Uint8Array).toString()).rows).toEqual(JSON.parse(plain.body.toString()).rows);
  });

  it('a continuous feed still delivers each change as it happens (every chunk is flushed)', async () => {
    const sku = `GZ-${Date.now().toString(36).toUpperCase()}`;
    const lines: string[] = [];
    const req = request(`${appUrl}/db/bdg/catalog/_changes?feed=continuous&since=now&heartbeat=1000`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      expect(res.headers['content-encoding']).toBe('gzip');
      res.pipe(createGunzip()).on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    });
    req.end();
    try {
      // Before the write, the feed says nothing of it: what follows is the write arriving, not a buffer emptied at the end.
      await until(async () => req.socket !== undefined && req.socket !== null, 5000);
      expect(lines.some((l) => l.includes(sku))).toBe(false);
      await c.admin('PUSAT').as(DEMO.centralAdmin).ok('PUT', `/catalog/product:${sku}`, product(sku));
      expect(await until(async () => lines.some((l) => l.includes(`product:${sku}`)), 20_000)).toBe(true);
    } finally {
      req.destroy();
    }
  });
});
