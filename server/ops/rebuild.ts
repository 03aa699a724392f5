// Rebuilds a region node from central: drop its shared databases, run init
// for the region (which recreates databases, rules and the same filtered
// replications), wait until the region holds exactly its share, then put its
// shoppers back from central's backup (accounts with their password hashes,
// their databases at their recorded revisions, order copies the backup had
// not caught yet derived from the orders; see shopper-backup.ts). On a node
// that was not wiped, existing accounts and databases are kept.
import { Couch, waitFor } from '../couch-client.ts';
import { regionOf, type Secrets } from '../config.ts';
import type { Topology } from '../../src/lib/model/topology.ts';
import { initAll, type Log } from './init.ts';
import { viewPath } from '../../src/lib/model/design.ts';
import { restoreShoppers } from './shopper-backup.ts';

const DBS = ['catalog', 'inventory', 'ops'];

/** Document counts by database for one region, from central's `by_type` views. */
export async function regionShare(central: Couch, region: string) {
  const out: Record<string, number> = {};
  for (const db of DBS) {
    const rows = (await central.ok('GET', `${viewPath(db, 'by_type')}?group=true`)).rows as any[];
    out[db] = rows.filter((r) => (db === 'catalog' ? true : r.key[1] === region)).reduce((n, r) => n + r.value, 0);
  }
  return out;
}

export async function regionCounts(node: Couch) {
  const out: Record<string, number> = {};
  for (const db of DBS) {
    const rows = (await node.ok('GET', `${viewPath(db, 'by_type')}?group=true`)).rows as any[];
    out[db] = rows.reduce((n, r) => n + r.value, 0);
  }
  return out;
}

export async function rebuildRegion(t: Topology, secrets: Secrets, code: string, log: Log = () => {}, timeoutMs = 600_000) {
  const region = regionOf(t, code);
  const node = new Couch(region.url, secrets.regions[code].admin);
  const central = new Couch(t.central.url, secrets.admin);
  if (!(await central.up(3000))) throw new Error(`Central (${t.central.url}) does not answer: a region is rebuilt from central`);
  if (!(await node.up(3000))) throw new Error(`${code} (${region.url}) does not answer`);
  log(`rebuild ${code}: stopping its replications`);
  // A wiped node has no _replicator yet: init makes it.
  const lanes = await node.request('GET', '/_replicator/_all_docs');
  if (lanes.status !== 200 && lanes.status !== 404) throw new Error(`reading _replicator at ${code}: ${lanes.status} ${lanes.json?.reason ?? ''}`);
  for (const row of lanes.status === 200 ? (lanes.json.rows as any[]) : []) {
    if (row.id.startsWith('sebaran-')) await node.ok('DELETE', `/_replicator/${encodeURIComponent(row.id)}?rev=${row.value.rev}`);
  }
  for (const db of DBS) {
    const r = await node.request('DELETE', `/${db}`);
    if (r.status !== 200 && r.status !== 404) throw new Error(`deleting ${db} at ${code}: ${r.status} ${r.json?.reason ?? ''}`);
    log(`rebuild ${code}: emptied ${db}`);
  }
  await initAll(t, secrets, log, { demo: true });
  const want = await regionShare(central, code);
  log(`rebuild ${code}: refilling from central (${Object.entries(want).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  let last = '';
  const ok = await waitFor(async () => {
    const have = await regionCounts(node);
    const line = DBS.map((db) => `${db} ${have[db]}/${want[db]}`).join(', ');
    if (line !== last) log(`  ${line}`);
    last = line;
    return DBS.every((db) => have[db] === want[db]);
  }, timeoutMs, 500);
  if (!ok) throw new Error(`rebuild ${code}: not complete after ${timeoutMs / 1000} s (${last})`);
  const shoppers = await restoreShoppers(central, node, code, log);
  log(`rebuild ${code}: done`);
  return shoppers;
}
