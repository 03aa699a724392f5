// A shopper's own database at their region node (the embedded nodes have no
// couch_peruser, and on Apache CouchDB we want our rules in it anyway):
// members are the shopper and the region service, rules from the model.
//
// The database is named from the user name (userdb-<hex(name)>, as the app
// derives it), so a deleted account's database would be found again by a new
// account of the same name. Each account made by the sign-up carries an
// `account_id`, and its database records that id in `_design/account` (only a
// server or database admin may write a design document, so the shopper cannot
// forge it). A database whose recorded owner is not the account it is opened
// for belongs to an account that no longer exists: it is deleted before the
// new one is made, whoever gets there first (the sign-up, the region service,
// a rebuild), so a new account always starts empty.
import { Couch, CouchError } from '../couch-client.ts';
import { userDbName } from '../../src/lib/model/ids.ts';
import { Initializer } from './init.ts';
import { designDoc } from '../design.ts';

export const ACCOUNT_DDOC = '_design/account';

/** The account a shopper database was made for: its `account_id`, or null for one made before ids existed. */
export async function dbOwner(node: Couch, db: string): Promise<{ exists: boolean; account: string | null; empty: boolean }> {
  const r = await node.request('GET', `/${db}/${ACCOUNT_DDOC}`);
  if (r.status !== 200 && r.status !== 404) throw new CouchError(r.status, r.json, `GET ${db}/${ACCOUNT_DDOC}`);
  const account = r.status === 200 && typeof r.json?.account_id === 'string' ? r.json.account_id : null;
  // Shopper documents (cart:, checkout:, my-order:) sort after every design document id.
  const docs = await node.request('GET', `/${db}/_all_docs?startkey=${encodeURIComponent('"_design0"')}&limit=1`);
  if (docs.status === 404) return { exists: false, account: null, empty: true };
  if (docs.status !== 200) throw new CouchError(docs.status, docs.json, `GET ${db}/_all_docs`);
  return { exists: true, account, empty: docs.json.rows.length === 0 };
}

/**
 * Makes (or keeps) the shopper's database for the account `accountId` (null: an account made without
 * one, e.g. by an operator writing `_users` directly). Returns whether a stale database was deleted.
 */
export async function provisionUserDb(node: Couch, name: string, region: string, accountId: string | null = null, init = new Initializer()) {
  const db = userDbName(name);
  const owner = await dbOwner(node, db);
  let replaced = false;
  // A database with no owner yet and nothing in it (one being made right now, by the sign-up or the
  // service for this very account) holds nobody's data: it is simply taken.
  if (owner.exists && owner.account !== accountId && !(owner.account === null && owner.empty)) {
    // Made for another account of this name (deleted since): its carts, requests and orders are not this one's.
    const r = await node.request('DELETE', `/${db}`);
    if (r.status >= 300 && r.status !== 404) throw new CouchError(r.status, r.json, `DELETE ${db}`);
    replaced = true;
  }
  // The sign-up and the region service may provision the same database at once: a conflict means the
  // other one wrote it first, so look again (the second look finds it in place).
  for (let attempt = 1; ; attempt++) {
    try {
      // One shard: a shopper's database stays small, and every read and write of it then touches one
      // file instead of q (CouchDB's per-user databases default to q=1 for the same reason).
      await init.db(node, db, 1);
      // The write rules before the shopper is a member: a new database is admins' only until then, so
      // there is no moment in which the shopper could write what the rules refuse (a forged answer).
      await init.doc(node, db, designDoc('userdb', region));
      await init.security(node, db, { admins: { names: [], roles: [] }, members: { names: [name], roles: ['service'] } });
      if (accountId) await init.doc(node, db, { _id: ACCOUNT_DDOC, account_id: accountId, name });
      // An account without an id (made straight in _users) still gets its database's birth time, once,
      // so orders its name had before it are never copied to it.
      else if (!owner.exists || replaced) await init.doc(node, db, { _id: ACCOUNT_DDOC, name, made_at: new Date().toISOString() });
      return { db, replaced };
    } catch (e) {
      if (attempt >= 3 || !(e instanceof CouchError && (e.status === 409 || e.status === 412))) throw e;
    }
  }
}
