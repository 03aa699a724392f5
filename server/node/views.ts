// Map/reduce views for the embedded node, kept the way CouchDB keeps them:
// rows sorted by (key, doc id) in a b-tree per view whose inner nodes carry
// counts and built-in reductions (view-tree.ts), stored on disk
// (view-store.ts) and updated incrementally from the changes feed on the
// next query. A grouped query costs the number of groups times the tree's
// depth, not the number of rows; a restart reads the index where it was and
// folds in only the changes since.
import { basename } from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { HttpError, badRequest, notFound } from './http.ts';
import { storageError } from './errors.ts';
import { compile, JsReducers } from './view-sandbox.ts';
import { Tree } from './view-tree.ts';
import { includeDocs, mapped, reduced, type ViewQuery } from './view-query.ts';
import { LevelKV, MemoryKV, NodeCache, guardedKV, reader, type KV } from './view-store.ts';
import { IndexUpdater, buildingKey, locked, type DesignIndex, type Meta } from './view-update.ts';

export interface ViewEngineOptions {
  /** How long the map functions may take over one batch of 1,000 documents. */
  mapTimeoutMs?: number;
  reduceTimeoutMs?: number;
  /** Where the indexes live; in memory without one. */
  dir?: string;
  /** Decoded nodes kept in memory, in bytes of their JSON. */
  cacheBytes?: number;
  /** Another store (tests: one whose writes fail). */
  store?: () => KV;
  /** Documents from which a first build writes its trees bottom-up (view-bulk.ts); tests set it low. */
  bulkMin?: number;
}

export class ViewEngine {
  private indexes = new Map<string, DesignIndex>();
  private opening = new Map<string, Promise<DesignIndex>>();
  /** The store of the moment (a new one after a failed write: see `wipe`). */
  private kv!: KV;
  /** The same, its writes guarded: a failed one wipes the indexes and answers a storage error. */
  private store: KV;
  private cache!: NodeCache;
  private updater: IndexUpdater;
  private reducers: JsReducers;
  /** Set when a write to the index store failed (a full disk): see `wipe`. */
  private failed: Promise<void> | null = null;

  constructor(private opts: ViewEngineOptions = {}) {
    this.reducers = new JsReducers(opts.reduceTimeoutMs ?? 5000);
    this.openStore();
    this.store = guardedKV(() => this.kv, (e) => {
      console.error(`view indexes: ${e.message}`);
      void this.wipe();
      return storageError();
    });
    this.updater = new IndexUpdater(this.store, () => this.cache, opts.bulkMin);
  }

  private openStore() {
    if (this.opts.dir) mkdirSync(this.opts.dir, { recursive: true });
    this.kv = this.opts.store?.() ?? (this.opts.dir ? new LevelKV(this.opts.dir) : new MemoryKV());
    this.cache = new NodeCache(this.opts.cacheBytes ?? 24 * 1024 * 1024);
  }

  /**
   * After a failed write the index store starts again empty. LevelDB goes on after a failed log
   * append, and its recovery may then skip the broken batch but apply later ones (issue #9): an
   * index built on that would be wrong without a sign. Indexes are rebuilt from their databases.
   */
  private wipe(): Promise<void> {
    this.failed ??= (async () => {
      console.error('view indexes: a write failed; they start again empty and are rebuilt from their databases');
      await this.kv.close();
      if (this.opts.dir) rmSync(this.opts.dir, { recursive: true, force: true });
      this.indexes.clear();
      this.openStore();
    })().finally(() => (this.failed = null));
    return this.failed;
  }

  async close() {
    await this.kv.close();
  }

  async query(pouch: PouchDB.Database, ddocName: string, viewName: string, q: ViewQuery) {
    const idx = await this.index(pouch, ddocName, q.stale === 'ok');
    const view = idx.views.get(viewName);
    if (!view) throw notFound('missing_named_view');
    const reduce = q.reduce ?? !!view.reduceSrc;
    if (reduce && !view.reduceSrc) throw new HttpError(400, 'query_parse_error', 'Reduce is invalid for map-only views.');
    if (!reduce && (q.group || q.group_level !== undefined)) {
      if (!view.reduceSrc) throw new HttpError(400, 'query_parse_error', 'Grouping is invalid for map-only views.');
      throw new HttpError(400, 'query_parse_error', 'Invalid use of grouping on a map view.');
    }
    if (reduce && q.include_docs) throw new HttpError(400, 'query_parse_error', '`include_docs` is invalid for reduce');
    if (q.keys !== undefined && !Array.isArray(q.keys)) throw badRequest('`keys` must be an array');
    if (q.keys && (q.key !== undefined || q.startkey !== undefined || q.endkey !== undefined)) {
      throw new HttpError(400, 'query_parse_error', '`keys` is incompatible with `key`, `startkey` and `endkey`');
    }
    const result = await locked(idx, async () => {
      const tree = new Tree(idx.roots[view.pos], reader(this.kv, this.cache, idx.prefix), view.builtin);
      const out = reduce ? await reduced(tree, view, q, this.reducers) : await mapped(tree, q);
      return q.update_seq ? { ...out, update_seq: idx.seq } : out;
    });
    if ('rows' in result && q.include_docs && !reduce) await includeDocs(pouch, result.rows as any[]);
    if (q.stale === 'update_after') void this.index(pouch, ddocName, false).catch(() => {});
    return result;
  }

