// Bringing a design document's index up to date with its database: the
// changes since the index's seq, mapped and folded into the trees a batch at
// a time, or, for an index far behind, built anew bottom-up (view-bulk.ts).
// What `/_active_tasks` lists as indexers.
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HttpError } from './http.ts';
import { deepFreeze, type Key, type ViewDef } from './view-sandbox.ts';
import { REMOVE, Tree, type Op } from './view-tree.ts';
import { bySortKey } from './view-keys.ts';
import { BULK_MIN, BULK_RATIO, buildTrees, rowsOf, writeScratchRows } from './view-bulk.ts';
import { NodeBatch, type KV, type NodeCache } from './view-store.ts';

const BATCH = 1000;

/** Where a bulk build keeps its new prefix until it takes the index's place. */
export const buildingKey = (regKey: string) => `b/${regKey}`;

export interface Meta {
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

export interface DesignIndex extends Meta {
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

/** Runs `fn` once the index's earlier tree reads and writes are done. */
export function locked<T>(idx: DesignIndex, fn: () => Promise<T>): Promise<T> {
  const run = idx.lock.then(fn);
  idx.lock = run.catch(() => {});
  return run;
}

interface Task {
  database: string;
  design_document: string;
  changes_done: number;
  total_changes: number;
  started_on: number;
  updated_on: number;
}

export class IndexUpdater {
  private tasks = new Set<Task>();

  constructor(
    /** The index store, its writes guarded (a failed one wipes every index: ViewEngine.wipe). */
    private kv: KV,
    /** Decoded nodes; replaced with the store after a wipe. */
    private cache: () => NodeCache,
    /** Documents from which a build from far behind goes bottom-up; tests set it low. */
    private bulkMin = BULK_MIN,
  ) {}

  /** Indexes being brought up to date, as CouchDB lists them in `/_active_tasks`. */
  activeTasks() {
    return [...this.tasks.values()].map((t) => ({
      type: 'indexer', database: t.database, design_document: t.design_document,
      changes_done: t.changes_done, total_changes: t.total_changes,
      progress: t.total_changes ? Math.min(100, Math.floor((100 * t.changes_done) / t.total_changes)) : 0,
      started_on: t.started_on, updated_on: t.updated_on,
    }));
  }

  async catchUp(pouch: PouchDB.Database, idx: DesignIndex) {
    const now = () => Math.floor(Date.now() / 1000);
    const target = Number((await pouch.info()).update_seq);
    const pending = target - idx.seq;
    if (pending <= 0) return;
    if (idx.seq === 0) idx.fresh = target;
    const task: Task = {
      database: basename(pouch.name), design_document: idx.ddocId,
      changes_done: 0, total_changes: pending, started_on: now(), updated_on: now(),
    };
    this.tasks.add(task);
    const done = (n: number) => Object.assign(task, { changes_done: task.changes_done + n, updated_on: now() });
    try {
      // Far behind (a first build over many documents, or a load that outran the indexer): build anew, bottom-up.
      if (pending >= this.bulkMin && pending >= BULK_RATIO * idx.seq) await this.bulkBuild(pouch, idx, target, done);
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
      await locked(idx, () => this.applyBatch(idx, live, emitted, Number(ch.last_seq)));
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

  /** Folds sorted rows into one view's tree from `root`, written in one batch; returns the new root. */
  private async fold(prefix: string, next: { id: number }, view: ViewDef, root: number, rows: Op[]) {
    const nodes = new NodeBatch(this.kv, this.cache(), prefix, next);
    const tree = new Tree(root, nodes, view.builtin);
    await tree.apply(rows);
    const staged = nodes.ops();
    await this.kv.batch(staged.ops);
    staged.done();
    return tree.root;
  }

  /**
   * Builds the index anew from the whole database (view-bulk.ts) under a prefix of its own, then
   * takes its place in one write: queries meanwhile read the index as it was. `b/<regKey>` names the
   * new prefix until then, so a crash half way leaves nothing a start does not clear (ViewEngine.open).
   */
  private async bulkBuild(pouch: PouchDB.Database, idx: DesignIndex, target: number, done: (n: number) => void) {
    const b = { prefix: `${randomBytes(6).toString('hex')}/`, views: idx.views, roots: [...idx.views.keys()].map((_, i) => i), next: idx.views.size };
    await this.kv.batch([
      { type: 'put', key: buildingKey(idx.regKey), value: b.prefix },
      ...b.roots.map((id) => ({ type: 'put' as const, key: `${b.prefix}n${id}`, value: '{"l":[]}' })),
    ]);
    const changes = (since: number) => pouch.changes({ since, include_docs: true, limit: BATCH, style: 'all_docs' }) as any;
    await writeScratchRows(this.kv, b.prefix, changes, target, done, (docs) => this.map(idx, docs));
    const roots = await buildTrees(this.kv, b, async (view, root, rows) => {
      const next = { id: b.next };
      const newRoot = await this.fold(b.prefix, next, view, root, rows);
      b.next = next.id;
      return newRoot;
    });
    const meta: Meta = { sig: idx.sig, uuid: idx.uuid, seq: target, roots, next: b.next, fresh: target };
    const old = idx.prefix;
    await locked(idx, async () => {
      await this.kv.batch([
        { type: 'put', key: `${b.prefix}m`, value: JSON.stringify(meta) },
        { type: 'put', key: idx.regKey, value: b.prefix },
        { type: 'del', key: buildingKey(idx.regKey) },
      ]);
      Object.assign(idx, { prefix: b.prefix, seq: target, roots, next: b.next, fresh: target });
    });
    this.cache().dropPrefix(old);
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
    const nodes = new NodeBatch(this.kv, this.cache(), idx.prefix, next);
    const roots = [...idx.roots];
    for (const view of idx.views.values()) {
      const mine = ops[view.pos];
      if (!mine.size) continue;
      const tree = new Tree(roots[view.pos], nodes, view.builtin);
      await tree.apply([...mine].sort(bySortKey));
      roots[view.pos] = tree.root;
    }
    const meta: Meta = { sig: idx.sig, uuid: idx.uuid, seq, roots, next: next.id, ...(idx.fresh ? { fresh: idx.fresh } : {}) };
    const staged = nodes.ops();
    await this.kv.batch([...staged.ops, ...docOps, { type: 'put', key: `${idx.prefix}m`, value: JSON.stringify(meta) }]);
    staged.done();
    Object.assign(idx, { seq, roots, next: next.id });
  }
}
