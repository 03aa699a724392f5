// Nodes die and come back; nothing accepted is lost and nothing doubles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { startCluster, until, now, type TestCluster } from './harness.ts';
import { DEMO, loadSecrets } from '../../server/config.ts';
import { validFixtures as v } from '../fixtures/documents.ts';
import { Couch } from '../../server/couch-client.ts';
import { freePort, nodeProcess } from '../../server/cluster.ts';
import { initAll } from '../../server/ops/init.ts';
import { rebuildRegion } from '../../server/ops/rebuild.ts';
import { seed } from '../../server/ops/seed.ts';
import { defaultDemoOptions } from '../../server/ops/demo-data.ts';

let c: TestCluster;
beforeAll(async () => {
  c = await startCluster(['JKT', 'BDG']);
  await seed(c.topology, c.secrets, { ...defaultDemoOptions(), products: 30, usersPerRegion: 4, ordersPerRegion: 40, photos: false });
});
afterAll(async () => c?.stop());

const ids = async (code: string, db: string) =>
  (await c.admin(code).allDocs(db, 'include_docs=false')).map((r: any) => `${r.id}@${r.value.rev}`).filter((x: string) => !x.startsWith('_design/')).sort();

const regional = async (code: string, db: string, region: string) =>
  (await c.admin(code).allDocs(db)).filter((r: any) => r.doc.region_code === region).map((r: any) => `${r.id}@${r.value.rev}`).sort();

describe('a region node that goes away', () => {
  it('converges after being killed while central and the region keep writing', async () => {
    const bdg = c.nodes.BDG;
    await bdg.kill('SIGKILL');
    // Central keeps changing the catalog while BDG is down.
    const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
    for (let i = 0; i < 20; i++) {
      await pusat.ok('PUT', `/catalog/product:DOWN-${i}`, { ...v.product, _id: `product:DOWN-${i}`, sku: `DOWN-${i}`, created_at: now(), updated_at: now() });
    }
    await bdg.start();
    // The region writes as soon as it is back, before it caught up.
    const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
    for (let i = 0; i < 20; i++) {
      await svc.ok('PUT', `/ops/ledger:BDG:back-${i}`, { ...v.ledger, _id: `ledger:BDG:back-${i}`, delta: 1, reason: 'receive' });
    }
    const converged = await until(async () => {
      const [cat, cat2, ops, ops2] = await Promise.all([ids('PUSAT', 'catalog'), ids('BDG', 'catalog'), regional('PUSAT', 'ops', 'BDG'), ids('BDG', 'ops')]);
      return JSON.stringify(cat) === JSON.stringify(cat2) && JSON.stringify(ops) === JSON.stringify(ops2);
    }, 30_000);
    expect(converged).toBe(true);
    const centralOps = await regional('PUSAT', 'ops', 'BDG');
    expect(centralOps.filter((x) => x.startsWith('ledger:BDG:back-')).length).toBe(20);
    expect(new Set(centralOps.map((x) => x.split('@')[0])).size).toBe(centralOps.length);
  });

  it('keeps taking regional writes while central is down, and delivers them when it is back', async () => {
    await c.nodes.PUSAT.kill('SIGKILL');
    const svc = c.admin('JKT').as(c.secrets.regions.JKT.service);
    for (let i = 0; i < 20; i++) {
      await svc.ok('PUT', `/ops/ledger:JKT:offline-${i}`, { ...v.ledger, _id: `ledger:JKT:offline-${i}`, region_code: 'JKT', delta: 2, reason: 'receive' });
    }
    await c.nodes.PUSAT.start();
    const delivered = await until(async () => JSON.stringify(await regional('PUSAT', 'ops', 'JKT')) === JSON.stringify(await ids('JKT', 'ops')), 45_000);
    expect(delivered).toBe(true);
  });

  it('rebuild-region restores exactly the region\'s document set', async () => {
    const before = { catalog: await ids('BDG', 'catalog'), inventory: await ids('BDG', 'inventory'), ops: await ids('BDG', 'ops') };
    expect(before.ops.length).toBeGreaterThan(50);
    const lines: string[] = [];
    await rebuildRegion(c.topology, c.secrets, 'BDG', (l) => lines.push(l), 60_000);
    expect(lines.some((l) => l.includes('emptied ops'))).toBe(true);
    expect(await ids('BDG', 'catalog')).toEqual(before.catalog);
    expect(await ids('BDG', 'inventory')).toEqual(before.inventory);
    expect(await ids('BDG', 'ops')).toEqual(before.ops);
    const foreign = (await c.admin('BDG').allDocs('ops')).filter((r: any) => r.doc.region_code && r.doc.region_code !== 'BDG');
    expect(foreign).toEqual([]);
  });
});

describe('init', () => {
  it('a second run changes nothing and says so', async () => {
    const lines: string[] = [];
    expect(await initAll(c.topology, c.secrets, (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toMatch(/nothing changed/);
  });

  it('the CLI adds a fourth region with an edit of the topology and init, no code change', async () => {
    // A node of the engine under test (embedded, or Apache CouchDB with SEBARAN_COUCHDB).
    const url = `http://127.0.0.1:${await freePort()}`;
    // As an operator does it: the new region's secrets first (its own server admin), then its node.
    const withMdn = { ...c.topology, regions: [...c.topology.regions, { code: 'MDN', name: 'Medan', url, warehouses: [] }] };
    const mdnSecrets = loadSecrets(withMdn as typeof c.topology, c.secretsPath).regions.MDN.admin;
    expect(mdnSecrets.password).not.toBe(c.secrets.admin.password);
    const mdn = nodeProcess({ name: 'MDN', url, dataDir: `${c.dir}/MDN`, admin: mdnSecrets, secret: 'x', pbkdf2Iterations: 1000 }, { throwaway: true });
    await mdn.start();
    try {
      const env = { ...process.env, SEBARAN_TOPOLOGY: c.topologyPath, SEBARAN_SECRETS: c.secretsPath };
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'add-region', '--code', 'MDN', '--name', 'Medan', '--url', url, '--warehouse', 'MDN-KOTA:Gudang Medan:Medan:3-5'], { env, encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/Added MDN/);
      // The new region pulls the catalog from central by itself.
      const mdnAdmin = new Couch(url, mdnSecrets);
      const catalog = await until(async () => (await ids('PUSAT', 'catalog')).join() === (await mdnAdmin.allDocs('catalog', 'include_docs=false')).map((r: any) => `${r.id}@${r.value.rev}`).filter((x: string) => !x.startsWith('_design/')).sort().join(), 30_000);
      expect(catalog).toBe(true);
      const status = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'status'], { env, encoding: 'utf8' });
      expect(status.stdout).toMatch(/MDN\s+UP/);
      expect(status.stdout).toMatch(/sebaran-ops-push\s+running/);
    } finally {
      await mdn.stop();
    }
  });
});
