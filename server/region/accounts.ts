// Deleting a shopper account. Done with the region node's server admin by
// whoever holds it (the operator's CLI, the app server's route for a shopper
// who deletes their own account), never by the region service, so it
// completes while the service is down. In this order:
//  1. the `_users` document (the shopper can no longer sign in or sync),
//  2. the shopper's database (carts, requests, order copies),
//  3. the account's records in the backup (their tombstones travel to central,
//     so a rebuild does not bring the account back).
// A crash between steps leaves a database or records of an account that is
// gone: the region service removes both, and a new account of the same name
// replaces the database before using it (provisionUserDb), so nothing of the
// old account is ever seen by a new one. The orders stay in `ops`: they are
// the business's record of what was sold.
import { noteDeletedAccount } from './checkpoints.ts';
import { Couch, CouchError, docPath, type Credentials } from '../couch-client.ts';
import { Username, userDbName } from '../../src/lib/model/index.ts';
import { BACKUP_DB, accountKey, accountRecordId } from '../ops/shopper-backup.ts';

export type DeleteResult =
  | { ok: true; name: string; removed: { account: boolean; db: boolean; backup: number } }
  | { ok: false; status: number; error: 'not_found' | 'not_a_shopper' | 'unavailable'; reason: string };

const range = (p: string) => `startkey=${encodeURIComponent(JSON.stringify(p))}&endkey=${encodeURIComponent(JSON.stringify(p + '\uffff'))}`;

export async function deleteShopper(nodeUrl: string, admin: Credentials, name: string): Promise<DeleteResult> {
  const node = new Couch(nodeUrl, admin);
  if (!Username.safeParse(name).success) return { ok: false, status: 404, error: 'not_found', reason: `${name} is not a shopper name` };
  const id = `org.couchdb.user:${name}`;
  let user: any;
  try {
    user = await node.getDoc('_users', id);
  } catch (e) {
    return { ok: false, status: 503, error: 'unavailable', reason: (e as Error).message };
  }
  if (user && Array.isArray(user.roles) && user.roles.length > 0) {
    return { ok: false, status: 403, error: 'not_a_shopper', reason: `${name} is a staff or service account, not a shopper` };
  }
  const removed = { account: false, db: false, backup: 0 };
  if (user) {
    const r = await node.request('DELETE', `/_users/${docPath(id)}?rev=${encodeURIComponent(user._rev)}`);
    if (r.status >= 300 && r.status !== 404) return { ok: false, status: 503, error: 'unavailable', reason: `${r.status} ${r.json?.reason ?? ''}` };
    removed.account = r.status < 300;
  }
  const db = await node.request('DELETE', `/${userDbName(name)}`);
  if (db.status >= 300 && db.status !== 404) throw new CouchError(db.status, db.json, `DELETE ${userDbName(name)}`);
  removed.db = db.status < 300;
  await noteDeletedAccount(node, name).catch(() => {});
  // The backup may not exist on a node made before backups (404): nothing to remove then.
  const record = await node.getDoc(BACKUP_DB, accountRecordId(name)).catch(() => null);
  const key = record?.account_key ?? accountKey(name, user?.account_id ?? null);
  const docs = await node.allDocs(BACKUP_DB, `include_docs=false&${range(`doc:${key}:`)}`).catch(() => [] as any[]);
  const tombstones = [
    ...(record ? [{ _id: record._id, _rev: record._rev, _deleted: true }] : []),
    ...docs.map((r: any) => ({ _id: r.id, _rev: r.value.rev, _deleted: true })),
  ];
  if (tombstones.length) await node.ok('POST', `/${BACKUP_DB}/_bulk_docs`, { docs: tombstones });
  removed.backup = tombstones.length;
  if (!user && !removed.db && !removed.backup) return { ok: false, status: 404, error: 'not_found', reason: `no shopper called ${name}` };
  return { ok: true, name, removed };
}

/**
 * Who may delete the account `name` at region `region`: the shopper themself, the region's own admin,
 * or a server admin, as the node answers `GET /_session` for the caller's own cookie or Basic auth.
 */
export async function mayDelete(nodeUrl: string, auth: { cookie?: string; authorization?: string }, region: string, name: string) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth.cookie) headers.Cookie = auth.cookie;
  if (auth.authorization) headers.Authorization = auth.authorization;
  const res = await fetch(`${nodeUrl.replace(/\/+$/, '')}/_session`, { headers });
  const body: any = await res.json().catch(() => null);
  if (res.status === 401) return { ok: false as const, status: 401, reason: 'the name or password is incorrect' };
  const ctx = body?.userCtx;
  if (!res.ok || !ctx?.name) return { ok: false as const, status: 401, reason: 'sign in to delete an account' };
  const roles: string[] = Array.isArray(ctx.roles) ? ctx.roles : [];
  if (ctx.name === name || roles.includes('_admin') || (roles.includes('region-admin') && roles.includes(`region:${region}`))) return { ok: true as const };
  return { ok: false as const, status: 403, reason: `${ctx.name} may not delete the account ${name}` };
}
