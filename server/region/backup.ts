// The region service's side of the shopper backup (server/ops/shopper-backup.ts):
// it keeps `sebaran-shoppers` at its node equal to the shopper accounts and
// the shopper databases, and a lane carries it to central.
//  - accounts: one record per shopper account, rewritten when the `_users`
//    document changes (a new password, ...); removed, with the account's
//    document records, when `_users` holds the account's tombstone. An account
//    merely absent (a wiped node that a rebuild is still refilling) keeps it.
//  - documents: every document of a shopper database at its current revision
//    with its revision history, read from the database's changes feed since
//    the last copy (the position is kept in the backup database itself).
import { Couch, CouchError, docPath, isNodeFailure } from '../couch-client.ts';
import { BACKUP_DB, accountCopy, accountKey, accountRecordId, docRecordId } from '../ops/shopper-backup.ts';
import { ACCOUNT_DDOC } from '../ops/userdb.ts';
import { ownerOf } from './checkout.ts';

const PAGE = 200;
const range = (p: string) => `startkey=${encodeURIComponent(JSON.stringify(p))}&endkey=${encodeURIComponent(JSON.stringify(p + '\uffff'))}`;

export class ShopperBackup {
  /** Account records as stored: name -> revision and the account's JSON. */
  private accounts: Map<string, { rev: string; json: string; key: string }> | null = null;
  private keys = new Map<string, string>();
  /**
   * Databases to copy on their next round whatever their feed showed: every database at start and after
   * a gap in the feed (its backup may be behind), and one whose copy failed. Any other database is
   * copied when its feed shows a shopper document change.
   */
  private behind = new Set<string>();
  readonly stats = { accountsBackedUp: 0, documentsBackedUp: 0 };

  constructor(private admin: Couch, private svc: Couch, private R: string, private log: (l: string) => void) {}

  private async records() {
    if (this.accounts) return this.accounts;
    const rows = await this.svc.allDocs(BACKUP_DB, `include_docs=true&${range('account:')}`);
    const m = new Map<string, { rev: string; json: string; key: string }>();
    for (const r of rows) {
      if (r.doc?.type === 'shopper_account' && r.doc.user?.name) m.set(r.doc.user.name, { rev: r.doc._rev, json: JSON.stringify(r.doc.user), key: r.doc.account_key });
    }
    this.accounts = m;
    return m;
  }

  /** Brings the account records in line with these shopper `_users` documents (every live shopper). */
  async syncAccounts(users: any[]) {
    const stored = await this.records();
    const writes: any[] = [];
    const live = new Set<string>();
    for (const u of users) {
      live.add(u.name);
      const user = accountCopy(u);
      const json = JSON.stringify(user);
      const cur = stored.get(u.name);
      if (cur?.json === json) continue;
      const key = accountKey(u.name, u.account_id);
      if (cur && cur.key !== key) {
        // The name belongs to a new account now (the old one was deleted while the service was away):
        // the old account's documents are nobody's, and are never restored.
        for (const r of await this.svc.allDocs(BACKUP_DB, `include_docs=false&${range(`doc:${cur.key}:`)}`)) {
          writes.push({ _id: r.id, _rev: r.value.rev, _deleted: true });
        }
      }
      writes.push({
        _id: accountRecordId(u.name), ...(cur ? { _rev: cur.rev } : {}), type: 'shopper_account',
        name: u.name, account_key: key, user,
      });
    }
    const absent = [...stored.keys()].filter((n) => !live.has(n));
    if (absent.length) {
      // Removed only for a tombstone in _users: a deleted account, not one a rebuild has yet to put back.
      const res = await this.admin.ok('POST', '/_users/_all_docs', { keys: absent.map((n) => `org.couchdb.user:${n}`) });
      for (let i = 0; i < absent.length; i++) {
        if (!res.rows[i]?.value?.deleted) continue;
        const cur = stored.get(absent[i])!;
        writes.push({ _id: accountRecordId(absent[i]), _rev: cur.rev, _deleted: true });
        for (const r of await this.svc.allDocs(BACKUP_DB, `include_docs=false&${range(`doc:${cur.key}:`)}`)) {
          writes.push({ _id: r.id, _rev: r.value.rev, _deleted: true });
        }
        this.log(`[${this.R}] account ${absent[i]} was deleted: its backup is removed`);
      }
    }
    if (!writes.length) return;
    const res = (await this.svc.ok('POST', `/${BACKUP_DB}/_bulk_docs`, { docs: writes })) as any[];
    res.forEach((r, i) => {
      const w = writes[i];
      if (!w._id.startsWith('account:')) return;
      if (r.error) {
        this.accounts = null; // read again next time (a conflict: someone else wrote it)
        this.log(`[${this.R}] backup of ${w._id}: ${r.error} ${r.reason ?? ''}`);
        return;
      }
      if (w._deleted) stored.delete(w._id.slice('account:'.length));
      else {
        stored.set(w.name, { rev: r.rev, json: JSON.stringify(w.user), key: w.account_key });
        this.stats.accountsBackedUp++;
      }
    });
  }

