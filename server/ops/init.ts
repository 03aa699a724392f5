// `init`: brings every node to the shape DESIGN.md describes. Idempotent: it
// compares before it writes, and a second run reports nothing to change.
import { Couch, docPath, waitFor, type Credentials } from '../couch-client.ts';
import { designDoc, ledgerDesignDoc } from '../design.ts';
import { SERVICE_DB, serviceDbSecurity } from '../region/checkpoints.ts';
import { DEMO, type Secrets } from '../config.ts';
import type { Topology } from '../../src/lib/model/topology.ts';
import { REGIONAL_DBS, RETIRED_CENTRAL_LANE, centralDbOf, centralLaneDocs, replicationDocs } from './lanes.ts';
import type { DbKind } from '../../src/lib/model/index.ts';
import { RETIRED_DESIGNS } from '../../src/lib/model/design.ts';
import { initShopperBackup } from './shopper-backup.ts';

export type Log = (line: string) => void;

const SHARED_DBS: DbKind[] = ['catalog', 'inventory', 'ops'];

interface Sec {
  admins: { names: string[]; roles: string[] };
  members: { names: string[]; roles: string[] };
}
const sec = (roles: string[], names: string[] = []): Sec => ({ admins: { names: [], roles: [] }, members: { names, roles } });

/**
 * Who may read each database (writes are decided by validate_doc_update). No database is open to
 * anonymous: CouchDB lets anyone who may read a database write `_local` documents into it, and the lanes
 * keep their checkpoints there. Shoppers read a region's catalog and stock through the app server, which
 * forwards only reads with the region's reader account (server/app-server.ts).
 */
export function securityFor(db: DbKind, atCentral: boolean, centralLanes = ''): Sec {
  // At central no region's account reads a shared database: each region's data, and its copy of the
  // catalog, are in databases of its own (lanes.ts).
  if (atCentral) return sec(['central-admin'], centralLanes ? [centralLanes] : []);
  if (db === 'catalog' || db === 'inventory') return sec(['region-admin', 'service', 'replicator', 'reader']);
  return sec(['region-admin', 'service', 'replicator']);
}

/**
 * A region's own database at central: its replication account and central's lane account, and the
 * central admin, who writes there what central sends the region (the write rules allow nothing else).
 */
export const regionDbSecurity = (regionRepl: string, centralLanes: string): Sec => sec(['central-admin'], [regionRepl, centralLanes]);

export { regionSelector, replicationDocs, centralLaneDocs } from './lanes.ts';

/** Compares the fields we own, ignoring what CouchDB adds (_rev, state fields, hashed passwords). */
function same(existing: any, wanted: any) {
  for (const k of Object.keys(wanted)) {
    if (k === '_rev' || k === 'password') continue;
    if (JSON.stringify(existing?.[k]) !== JSON.stringify(wanted[k])) return false;
  }
  return true;
}

export class Initializer {
  changes = 0;
  constructor(private log: Log = () => {}) {}

  private note(what: string) {
    this.changes++;
    this.log(`  + ${what}`);
  }

  /** `shards`: CouchDB's q for a database made now (the node's default otherwise; the embedded node has no shards). */
  async db(node: Couch, name: string, shards?: number) {
    const r = await node.request('GET', `/${name}`);
    if (r.status === 200) return;
    if (r.status !== 404) throw new Error(`${node.url}/${name}: ${r.status} ${r.json?.reason ?? ''}`);
    const put = await node.request('PUT', `/${name}${shards ? `?q=${shards}` : ''}`);
    if (put.status >= 300) {
      // CouchDB (single_node) creates its system databases itself shortly after it starts. Racing it, our
      // PUT gets 412 file_exists, or 500 conflict while its own creation is still under way.
      const racing = put.status === 412 || put.status >= 500;
      if (racing && (await waitFor(async () => (await node.request('GET', `/${name}`)).status === 200, 10_000, 200))) return;
      throw new Error(`${node.url}/${name}: ${put.status} ${put.json?.reason ?? ''}`);
    }
    this.note(`database ${name} at ${node.url}`);
  }

  async security(node: Couch, db: string, wanted: Sec) {
    const current = await node.ok('GET', `/${db}/_security`);
    if (same(current, wanted)) return;
    await node.ok('PUT', `/${db}/_security`, wanted);
    this.note(`_security of ${db} at ${node.url}`);
  }

  async doc(node: Couch, db: string, wanted: any, label = wanted._id) {
    const current = await node.getDoc(db, wanted._id);
    if (current && same(current, wanted)) return;
    await node.ok('PUT', `/${db}/${docPath(wanted._id)}`, current ? { ...wanted, _rev: current._rev } : wanted);
    this.note(`${label} in ${db} at ${node.url}`);
  }

  /** Deletes the documents of `db` whose ids match `ids` (replications an earlier version declared). */
  async retire(node: Couch, db: string, ids: RegExp, label: string) {
    for (const row of await node.allDocs(db, '')) {
      if (!ids.test(row.id)) continue;
      await node.ok('DELETE', `/${db}/${docPath(row.id)}?rev=${encodeURIComponent(row.value.rev)}`);
      this.note(`removed ${label} ${row.id} from ${db} at ${node.url}`);
    }
  }

