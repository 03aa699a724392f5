// The node's databases: where they live on disk, who may read and write them
// (`_security`), and the single write path every document goes through
// (design-doc admin check, validate_doc_update, the `_users` rules).
import { mkdirSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import PouchFind from 'pouchdb-find';
import { HttpError, forbidden, unauthorized } from './http.ts';
import { isServerAdmin, type UserCtx, type UserRecord } from './auth.ts';
import { compileValidators, VALIDATE_TIMEOUT_MS, type ValidatorSet } from './validate.ts';
import { replicationDocProblem } from './replication-doc.ts';
import { durableLeveldown } from './durable-level.ts';
import { Reopener } from './reopen.ts';
import { guarded } from './guarded-pouch.ts';
import { winners } from './point-reads.ts';
import { CONFLICT_REASON, conflict, isStorageFailure } from './errors.ts';
import { defaultSecurity, denied, isDbAdmin, isMember, normaliseSecurity, type Security } from './security.ts';
import { DbUpdates } from './db-updates.ts';
import { wellFormed } from './doc-shape.ts';
import { checkUserDoc } from './users-db.ts';

PouchDB.plugin(PouchFind);

const DB_NAME = /^[a-z][a-z0-9_$()+/-]*$/;
const SYSTEM_DBS = new Set(['_users', '_replicator', '_global_changes']);
const REGISTRY = '_dbs';

/** Registry ids may not start with an underscore, database names may. */
const regId = (name: string) => `db:${name}`;

export function validDbName(name: string) {
  return (SYSTEM_DBS.has(name) || DB_NAME.test(name)) && name.length <= 238;
}

interface OpenDb {
  pouch: PouchDB.Database;
  security: Security;
  validators: ValidatorSet | null;
  /** Aborted when this PouchDB instance is closed to be reopened: live feeds on it end, and clients resume. */
  closing: AbortController;
}

/** One per PouchDB instance; every live feed on it listens, so there is no sensible listener limit. */
function closingSignal() {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

/** A document as a write finds it: the winner (null if deleted) and every leaf revision. */
interface Current {
  doc: any;
  leaves: string[];
  deleted?: boolean;
}

export interface WriteResult {
  ok?: boolean;
  id: string;
  rev?: string;
  error?: string;
  reason?: string;
}

export class Store {
  private dir: string;
  private open = new Map<string, OpenDb>();
  private registry: PouchDB.Database;
  private pbkdf2Iterations: number;
  /** Database events for `/_db_updates`: created, updated, deleted. */
  readonly updates = new DbUpdates();
  /** Closes and reopens a database after a storage error (durable-level.ts, reopen.ts). */
  private reopener: Reopener;

  constructor(
    dataDir: string,
    pbkdf2Iterations = 10_000,
    /** How long all validate_doc_update functions may take over one write request. */
    private validateTimeoutMs = VALIDATE_TIMEOUT_MS,
  ) {
    this.dir = join(dataDir, 'dbs');
    mkdirSync(this.dir, { recursive: true });
    this.registry = this.pouch(REGISTRY);
    this.pbkdf2Iterations = pbkdf2Iterations;
    this.reopener = new Reopener(this.dir, {
      current: (name) => (name === REGISTRY ? this.registry : this.open.get(name)?.pouch ?? null),
      open: (name) => this.pouch(name),
      // Live feeds on the failed instance end now; their clients resume on the fresh one.
      retire: (name) => this.open.get(name)?.closing.abort(),
      replace: (name, old, fresh) => {
        if (name === REGISTRY) return this.registry === old && ((this.registry = fresh), true);
        const entry = this.open.get(name);
        if (entry?.pouch !== old) return false;
        Object.assign(entry, { pouch: fresh, validators: null, closing: closingSignal() });
        return true;
      },
    });
  }

  private pouch(name: string) {
    return guarded(new PouchDB(join(this.dir, name.replace(/\//g, '%2F')), { adapter: 'leveldb', db: durableLeveldown } as any));
  }

  /** Called with a database's name each time it has been reopened after a storage error. */
  onReopen(listener: (name: string) => void) {
    this.reopener.onReopen(listener);
  }

  private available(name: string) {
    this.reopener.requireAvailable(name);
  }

  async ensureSystemDbs() {
    for (const name of SYSTEM_DBS) if (!(await this.exists(name))) await this.create(name);
  }

  async exists(name: string) {
    if (this.open.has(name)) return true;
    this.available(REGISTRY);
    try {
      await this.registry.get(regId(name));
      return true;
    } catch {
      return false;
    }
  }

  async list(): Promise<string[]> {
    this.available(REGISTRY);
    const r = await this.registry.allDocs();
    return r.rows.map((row) => row.id.slice(3));
  }

  async create(name: string) {
    if (!validDbName(name)) {
      throw new HttpError(
        400,
        'illegal_database_name',
        `Name: '${name}'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter.`,
      );
    }
    if (await this.exists(name)) throw new HttpError(412, 'file_exists', 'The database could not be created, the file already exists.');
    const security = defaultSecurity();
    await this.registry.put({ _id: regId(name), security, created: new Date().toISOString() });
    const pouch = this.pouch(name);
    await pouch.info();
    this.open.set(name, { pouch, security, validators: null, closing: closingSignal() });
    this.updates.push(name, 'created');
  }

  async destroy(name: string) {
    const db = await this.get(name);
    await db.pouch.destroy();
    this.open.delete(name);
    const reg = await this.registry.get(regId(name));
    await this.registry.remove(reg);
    this.updates.push(name, 'deleted');
  }

  async get(name: string): Promise<OpenDb> {
    this.available(name);
    const cached = this.open.get(name);
    if (cached) return cached;
    this.available(REGISTRY);
    let reg: any;
    try {
      reg = await this.registry.get(regId(name));
    } catch {
      throw new HttpError(404, 'not_found', 'Database does not exist.');
    }
    const existing = this.open.get(name); // another request may have opened it meanwhile
    if (existing) return existing;
    const entry = { pouch: this.pouch(name), security: normaliseSecurity(reg.security), validators: null, closing: closingSignal() };
    this.open.set(name, entry);
    return entry;
  }

  async setSecurity(name: string, raw: unknown) {
    const security = normaliseSecurity(raw);
    const reg: any = await this.registry.get(regId(name));
    reg.security = security;
    await this.registry.put(reg);
    const db = await this.get(name);
    db.security = security;
    db.validators = null; // its sandbox is shared by its admins: new admins, perhaps another one
  }

  /** 401 for anonymous, 403 for a known user without access, with CouchDB's words. */
  requireMember(ctx: UserCtx, db: OpenDb, name: string) {
    if (SYSTEM_DBS.has(name) ? isServerAdmin(ctx) : isMember(ctx, db.security)) return;
    throw ctx.name === null ? unauthorized('You are not authorized to access this db.') : forbidden('You are not allowed to access this db.');
  }

  /** CouchDB checks membership first: a non-member hears "not allowed", a member "not a db admin". */
  requireDbAdmin(ctx: UserCtx, db: OpenDb, name: string) {
    this.requireMember(ctx, db, name);
    if (isDbAdmin(ctx, db.security)) return;
    throw denied(ctx, 'You are not a db or server admin.');
  }

  /** Users by name, cached briefly: every cookie request looks its user up. Writes to _users drop the cache. */
  private users = new Map<string, { at: number; user: UserRecord | null }>();

  async lookupUser(name: string): Promise<UserRecord | null> {
    const hit = this.users.get(name);
    if (hit && Date.now() - hit.at < 10_000) return hit.user;
    let user: UserRecord | null = null;
    try {
      const db = await this.get('_users');
      const doc: any = await db.pouch.get(`org.couchdb.user:${name}`);
      user = { name, roles: Array.isArray(doc.roles) ? doc.roles : [], credentials: doc };
    } catch {
      user = null;
    }
    if (this.users.size > 10_000) this.users.clear();
    this.users.set(name, { at: Date.now(), user });
    return user;
  }

  private async validatorsOf(db: OpenDb): Promise<ValidatorSet> {
    // Every design-doc write (local or replicated) passes through write(), which drops this cache.
    if (db.validators) return db.validators;
    const res = await db.pouch.allDocs({ startkey: '_design/', endkey: '_design/\uffff', include_docs: true });
    const ddocs = res.rows
      .filter((r: any) => typeof r.doc?.validate_doc_update === 'string')
      .map((r: any) => ({ id: r.id as string, source: r.doc.validate_doc_update as string }));
    // Shared with databases of the same design documents and admins (validate.ts says why that is safe).
    db.validators = compileValidators(ddocs, this.validateTimeoutMs, undefined, JSON.stringify(db.security.admins));
    return db.validators;
  }

  /**
   * Every document write goes through here. Refused documents come back as
   * per-document errors (bulk) and are never stored.
   */
  async write(name: string, docs: unknown[], ctx: UserCtx, newEdits = true): Promise<WriteResult[]> {
    const db = await this.get(name);
    const results: WriteResult[] = new Array(docs.length);
    const accepted: Array<{ i: number; doc: any }> = [];
    const toValidate: Array<{ i: number; doc: any; old: any }> = [];
    const validators = await this.validatorsOf(db);
    const ids = docs.map((d: any) => (d && typeof d === 'object' && typeof d._id === 'string' ? d._id : null));
    const known = ids.filter((id): id is string => id !== null && !id.startsWith('_local/'));
    const current = new Map<string, Current>();
    // Without rules to run, PouchDB's own conflict check is all a write needs.
    const checked = known.length > 0 && (validators.size > 0 || name === '_users');
    if (checked) {
      for (const row of await winners(db.pouch, known, { docs: true, conflicts: true })) {
        if (row.doc) {
          const { _conflicts, ...doc } = row.doc;
          current.set(row.key, { doc, leaves: [row.doc._rev, ...(_conflicts ?? [])] });
        } else if (row.value?.deleted) current.set(row.key, { doc: null, leaves: [row.value.rev], deleted: true });
      }
    }
    // A malformed document refuses the whole request before anything is written, as CouchDB does;
    // conflicts and refusals by the rules below are per document.
    const prepared = docs.map((raw) => wellFormed(raw, newEdits));
    for (let i = 0; i < docs.length; i++) {
      try {
        const doc = prepared[i];
        if (doc._id.startsWith('_local/')) {
          this.requireMember(ctx, db, name);
          accepted.push({ i, doc });
          continue;
        }
        this.requireWriter(ctx, db, name, doc);
        const old = checked ? await this.previous(db, doc, current.get(doc._id), newEdits) : null;
        if (name === '_users') await checkUserDoc(doc, old, ctx, this.pbkdf2Iterations);
        if (name === '_replicator' && !doc._deleted && !doc._id.startsWith('_design/')) {
          const problem = replicationDocProblem(doc);
          if (problem) throw forbidden(problem);
        }
        if (!doc._id.startsWith('_design/') && validators.size) toValidate.push({ i, doc, old });
        else accepted.push({ i, doc });
      } catch (e) {
        const err = e instanceof HttpError ? e : new HttpError(500, 'error', (e as Error).message);
        results[i] = { id: prepared[i]._id, error: err.error, reason: err.reason };
        (results[i] as any).status = err.status;
      }
    }
    // Every document of this request in one sandboxed call, under one time limit.
    const verdicts = await validators.run(toValidate, { db: name, name: ctx.name, roles: ctx.roles }, db.security);
    toValidate.forEach(({ i, doc }, k) => {
      const err = verdicts[k];
      if (!err) return accepted.push({ i, doc });
      results[i] = { id: doc._id, error: err.error, reason: err.reason };
      (results[i] as any).status = err.status;
    });
    accepted.sort((a, b) => a.i - b.i);
    const local = accepted.filter((a) => a.doc._id.startsWith('_local/'));
    const regular = accepted.filter((a) => !a.doc._id.startsWith('_local/'));
    for (const { i, doc } of local) {
      try {
        // CouchDB replaces a local document written without a rev (replication checkpoints rely on it).
        if (doc._rev === undefined && !doc._deleted) {
          const existing = await db.pouch.get(doc._id).catch(() => null);
          if (existing) doc._rev = existing._rev;
        }
        const r = doc._deleted ? await db.pouch.remove(doc._id, doc._rev) : await db.pouch.put(doc);
        results[i] = { ok: true, id: r.id, rev: r.rev };
      } catch (e: any) {
        if (isStorageFailure(e)) throw e; // the disk, not this document: the whole request fails, as the others' writes do
        results[i] = { id: doc._id, error: e.name ?? 'error', reason: e.message, status: e.status } as any;
      }
    }
    if (regular.length) {
      const out: any[] = await db.pouch.bulkDocs(
        regular.map((a) => a.doc),
        { new_edits: newEdits },
      );
      regular.forEach((a, k) => {
        const r = out[k];
        if (!newEdits) results[a.i] = r && r.error ? r : { ok: true, id: a.doc._id, rev: a.doc._rev };
        else if (r?.error || r?.status >= 400) {
          const error = r.name ?? r.error ?? 'error';
          const reason = error === 'conflict' ? CONFLICT_REASON : r.message ?? r.reason;
          results[a.i] = { id: a.doc._id, error, reason, status: r.status } as any;
        } else results[a.i] = { ok: true, id: r.id, rev: r.rev };
      });
      if (regular.some((a) => a.doc._id.startsWith('_design/'))) db.validators = null;
      if (name === '_users') this.users.clear();
      this.updates.push(name, 'updated');
    }
    return results;
  }

  /**
   * The revision a write replaces (validate_doc_update's oldDoc). As CouchDB, a stale or missing rev is a
   * conflict before any rule runs: a client holding an old copy hears "conflict", not the rule's refusal.
   */
  private async previous(db: OpenDb, doc: any, cur: Current | undefined, newEdits: boolean): Promise<any> {
    if (!cur) return null;
    if (!newEdits) return cur.doc;
    if (cur.deleted) {
      if (doc._rev === undefined) return null; // re-creating a deleted document
      if (doc._rev === cur.leaves[0]) return { _id: doc._id, _rev: doc._rev, _deleted: true };
      throw conflict();
    }
    if (doc._rev === undefined || !cur.leaves.includes(doc._rev)) throw conflict();
    // Editing a losing branch: the rules see that branch, not the winner.
    return doc._rev === cur.doc._rev ? cur.doc : await db.pouch.get(doc._id, { rev: doc._rev });
  }

  private requireWriter(ctx: UserCtx, db: OpenDb, name: string, doc: any) {
    if (name === '_users') return this.requireMember(ctx, db, name); // server admins only, as in CouchDB 3
    if (doc._id.startsWith('_design/')) this.requireDbAdmin(ctx, db, name);
    else this.requireMember(ctx, db, name);
  }

  async close() {
    this.reopener.stop();
    for (const { pouch } of this.open.values()) await pouch.close().catch(() => {});
    await this.registry.close().catch(() => {});
    this.open.clear();
  }
}
