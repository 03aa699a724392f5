// The region service's side of the shopper backup (server/ops/shopper-backup.ts):
// it keeps `sebaran-shoppers` at its node equal to the shopper accounts and
// the shopper databases, and a lane carries it to central.
//  - accounts: one record per shopper account, rewritten when the `_users`
//    document changes (a new password, ...); removed, with the account's
//    document records, when `_users` holds the account's tombstone. An account
//    merely absent (a wiped node that a rebuild is still refilling) keeps it.
//  - documents: every document of a shopper database at its current revision
//    with its revision history, read from the database's changes feed since
//    the last copy (the position is one of the service's checkpoints).
import { Couch, CouchError, isNodeFailure } from '../couch-client.ts';
import { BACKUP_DB, accountCopy, accountKey, accountRecordId, docRecordId } from '../ops/shopper-backup.ts';
import { ACCOUNT_DDOC } from '../ops/userdb.ts';
import { ownerOf } from './shopper-dbs.ts';
import type { Checkpoints } from './checkpoints.ts';

const PAGE = 200;
/** Shopper databases read at once, databases per group, changes of one database per group, records per request. */
const READERS = 8;
const GROUP = 64;
const CAP = 1000;
const BATCH = 1000;

/**
 * Where a database's copy has read its feed up to, among the service's checkpoints; the account's key is
 * its incarnation, so a database made again for a new account of the name is read from its start.
 */
const positionKey = (db: string) => `backup:${db}`;

interface Changed {
  db: string;
  key: string;
  last: string | number;
  changes: any[];
  current: Map<string, any>;
  /** Read up to CAP: the rest comes in the same pass, after this group is written. */
  more: boolean;
}
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

  constructor(
    private admin: Couch, private svc: Couch, private checkpoints: Checkpoints, private R: string, private log: (l: string) => void,
  ) {}

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
   * whether the node itself failed (5xx or no answer) rather than refusing one database. Per database it
   * reads the changes and the changed documents; the records of all of them are read and written in
   * shared requests, and each position moves (in the service's checkpoints) once its records are written.
   */
  async copy(dbs: string[]) {
    const failed = new Set<string>();
    let nodeFailed = false;
    const fail = (db: string, e: unknown) => {
      this.behind.add(db);
      if (e instanceof CouchError && e.status === 404) return; // deleted meanwhile (account deleted)
      failed.add(db);
      nodeFailed ||= isNodeFailure(e);
      this.log(`[${this.R}] backup of ${db}: ${(e as Error).message}`);
    };
    // A group of databases at a time, and at most CAP changes of one per group (it comes back for the
    // rest): what a pass holds in memory stays bounded after a start, when every database is looked at.
    const queue = [...dbs];
    while (queue.length) {
      const group = queue.splice(0, GROUP);
      const read: Changed[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(READERS, group.length) }, async () => {
        for (let k = next++; k < group.length; k = next++) {
          try {
            read.push(await this.changed(group[k]));
          } catch (e) {
            fail(group[k], e);
          }
        }
      }));
      const unwritten = await this.writeRecords(read.filter((r) => r.changes.length)).catch((e) => {
        // The shared write failed: this group and every group not read yet wait for a later pass.
        for (const r of read) fail(r.db, e);
        for (const db of queue) fail(db, e);
        return null;
      });
      if (!unwritten) return { failed, nodeFailed };
      for (const r of read) {
        const bad = unwritten.get(r.db);
        if (bad) {
          fail(r.db, new Error(bad));
          continue;
        }
        this.checkpoints.set(positionKey(r.db), r.last, r.key);
        if (r.more) queue.push(r.db);
        else this.behind.delete(r.db);
      }
    }
    return { failed, nodeFailed };
  }

  /** A database's changes since its position, and the current revision (with its history) of each changed document. */
  private async changed(db: string): Promise<Changed> {
    const key = await this.keyOf(db);
    let since = await this.checkpoints.since(positionKey(db), key);
    const changes: any[] = [];
    let more = false;
    for (;;) {
      const ch = await this.svc.ok('GET', `/${db}/_changes?since=${encodeURIComponent(String(since))}&limit=${PAGE}`);
      changes.push(...(ch.results as any[]).filter((c) => !String(c.id).startsWith('_design/')));
      since = ch.last_seq;
      if ((ch.results as any[]).length < PAGE) break;
      if (changes.length >= CAP) {
        more = true;
        break;
      }
    }
    // One entry per document: a page boundary may show one twice.
    const byId = new Map<string, any>();
    for (const c of changes) byId.set(c.id, c);
    const live = [...byId.values()].filter((c) => !c.deleted).map((c) => c.id as string);
    const got = live.length ? ((await this.svc.ok('POST', `/${db}/_bulk_get?revs=true`, { docs: live.map((id) => ({ id })) })).results as any[]) : [];
    const current = new Map<string, any>();
    for (const r of got) {
      const d = r.docs?.[0]?.ok;
      if (d && !d._deleted) current.set(d._id, d);
    }
    return { db, key, last: since, changes: [...byId.values()], current, more };
  }

  /** Brings the records of these changes in line, in shared requests; returns, per database, why one was not written. */
  private async writeRecords(read: Changed[]) {
    const unwritten = new Map<string, string>();
    const wanted = read.flatMap((r) => r.changes.map((c) => ({ r, c, recId: docRecordId(r.key, c.id) })));
    const stored = new Map<string, any>();
    for (let i = 0; i < wanted.length; i += BATCH) {
      const rows = (await this.svc.ok('POST', `/${BACKUP_DB}/_all_docs?include_docs=true`, { keys: wanted.slice(i, i + BATCH).map((w) => w.recId) })).rows as any[];
      for (const row of rows) if (row.doc) stored.set(row.key, row.doc);
    }
    const writes: Array<{ db: string; doc: any }> = [];
    for (const { r, c, recId } of wanted) {
      const rec = stored.get(recId);
      const doc = r.current.get(c.id);
      if (doc) {
        if (rec?.doc?._rev === doc._rev) continue;
        writes.push({ db: r.db, doc: { _id: recId, ...(rec ? { _rev: rec._rev } : {}), type: 'shopper_doc', name: ownerOf(r.db), account_key: r.key, doc } });
      } else if (rec) writes.push({ db: r.db, doc: { _id: recId, _rev: rec._rev, _deleted: true } });
    }
    for (let i = 0; i < writes.length; i += BATCH) {
      const part = writes.slice(i, i + BATCH);
      const res = (await this.svc.ok('POST', `/${BACKUP_DB}/_bulk_docs`, { docs: part.map((w) => w.doc) })) as any[];
      res.forEach((x, j) => {
        // A conflict means a rebuild or another run wrote the record meanwhile: the next round compares again.
        if (x.error) unwritten.set(part[j].db, `record ${x.id} not written: ${x.error}`);
        else this.stats.documentsBackedUp++;
      });
    }
    return unwritten;
  }

  forget(db: string) {
    this.keys.delete(db);
    this.behind.delete(db);
    void this.checkpoints.forget(positionKey(db)).catch(() => {});
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
}