  /**
   * Copies what changed in these shopper databases; returns the ones that could not be copied now, and
   * whether the node itself failed (5xx or no answer) rather than refusing one database.
   */
  async copy(dbs: string[]) {
    const failed = new Set<string>();
    let nodeFailed = false;
    for (const db of dbs) {
      try {
        await this.copyDb(db);
        this.behind.delete(db);
      } catch (e) {
        this.behind.add(db);
        if (e instanceof CouchError && e.status === 404) continue; // deleted meanwhile (account deleted)
        failed.add(db);
        nodeFailed ||= isNodeFailure(e);
        this.log(`[${this.R}] backup of ${db}: ${(e as Error).message}`);
      }
    }
    return { failed, nodeFailed };
  }

  forget(db: string) {
    this.keys.delete(db);
    this.behind.delete(db);
  }

  /** Marks databases whose backup may be behind (at start, after a gap in the feed). */
  recheck(dbs: string[]) {
    for (const db of dbs) this.behind.add(db);
  }

  /** Whether a database needs a copy this round: its feed showed a change, or its backup may be behind. */
  needs(db: string, touched: boolean) {
    return touched || this.behind.has(db);
  }

  private async keyOf(db: string) {
    const known = this.keys.get(db);
    if (known) return known;
    const mark = await this.svc.getDoc(db, ACCOUNT_DDOC);
    const key = accountKey(ownerOf(db), typeof mark?.account_id === 'string' ? mark.account_id : null);
    this.keys.set(db, key);
    return key;
  }

  private async copyDb(db: string) {
    const key = await this.keyOf(db);
    const posId = `_local/copied-${db}`;
    const pos = await this.svc.getDoc(BACKUP_DB, posId);
    let since: string | number = pos?.since ?? 0;
    for (;;) {
      const ch = await this.svc.ok('GET', `/${db}/_changes?since=${encodeURIComponent(String(since))}&limit=${PAGE}`);
      const results = (ch.results as any[]).filter((c) => !String(c.id).startsWith('_design/'));
      if (results.length) await this.copyChanges(db, key, results);
      since = ch.last_seq;
      if ((ch.results as any[]).length < PAGE) break;
    }
    if (pos?.since !== since) await this.svc.ok('PUT', `/${BACKUP_DB}/${docPath(posId)}`, { ...(pos?._rev ? { _rev: pos._rev } : {}), since });
  }

  private async copyChanges(db: string, key: string, changes: any[]) {
    const live = changes.filter((c) => !c.deleted).map((c) => c.id as string);
    const got = live.length ? ((await this.svc.ok('POST', `/${db}/_bulk_get?revs=true`, { docs: live.map((id) => ({ id })) })).results as any[]) : [];
    const current = new Map<string, any>();
    for (const r of got) {
      const d = r.docs?.[0]?.ok;
      if (d && !d._deleted) current.set(d._id, d);
    }
    const recIds = changes.map((c) => docRecordId(key, c.id));
    const stored = (await this.svc.ok('POST', `/${BACKUP_DB}/_all_docs?include_docs=true`, { keys: recIds })).rows as any[];
    const writes: any[] = [];
    changes.forEach((c, i) => {
      const rec = stored[i]?.doc;
      const doc = current.get(c.id);
      if (doc) {
        if (rec?.doc?._rev === doc._rev) return;
        writes.push({ _id: recIds[i], ...(rec ? { _rev: rec._rev } : {}), type: 'shopper_doc', name: ownerOf(db), account_key: key, doc });
      } else if (rec) writes.push({ _id: recIds[i], _rev: rec._rev, _deleted: true });
    });
    if (!writes.length) return;
    const res = (await this.svc.ok('POST', `/${BACKUP_DB}/_bulk_docs`, { docs: writes })) as any[];
    const bad = res.filter((r) => r.error);
    // A conflict means a rebuild or another run wrote the record meanwhile: the next round compares again.
    if (bad.length) throw new Error(`${bad.length} record(s) not written, e.g. ${bad[0].id}: ${bad[0].error}`);
    this.stats.documentsBackedUp += writes.length;
  }
}
