// The node's databases: where they live on disk, who may read and write them
// (`_security`), and the door to the single write path every document goes
// through (write-path.ts).
import { mkdirSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import PouchFind from 'pouchdb-find';
import { HttpError, forbidden, unauthorized } from './http.ts';
import { isServerAdmin, type UserCtx, type UserRecord } from './auth.ts';
import { VALIDATE_TIMEOUT_MS } from './validate.ts';
import { durableLeveldown } from './durable-level.ts';
import { Reopener } from './reopen.ts';
import { guarded } from './guarded-pouch.ts';
import { defaultSecurity, denied, isDbAdmin, isMember, normaliseSecurity, type Security } from './security.ts';
import { DbUpdates } from './db-updates.ts';
import { writeDocs, type WritableDb, type WriteResult, type Writer } from './write-path.ts';

PouchDB.plugin(PouchFind);

const DB_NAME = /^[a-z][a-z0-9_$()+/-]*$/;
const SYSTEM_DBS = new Set(['_users', '_replicator', '_global_changes']);
const REGISTRY = '_dbs';

/** Registry ids may not start with an underscore, database names may. */
const regId = (name: string) => `db:${name}`;

export function validDbName(name: string) {
  return (SYSTEM_DBS.has(name) || DB_NAME.test(name)) && name.length <= 238;
}

interface OpenDb extends WritableDb {
  /** Aborted when this PouchDB instance is closed to be reopened: live feeds on it end, and clients resume. */
  closing: AbortController;
}

/** One per PouchDB instance; every live feed on it listens, so there is no sensible listener limit. */
function closingSignal() {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

export type { WriteResult };

export class Store {
  private dir: string;
  private open = new Map<string, OpenDb>();
  private registry: PouchDB.Database;
  /** Database events for `/_db_updates`: created, updated, deleted. */
  readonly updates = new DbUpdates();
  /** Closes and reopens a database after a storage error (durable-level.ts, reopen.ts). */
  private reopener: Reopener;
  private writer: Writer;

  constructor(
    dataDir: string,
    pbkdf2Iterations = 10_000,
    /** How long all validate_doc_update functions may take over one write request. */
    validateTimeoutMs = VALIDATE_TIMEOUT_MS,
  ) {
    this.dir = join(dataDir, 'dbs');
    mkdirSync(this.dir, { recursive: true });
    this.registry = this.pouch(REGISTRY);
    this.writer = {
      requireMember: (ctx, db, name) => this.requireMember(ctx, db, name),
      requireDbAdmin: (ctx, db, name) => this.requireDbAdmin(ctx, db, name),
      pbkdf2Iterations, validateTimeoutMs,
    };
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
  requireMember(ctx: UserCtx, db: { security: Security }, name: string) {
    if (SYSTEM_DBS.has(name) ? isServerAdmin(ctx) : isMember(ctx, db.security)) return;
    throw ctx.name === null ? unauthorized('You are not authorized to access this db.') : forbidden('You are not allowed to access this db.');
  }

  /** CouchDB checks membership first: a non-member hears "not allowed", a member "not a db admin". */
  requireDbAdmin(ctx: UserCtx, db: { security: Security }, name: string) {
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

  /**
   * Every document write goes through here (write-path.ts). Refused documents come back as
   * per-document errors (bulk) and are never stored.
   */
  async write(name: string, docs: unknown[], ctx: UserCtx, newEdits = true): Promise<WriteResult[]> {
    const db = await this.get(name);
    const { results, wrote, designs } = await writeDocs(this.writer, db, name, docs, ctx, newEdits);
    if (designs) db.validators = null;
    if (wrote) {
      if (name === '_users') this.users.clear();
      this.updates.push(name, 'updated');
    }
    return results;
  }

  async close() {
    this.reopener.stop();
    for (const { pouch } of this.open.values()) await pouch.close().catch(() => {});
    await this.registry.close().catch(() => {});
    this.open.clear();
  }
}