  /** A login with exactly these roles whose password works. */
  async user(node: Couch, creds: Credentials, roles: string[]) {
    const id = `org.couchdb.user:${creds.name}`;
    const current = await node.getDoc('_users', id);
    const session = await node.as(creds).request('GET', '/_session');
    const passwordOk = session.status === 200 && session.json?.userCtx?.name === creds.name;
    if (current && passwordOk && JSON.stringify(current.roles) === JSON.stringify(roles)) return;
    const doc: any = { _id: id, name: creds.name, type: 'user', roles, password: creds.password };
    if (current) doc._rev = current._rev;
    await node.ok('PUT', `/_users/${encodeURIComponent(id)}`, doc);
    this.note(`account ${creds.name} (${roles.join(', ')}) at ${node.url}`);
  }

  /** A database's design document (write rules and views), and none an earlier version left. */
  async designs(node: Couch, dbName: string, kind: DbKind, region: string | null, atCentral: boolean) {
    await this.doc(node, dbName, designDoc(kind, region, atCentral), `write rules and views (_design/sebaran)`);
    // By id, not by listing the database: at central that holds millions of documents.
    for (const name of RETIRED_DESIGNS[kind] ?? []) {
      const old = await node.getDoc(dbName, `_design/${name}`);
      if (!old) continue;
      await node.ok('DELETE', `/${dbName}/_design/${name}?rev=${encodeURIComponent(old._rev)}`);
      this.note(`removed the retired design document _design/${name} from ${dbName} at ${node.url}`);
    }
  }

  /** `later`: databases whose `_security` the caller sets itself, at the right moment (central's catalog, see initAll). */
  async node(node: Couch, atCentral: boolean, region: string | null, centralLanes = '', later: DbKind[] = []) {
    // _global_changes backs /_db_updates on CouchDB (404 without it), which the region service follows.
    for (const sys of ['_users', '_replicator', '_global_changes']) await this.db(node, sys);
    for (const db of SHARED_DBS) {
      await this.db(node, db);
      if (!later.includes(db)) await this.security(node, db, securityFor(db, atCentral, centralLanes));
      await this.designs(node, db, db, region, atCentral);
    }
    if (!atCentral) await this.doc(node, 'ops', ledgerDesignDoc(), `the stock fold (_design/ledger)`);
  }
}

export async function initAll(t: Topology, secrets: Secrets, log: Log = () => {}, opts: { demo?: boolean } = {}) {
  const demo = opts.demo ?? true;
  const init = new Initializer(log);
  const central = new Couch(t.central.url, secrets.admin);
  const lanes = secrets.central.replicator;
  log(`init central ${t.central.url}`);
  // Central's catalog keeps whatever readers it had until every region's lane has moved to its own copy
  // (an earlier version's regions pulled `catalog` itself): set last, below.
  await init.node(central, true, null, lanes.name, ['catalog']);
  const catalogSecurity = securityFor('catalog', true, lanes.name);
  const before = await central.ok('GET', '/catalog/_security');
  const legacy = (before?.members?.roles ?? []).includes('replicator');
  await init.security(central, 'catalog', legacy ? { ...catalogSecurity, members: { ...catalogSecurity.members, roles: [...catalogSecurity.members.roles, 'replicator'] } } : catalogSecurity);
  if (demo) await init.user(central, DEMO.centralAdmin, ['central-admin']);
  // `central-lanes`: the only writer of a region's catalog copy at central (design-docs/lib/access.js).
  await init.user(central, lanes, ['replicator', 'central-lanes', ...t.regions.map((r) => `region:${r.code}`)]);
  for (const r of t.regions) {
    const s = secrets.regions[r.code];
    await init.user(central, s.replicator, ['replicator', `region:${r.code}`]);
    for (const db of [...REGIONAL_DBS, 'catalog'] as const) {
      const own = centralDbOf(db, r.code);
      await init.db(central, own);
      await init.security(central, own, regionDbSecurity(s.replicator.name, lanes.name));
      await init.doc(central, own, designDoc(db, r.code, true, false), `write rules (_design/sebaran)`);
    }
  }
  for (const d of centralLaneDocs(t, secrets)) await init.doc(central, '_replicator', d, `replication ${d._id}`);
  await init.retire(central, '_replicator', RETIRED_CENTRAL_LANE, 'replication');
  for (const r of t.regions) {
    log(`init ${r.code} ${r.url}`);
    const node = new Couch(r.url, secrets.regions[r.code].admin);
    await init.node(node, false, r.code);
    const s = secrets.regions[r.code];
    await init.user(node, s.replicator, ['replicator', `region:${r.code}`]);
    await init.user(node, s.service, ['service', `region:${r.code}`]);
    await init.user(node, s.reader, ['reader']);
    // The region service's own state (read checkpoints): nobody else may read or write it.
    await init.db(node, SERVICE_DB);
    await init.security(node, SERVICE_DB, serviceDbSecurity(s.service.name));
    if (demo) await init.user(node, DEMO.regionAdmin(r.code), ['region-admin', `region:${r.code}`]);
    for (const d of replicationDocs(t, r, secrets)) await init.doc(node, '_replicator', d, `replication ${d._id}`);
    await initShopperBackup(init, central, node, t, r, secrets);
  }
  // Every region now pulls its own copy (a region that could not be reached threw above, and the
  // catalog stays readable to the lanes it still runs until a later init gets there).
  await init.security(central, 'catalog', catalogSecurity);
  log(init.changes === 0 ? 'init: everything already in place, nothing changed' : `init: ${init.changes} change(s) made`);
  return init.changes;
}