  /** Folds every change since the last look into one design document's index (the background indexer). */
  async refresh(pouch: PouchDB.Database, ddocName: string) {
    await this.index(pouch, ddocName, false);
  }

  /** `_view_cleanup`: removes a database's indexes whose design document is gone or has changed. */
  async cleanup(pouch: PouchDB.Database) {
    const db = basename(pouch.name);
    for (const [regKey, prefix] of await this.kv.list(`i/${db}/`)) {
      const ddocName = regKey.slice(`i/${db}/`.length);
      const ddoc: any = await pouch.get(`_design/${ddocName}`).catch(() => null);
      const [raw] = await this.kv.getMany([`${prefix}m`]);
      if (ddoc && raw !== undefined && (JSON.parse(raw) as Meta).sig === JSON.stringify(ddoc.views ?? {})) continue;
      this.indexes.delete(regKey);
      await this.forget(regKey, prefix);
    }
  }

  /** Removes a deleted database's indexes. */
  async drop(pouchName: string) {
    const db = basename(pouchName);
    for (const [marker, prefix] of await this.kv.list(buildingKey(`i/${db}/`))) {
      await this.kv.clear(prefix);
      await this.store.batch([{ type: 'del', key: marker }]);
    }
    for (const [regKey, prefix] of await this.kv.list(`i/${db}/`)) {
      this.indexes.delete(regKey);
      await this.forget(regKey, prefix);
    }
  }

  private async forget(regKey: string, prefix: string) {
    await this.store.batch([{ type: 'del', key: regKey }]);
    this.cache.dropPrefix(prefix);
    await this.kv.clear(prefix).catch((e) => {
      console.error(`view indexes: ${(e as Error).message}`);
      void this.wipe();
    });
  }

  private async index(pouch: PouchDB.Database, ddocName: string, stale: boolean): Promise<DesignIndex> {
    if (this.failed) await this.failed;
    const regKey = `i/${basename(pouch.name)}/${ddocName}`;
    let ddoc: any;
    try {
      ddoc = await pouch.get(`_design/${ddocName}`);
    } catch {
      this.indexes.delete(regKey);
      throw notFound('missing');
    }
    const sig = JSON.stringify(ddoc.views ?? {});
    let idx = this.indexes.get(regKey);
    if (!idx || idx.sig !== sig) {
      let opening = this.opening.get(regKey);
      if (!opening) {
        opening = this.open(pouch, regKey, ddoc, sig).finally(() => this.opening.delete(regKey));
        this.opening.set(regKey, opening);
      }
      // Stale or not, as asked: CouchDB answers `update=false` from the index as it stands, even
      // one never built (empty); the background indexer (auto-index.ts) keeps it current.
      idx = await opening;
    }
    if (idx.timedOut) throw idx.timedOut;
    if (stale) return idx;
    const current = idx;
    const run = current.chain.then(() => this.updater.catchUp(pouch, current));
    current.chain = run.catch(() => {});
    await run;
    return current;
  }

  /** The index as stored, if it was built from this design and this database; else a new one. */
  private async open(pouch: PouchDB.Database, regKey: string, ddoc: any, sig: string): Promise<DesignIndex> {
    const { views, mapBatch } = compile(ddoc, this.opts.mapTimeoutMs ?? 30_000);
    const uuid = String(await (pouch as any).id()); // PouchDB's typings lack id()
    const updateSeq = Number((await pouch.info()).update_seq);
    const [prefix, unfinished] = await this.kv.getMany([regKey, buildingKey(regKey)]);
    // A bulk build stopped half way (a crash) left its own prefix: the registered index never saw it.
    if (unfinished !== undefined) {
      await this.kv.clear(unfinished);
      await this.store.batch([{ type: 'del', key: buildingKey(regKey) }]);
    }
    const fresh = (meta: Meta, p: string): DesignIndex => {
      const idx: DesignIndex = { ...meta, regKey, prefix: p, ddocId: ddoc._id, views, chain: Promise.resolve(), lock: Promise.resolve(), mapBatch };
      this.indexes.set(regKey, idx);
      return idx;
    };
    if (prefix !== undefined) {
      const [raw] = await this.kv.getMany([`${prefix}m`]);
      const meta = raw === undefined ? null : (JSON.parse(raw) as Meta);
      if (meta && meta.sig === sig && meta.uuid === uuid && meta.seq <= updateSeq && meta.roots.length === views.size) return fresh(meta, prefix);
      await this.forget(regKey, prefix);
    }
    const p = `${randomBytes(6).toString('hex')}/`;
    const roots = [...views.keys()].map((_, i) => i);
    const meta: Meta = { sig, uuid, seq: 0, roots, next: roots.length };
    await this.store.batch([
      ...roots.map((id) => ({ type: 'put' as const, key: `${p}n${id}`, value: '{"l":[]}' })),
      { type: 'put', key: `${p}m`, value: JSON.stringify(meta) },
      { type: 'put', key: regKey, value: p },
    ]);
    return fresh(meta, p);
  }

  /** Indexes being brought up to date, as CouchDB lists them in `/_active_tasks`. */
  activeTasks() {
    return this.updater.activeTasks();
  }
}
