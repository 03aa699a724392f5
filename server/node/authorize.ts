// Who may call which path, decided before any handler runs, the way Apache
// CouchDB 3.4 decides it (chttpd_auth_request.erl): both engines refuse the
// same requests with the same status codes. Handlers still check again.
import { notServerAdmin, unauthorized } from './errors.ts';
import { isServerAdmin, type UserCtx } from './auth.ts';
import type { Store } from './store.ts';
import { isDbAdmin } from './security.ts';


/** One-segment `_` paths anyone may call (the handler itself may still want an admin). */
const OPEN = new Set(['_up', '_uuids', '_session', '_stats', '_active_tasks', '_dbs_info']);
/** `_users` and `_replicator` listings are server-admin only, whatever their `_security` says. */
const ADMIN_LISTINGS = new Set(['_all_docs', '_changes']);
const ADMIN_DB_PATHS = new Set(['_sync_shards', '_purge', '_purged_infos_limit']);

export async function authorizeRequest(store: Store, seg: string[], method: string, ctx: UserCtx) {
  if (seg.length === 0 || isServerAdmin(ctx)) return;
  const [db, sub] = seg;
  const member = async () => store.requireMember(ctx, await store.get(db), db);
  // [chttpd] admin_only_all_dbs defaults to true in 3.x.
  if (db === '_all_dbs' || db === '_dbs_info') throw notServerAdmin();
  if (db === '_users' || db === '_replicator') {
    if (seg.length === 1 && (method === 'PUT' || method === 'DELETE')) throw notServerAdmin();
    if (ADMIN_LISTINGS.has(sub)) throw notServerAdmin();
    return member();
  }
  if (db.startsWith('_')) {
    if (seg.length === 1 && OPEN.has(db)) return;
    if (seg.length === 1 && db === '_replicate') {
      if (ctx.name === null) throw unauthorized('You are not an authenticated user');
      return;
    }
    if (db === '_utils' && (method === 'GET' || method === 'HEAD')) return;
    if (db === '_node' && ['_stats', '_system', '_prometheus'].includes(seg[2])) {
      if (ctx.roles.includes('_metrics')) return;
      throw unauthorized('You are not a server admin or read-only metrics user');
    }
    throw notServerAdmin(); // _global_changes, _db_updates, _scheduler, _node, _reshard, ...
  }
  if (seg.length === 1 && (method === 'PUT' || method === 'DELETE')) throw notServerAdmin();
  if (seg.length === 2 && ADMIN_DB_PATHS.has(sub)) throw notServerAdmin();
  if (sub === '_compact' || (sub === '_view_cleanup' && seg.length === 2)) {
    const open = await store.get(db);
    store.requireMember(ctx, open, db);
    if (!isDbAdmin(ctx, open.security)) throw unauthorized('You are not a server or db admin.');
    return;
  }
  return member();
}
