// The backup of a region's shopper accounts and shopper databases at central.
//
// `_users` and the `userdb-*` databases live at the region node only, so a
// wiped region could not get them back from the shared lanes. The region
// service keeps a copy in the region's `sebaran-shoppers` database (one
// record per account: the `_users` document with its password hash; one per
// shopper document, with its revision history), and a push lane carries it to
// central's `shoppers-<r>`. Who can read it:
//  - at the region: the server admin, the service and the replication account
//    (which already reach `_users` or every shopper database there);
//  - at central: the server admin, and the region's own replication account,
//    which writes it. Neither `central-admin` nor `region-admin` is a member,
//    so no app login can read a password hash, and no other region's account
//    can read this region's.
// `rebuild-region` restores from central (restoreShoppers below).
import { Couch, docPath } from '../couch-client.ts';
import type { Secrets } from '../config.ts';
import type { RegionSpec, Topology } from '../../src/lib/model/topology.ts';
import { ids, ulidTime, userDbName } from '../../src/lib/model/index.ts';
import type { Initializer } from './init.ts';
import { provisionUserDb } from './userdb.ts';
import { orderCopyOf } from '../region/order-copy.ts';

/** The region's copy, written by its service. */
export const BACKUP_DB = 'sebaran-shoppers';
/** Central's copy of one region's backup. */
export const centralBackupDb = (code: string) => `shoppers-${code.toLowerCase()}`;

/** Which incarnation of a name a shopper database belongs to: the account id, or the name for an account made without one. */
export const accountKey = (name: string, accountId: string | null | undefined) => accountId ?? `name.${name}`;
export const accountRecordId = (name: string) => `account:${name}`;
export const docRecordId = (key: string, docId: string) => `doc:${key}:${docId}`;

const members = (names: string[]) => ({ admins: { names: [], roles: [] }, members: { names, roles: [] } });

export function backupLane(t: Topology, region: RegionSpec, secrets: Secrets) {
  const repl = secrets.regions[region.code].replicator;
  const ep = (base: string, db: string) => ({
    url: `${base.replace(/\/+$/, '')}/${db}`,
    auth: { basic: { username: repl.name, password: repl.password } },
  });
  return {
    _id: 'sebaran-shoppers-push', source: ep(region.url, BACKUP_DB), target: ep(t.central.url, centralBackupDb(region.code)),
    continuous: true, owner: 'sebaran-init',
  };
}

/** Part of `init` for one region: both copies, who may read them, and the lane between them. */
export async function initShopperBackup(init: Initializer, central: Couch, node: Couch, t: Topology, region: RegionSpec, secrets: Secrets) {
  const s = secrets.regions[region.code];
  await init.db(central, centralBackupDb(region.code));
  await init.security(central, centralBackupDb(region.code), members([s.replicator.name]));
  await init.db(node, BACKUP_DB);
  await init.security(node, BACKUP_DB, members([s.service.name, s.replicator.name]));
  const lane = backupLane(t, region, secrets);
  await init.doc(node, '_replicator', lane, `replication ${lane._id}`);
}

/** The account fields a restore puts back: everything but the revision. */
export function accountCopy(user: any) {
  const { _rev, _revisions, ...rest } = user;
  void _rev;
  void _revisions;
  return rest;
}

export interface RestoreReport {
  accounts: number;
  skipped: string[];
  documents: number;
  copies: number;
}

/**
 * Puts a region's shoppers back from central: the backup itself (so the service goes on from it), then
 * per account its database (owner mark first, then every document at its recorded revision, so devices
 * find no conflict) and only then the account, so nobody signs in to a half-restored database. An account
 * of the same name made at the region since (a new sign-up) is kept and its old backup skipped. Order
 * copies missing from the backup are derived from the region's orders (`ops` is refilled first).
 */
