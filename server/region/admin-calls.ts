// The only calls the region service makes as the node's server admin. Every
// data read and write goes through its own account (`svc-<r>`); Apache
// CouchDB keeps these to server admins, whatever a database's `_security`:
//  - `GET /_db_updates`: which shopper databases changed (every `_` server path is admin-only);
//  - `GET /_all_dbs` ([chttpd] admin_only_all_dbs is true in 3.x) and `POST /_dbs_info` (sweep.ts);
//  - `_users` reads: the accounts to provision or to clean up after (`_users` is admin-only in 3.x);
//  - creating and deleting a shopper's database, its `_security` and write rules
//    (creating a database, and `_security` on a database with no admins, need a server admin);
//  - creating the service's own database `sebaran-service` and its `_security` (which `init` made already);
//  - `GET /_scheduler/docs`: the node's replication states for the health report.
// Anything else through this client is refused before it leaves the process.
import { Couch, type Credentials } from '../couch-client.ts';
import { SERVICE_DB } from './checkpoints.ts';

const ALLOWED: Array<[string[], RegExp]> = [
  [['GET'], /^\/_db_updates(\?|$)/],
  [['GET'], /^\/_all_dbs$/],
  [['POST'], /^\/_dbs_info$/],
  [['GET'], /^\/_scheduler\/docs$/],
  [['GET'], /^\/_users\/(_all_docs\?[^/]*|org\.couchdb\.user(:|%3A)[^/?]+)$/],
  [['POST'], /^\/_users\/_all_docs$/],
  // A shopper's database: the database itself, its `_security` and its write rules.
  [['GET', 'PUT', 'DELETE'], /^\/userdb-[0-9a-f]+$/],
  [['PUT'], /^\/userdb-[0-9a-f]+\?q=1$/], // made with one shard (ops/userdb.ts)
  [['GET', 'PUT'], /^\/userdb-[0-9a-f]+\/(_security|_design\/(sebaran|account))$/],
  // Whether a database holds anything yet (a stale one of a deleted account is replaced, an empty one taken).
  [['GET'], /^\/userdb-[0-9a-f]+\/_all_docs\?startkey=[^/]*$/],
  [['PUT'], new RegExp(`^/${SERVICE_DB}(/_security)?$`)],
];

export const adminCallAllowed = (method: string, path: string) =>
  ALLOWED.some(([methods, re]) => methods.includes(method) && re.test(path));

/** A client holding the server admin that makes only the calls listed above. */
export class AdminCalls extends Couch {
  constructor(url: string, admin: Credentials) {
    super(url, admin);
  }

  override as(creds?: Credentials): Couch {
    throw new Error(`AdminCalls cannot act as ${creds?.name ?? 'anonymous'}: use the service's own client`);
  }

  override request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    if (!adminCallAllowed(method, path)) {
      return Promise.reject(new Error(`${method} ${path} is not a call the region service makes as server admin`));
    }
    return super.request(method, path, body, headers);
  }

  /** Where `/_db_updates` stands now, to follow it from there. */
  async dbUpdatesSeq(): Promise<string> {
    return (await this.ok('GET', '/_db_updates?since=now')).last_seq;
  }

  /** One long-poll of `/_db_updates`. */
  async dbUpdates(since: string, signal: AbortSignal, timeoutMs = 30_000) {
    const path = `/_db_updates?feed=longpoll&timeout=${timeoutMs}&since=${encodeURIComponent(since)}`;
    const res = await fetch(this.url + path, { headers: this.authHeader, signal });
    const body: any = await res.json();
    if (!res.ok) throw new Error(`${res.status} ${body?.reason}`);
    return body as { results: Array<{ db_name?: unknown; type?: unknown }>; last_seq: string };
  }
}
