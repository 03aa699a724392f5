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
import { compile, deepFreeze, JsReducers, type Key, type ViewDef } from './view-sandbox.ts';
import { REMOVE, Tree, type Op } from './view-tree.ts';
import { includeDocs, mapped, reduced, type ViewQuery } from './view-query.ts';
import { BULK_MIN, BULK_RATIO, buildTrees, rowsOf, writeScratchRows } from './view-bulk.ts';

/** Where a bulk build keeps its new prefix until it takes the index's place. */
const buildingKey = (regKey: string) => `b/${regKey}`;
import { LevelKV, MemoryKV, NodeBatch, NodeCache, reader, type KV } from './view-store.ts';

const BATCH = 1000;
const bySk = (a: Op, b: Op) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

interface Meta {
  sig: string;
  /** The database's incarnation (PouchDB's instance id): a database made anew starts a new index. */
  uuid: string;
  seq: number;
  roots: number[];
  next: number;
  /**
   * Set when a build starts from nothing: the database's update_seq then. A change at or below it
   * cannot have been indexed before (a document seen earlier in the build and changed since has a
   * higher seq), so its previous rows are not looked up: at a million orders those lookups were
   * random reads across the whole store.
   */
  fresh?: number;
}

interface DesignIndex extends Meta {
  /** Its entry in the registry (`i/<db>/<design>`), whose value is `prefix`. */
  regKey: string;
  prefix: string;
  /** `_design/…`, for `/_active_tasks`. */
  ddocId: string;
  views: Map<string, ViewDef>;
  /** One catch-up at a time; queries wait for one that started after they arrived. */
  chain: Promise<void>;
  /** Tree reads and writes in turn: a catch-up batch rewrites nodes a query may be reading. */
  lock: Promise<unknown>;
  mapBatch: (docs: unknown[]) => Array<Array<Array<[Key, unknown]>>>;
  /** Set once a map function ran out of time: every query fails fast until the design doc changes. */
  timedOut?: HttpError;
}

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
  private tasks = new Set<{ database: string; design_document: string; changes_done: number; total_changes: number; started_on: number; updated_on: number }>();
  private kv!: KV;
  private cache!: NodeCache;
  private reducers: JsReducers;
  /** Set when a write to the index store failed (a full disk): see `wipe`. */
  private failed: Promise<void> | null = null;

  constructor(private opts: ViewEngineOptions = {}) {
    this.reducers = new JsReducers(opts.reduceTimeoutMs ?? 5000);
    this.openStore();
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
    const result = await this.locked(idx, async () => {
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
      await this.write([{ type: 'del', key: marker }]);
    }
    for (const [regKey, prefix] of await this.kv.list(`i/${db}/`)) {
      this.indexes.delete(regKey);
      await this.forget(regKey, prefix);
    }
  }

  private locked<T>(idx: DesignIndex, fn: () => Promise<T>): Promise<T> {
    const run = idx.lock.then(fn);
    idx.lock = run.catch(() => {});
    return run;
  }

  private async write(ops: Parameters<KV['batch']>[0]) {
    try {
      await this.kv.batch(ops);
    } catch (e) {
      console.error(`view indexes: ${(e as Error).message}`);
      void this.wipe();
      throw storageError();
    }
  }

  private async forget(regKey: string, prefix: string) {
    await this.write([{ type: 'del', key: regKey }]);
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
    const run = current.chain.then(() => this.catchUp(pouch, current));
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
      await this.write([{ type: 'del', key: buildingKey(regKey) }]);
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
    await this.write([
      ...roots.map((id) => ({ type: 'put' as const, key: `${p}n${id}`, value: '{"l":[]}' })),
      { type: 'put', key: `${p}m`, value: JSON.stringify(meta) },
      { type: 'put', key: regKey, value: p },
    ]);
    return fresh(meta, p);
  }

  /** Indexes being brought up to date, as CouchDB lists them in `/_active_tasks`. */
  activeTasks() {
    return [...this.tasks.values()].map((t) => ({
      type: 'indexer', database: t.database, design_document: t.design_document,
      changes_done: t.changes_done, total_changes: t.total_changes,
      progress: t.total_changes ? Math.min(100, Math.floor((100 * t.changes_done) / t.total_changes)) : 0,
      started_on: t.started_on, updated_on: t.updated_on,
    }));
  }

  private async catchUp(pouch: PouchDB.Database, idx: DesignIndex) {
    const now = () => Math.floor(Date.now() / 1000);
    const target = Number((await pouch.info()).update_seq);
    const pending = target - idx.seq;
    if (pending <= 0) return;
    if (idx.seq === 0) idx.fresh = target;
    const task = {
      database: basename(pouch.name), design_document: idx.ddocId,
      changes_done: 0, total_changes: pending, started_on: now(), updated_on: now(),
    };
    this.tasks.add(task);
    const done = (n: number) => Object.assign(task, { changes_done: task.changes_done + n, updated_on: now() });
    try {
      // Far behind (a first build over many documents, or a load that outran the indexer): build anew, bottom-up.
      if (pending >= (this.opts.bulkMin ?? BULK_MIN) && pending >= BULK_RATIO * idx.seq) await this.bulkBuild(pouch, idx, target, done);
      await this.catchUpBatches(pouch, idx, target, done);
    } finally {
      this.tasks.delete(task);
    }
  }

  /**
   * Folds changes in until the index has reached `target` (the database's update_seq when the catch-up
   * began), as CouchDB answers a query from the index as of the request. Without that bound, a
   * database written to without pause kept one design document's catch-up going for good and the
   * others never got their turn: loading a million orders, central's main views had indexed 14,000
   * of 3.6 million changes when the load ended.
   */
  private async catchUpBatches(pouch: PouchDB.Database, idx: DesignIndex, target: number, done: (n: number) => void) {
    while (idx.seq < target) {
      // Every leaf revision (all_docs): a document whose only one is its first was never indexed (applyBatch).
      const ch = await pouch.changes({ since: idx.seq, include_docs: true, limit: BATCH, style: 'all_docs' });
      const live = ch.results.filter((c) => !c.id.startsWith('_design/'));
      // Map the whole batch first: if a map function runs out of time, nothing has changed yet.
      const emitted = this.map(idx, live.filter((c) => !c.deleted).map((c) => c.doc));
      await this.locked(idx, () => this.applyBatch(idx, live, emitted, Number(ch.last_seq)));
      done(ch.results.length);
      if (ch.results.length < BATCH) break;
    }
  }

  private map(idx: DesignIndex, docs: unknown[]) {
    try {
      return idx.mapBatch(docs.map((d) => deepFreeze(d)));
    } catch (e) {
      // Once is enough: a looping map would otherwise hold the node for the whole limit on every query.
      if (e instanceof HttpError && e.error === 'os_process_error') idx.timedOut = e;
      throw e;
    }
  }

  /**
   * Builds the index anew from the whole database (view-bulk.ts) under a prefix of its own, then
   * takes its place in one write: queries meanwhile read the index as it was. `b/<regKey>` names the
   * new prefix until then, so a crash half way leaves nothing a start does not clear (`open`).
   */
  private async bulkBuild(pouch: PouchDB.Database, idx: DesignIndex, target: number, done: (n: number) => void) {
    // The index store as this engine writes it: a failed write wipes it (see `wipe`).
    const kv: KV = {
      getMany: (k) => this.kv.getMany(k), batch: (ops) => this.write(ops), clear: (p) => this.kv.clear(p),
      list: (p) => this.kv.list(p), scan: (p) => this.kv.scan(p), close: () => this.kv.close(),
    };
    const b = { prefix: `${randomBytes(6).toString('hex')}/`, views: idx.views, roots: [...idx.views.keys()].map((_, i) => i), next: idx.views.size };
    await this.write([
      { type: 'put', key: buildingKey(idx.regKey), value: b.prefix },
      ...b.roots.map((id) => ({ type: 'put' as const, key: `${b.prefix}n${id}`, value: '{"l":[]}' })),
    ]);
    const changes = (since: number) => pouch.changes({ since, include_docs: true, limit: BATCH, style: 'all_docs' }) as any;
    await writeScratchRows(kv, b.prefix, changes, target, done, (docs) => this.map(idx, docs));
    const roots = await buildTrees(kv, b, async (pos, root, rows) => {
      const next = { id: b.next };
      const nodes = new NodeBatch(this.kv, this.cache, b.prefix, next);
      const tree = new Tree(root, nodes, [...idx.views.values()][pos].builtin);
      await tree.apply(rows);
      const staged = nodes.ops();
      await this.write(staged.ops);
      staged.done();
      b.next = next.id;
      return tree.root;
    });
    const meta: Meta = { sig: idx.sig, uuid: idx.uuid, seq: target, roots, next: b.next, fresh: target };
    const old = idx.prefix;
    await this.locked(idx, async () => {
      await this.write([
        { type: 'put', key: `${b.prefix}m`, value: JSON.stringify(meta) },
        { type: 'put', key: idx.regKey, value: b.prefix },
        { type: 'del', key: buildingKey(idx.regKey) },
      ]);
      Object.assign(idx, { prefix: b.prefix, seq: target, roots, next: b.next, fresh: target });
    });
    this.cache.dropPrefix(old);
    await this.kv.clear(old).catch((e) => console.error(`view indexes: ${(e as Error).message}`));
  }

  /** Folds one batch of changes into the trees, and writes it all (nodes, documents' keys, meta) at once. */
  private async applyBatch(idx: DesignIndex, live: PouchDB.Core.ChangesResponseChange<{}>[], emitted: Array<Array<Array<[Key, unknown]>>>, seq: number) {
    const docKey = (id: string) => `${idx.prefix}d${id}`;
    // A document's previous rows are looked up only if it can have any: not when the build from nothing
    // had not reached it yet (`fresh`), nor when its one revision is its first (it is folded at that
    // revision's seq and comes again only with a new revision; the node has no purge).
    const fresh = idx.fresh ?? 0;
    const mayHave = live.map((c) => Number(c.seq) > fresh && !(c.changes.length === 1 && c.changes[0].rev.startsWith('1-')));
    const looked = await this.kv.getMany(live.filter((_, i) => mayHave[i]).map((c) => docKey(c.id)));
    let j = 0;
    const olds = mayHave.map((s) => (s ? looked[j++] : undefined));
    const ops = [...idx.views.values()].map(() => new Map<string, unknown>());
    const docOps: Array<{ type: 'put'; key: string; value: string } | { type: 'del'; key: string }> = [];
    let k = 0;
    live.forEach((c, i) => {
      const old = olds[i] === undefined ? null : (JSON.parse(olds[i]!) as string[][]);
      old?.forEach((sks, v) => sks.forEach((sk) => ops[v].set(sk, REMOVE)));
      if (c.deleted) {
        if (old) docOps.push({ type: 'del', key: docKey(c.id) });
        return;
      }
      const rows = rowsOf(c.id, emitted[k++]);
      rows.forEach((r, v) => r.forEach(([sk, value]) => ops[v].set(sk, value)));
      const any = rows.some((r) => r.length);
      const mine = rows.map((r) => r.map(([sk]) => sk));
      if (any) docOps.push({ type: 'put', key: docKey(c.id), value: JSON.stringify(mine) });
      else if (old) docOps.push({ type: 'del', key: docKey(c.id) });
    });
    const next = { id: idx.next };
    const nodes = new NodeBatch(this.kv, this.cache, idx.prefix, next);
    const roots = [...idx.roots];
    for (const view of idx.views.values()) {
      const mine = ops[view.pos];
      if (!mine.size) continue;
      const tree = new Tree(roots[view.pos], nodes, view.builtin);
      await tree.apply([...mine].sort(bySk));
      roots[view.pos] = tree.root;
    }
    const meta: Meta = { sig: idx.sig, uuid: idx.uuid, seq, roots, next: next.id, ...(idx.fresh ? { fresh: idx.fresh } : {}) };
    const staged = nodes.ops();
    await this.write([...staged.ops, ...docOps, { type: 'put', key: `${idx.prefix}m`, value: JSON.stringify(meta) }]);
    staged.done();
    Object.assign(idx, { seq, roots, next: next.id });
  }
}