export async function restoreShoppers(central: Couch, node: Couch, code: string, log: (l: string) => void = () => {}): Promise<RestoreReport> {
  const report: RestoreReport = { accounts: 0, skipped: [], documents: 0, copies: 0 };
  const rows = (await central.allDocs(centralBackupDb(code), 'include_docs=true')).filter((r: any) => r.doc && !r.id.startsWith('_design/'));
  // 1. The region's own copy, at the same revisions as central's (so the lane has nothing to fight over).
  for (let i = 0; i < rows.length; i += 500) {
    const res = (await node.ok('POST', `/${BACKUP_DB}/_bulk_docs`, { new_edits: false, docs: rows.slice(i, i + 500).map((r: any) => r.doc) })) as any[];
    const bad = res.filter((x) => x.error);
    if (bad.length) throw new Error(`restoring ${BACKUP_DB} at ${code}: ${bad[0].id} ${bad[0].reason}`);
  }
  const accounts = rows.map((r: any) => r.doc).filter((d: any) => d.type === 'shopper_account' && d.user?.name);
  const docsByKey = new Map<string, any[]>();
  for (const r of rows) {
    if (r.doc.type !== 'shopper_doc') continue;
    docsByKey.set(r.doc.account_key, [...(docsByKey.get(r.doc.account_key) ?? []), r.doc.doc]);
  }
  // Per restored account, when it was made (its ULID id): older orders of its name were another account's.
  const restored = new Map<string, number | null>();
  for (const rec of accounts) {
    const user = rec.user;
    const name: string = user.name;
    const existing = await node.getDoc('_users', `org.couchdb.user:${name}`);
    const accountId: string | null = typeof user.account_id === 'string' ? user.account_id : null;
    if (existing && (existing.account_id ?? null) !== accountId) {
      report.skipped.push(name);
      log(`rebuild ${code}: ${name} signed up again since the backup; the backed-up account is not restored`);
      continue;
    }
    const { db } = await provisionUserDb(node, name, code, accountId);
    const docs = docsByKey.get(accountKey(name, accountId)) ?? [];
    for (let i = 0; i < docs.length; i += 500) {
      const res = (await node.ok('POST', `/${db}/_bulk_docs`, { new_edits: false, docs: docs.slice(i, i + 500) })) as any[];
      const bad = res.filter((x) => x.error);
      if (bad.length) log(`rebuild ${code}: ${name}: ${bad.length} document(s) refused, e.g. ${bad[0].id}: ${bad[0].reason}`);
      report.documents += docs.length - bad.length;
    }
    if (!existing) await node.ok('PUT', `/_users/${docPath(`org.couchdb.user:${name}`)}`, accountCopy(user));
    restored.set(name, accountId ? ulidTime(accountId) : null);
    report.accounts++;
  }
  // 2. Order history the backup had not caught yet, from the orders themselves.
  const orders = (await node.allDocs('ops', `include_docs=true&startkey=${encodeURIComponent(JSON.stringify(`order:${code}:`))}&endkey=${encodeURIComponent(JSON.stringify(`order:${code}:\uffff`))}`)).map((r: any) => r.doc);
  const byUser = new Map<string, any[]>();
  for (const o of orders) {
    if (o?.type !== 'order' || !restored.has(o.user_name)) continue;
    const since = restored.get(o.user_name);
    if (since != null && Date.parse(o.created_at) < since) continue;
    byUser.set(o.user_name, [...(byUser.get(o.user_name) ?? []), o]);
  }
  for (const [name, list] of byUser) {
    const db = userDbName(name);
    const have = await node.ok('POST', `/${db}/_all_docs`, { keys: list.map((o) => ids.orderCopy(o._id)) });
    const missing = list.filter((_, i) => !have.rows[i]?.value || have.rows[i].value.deleted);
    if (!missing.length) continue;
    await node.ok('POST', `/${db}/_bulk_docs`, { docs: missing.map((o) => orderCopyOf(o, code)) });
    report.copies += missing.length;
  }
  log(`rebuild ${code}: ${report.accounts} shopper account(s) restored with ${report.documents} document(s); ${report.copies} order copie(s) derived from orders`);
  return report;
}
