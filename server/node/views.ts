// Map/reduce views for the embedded node, kept the way CouchDB keeps them:
// rows sorted by (key, doc id), updated incrementally from the changes feed
// on the next query, and the built-in reductions (_sum, _count, _stats) kept
// per exact key as documents come and go. A grouped query therefore costs
// the number of distinct keys in its range, not the number of rows, which is
// what CouchDB's b-tree reductions give. (PouchDB's own mapreduce reduces at
// query time and indexes ~200 docs/s here; at 100,000 orders the dashboards
// took seconds per query.)
//
// The index lives in memory and is rebuilt from the database on the first
// query after a restart.
import vm from 'node:vm';
import { collate, normalizeKey, parseIndexableString, toIndexableString } from 'pouchdb-collate';
import { HttpError, badRequest, notFound } from './http.ts';

type Key = unknown;
interface Row {
  /** toIndexableString([key, id]): sorts exactly as CouchDB collates (key, then doc id). */
  sk: string;
  id: string;
  value: unknown;
}
/** A row's key, read back from its sort key (rows do not keep a second copy: memory). */
const keyOf = (r: Row): Key => (parseIndexableString(r.sk) as [Key, string])[0];
type Builtin = '_sum' | '_count' | '_stats';
interface Stats {
  sum: number;
  count: number;
  min: number;
  max: number;
  sumsqr: number;
}
interface Group {
  key: Key;
  gk: string;
  rows: number;
  agg: unknown;
  /** A _stats min/max may be stale after a removal: recompute from the rows. */
  stale: boolean;
}

export interface ViewQuery {
  key?: Key;
  keys?: Key[];
  startkey?: Key;
  endkey?: Key;
  startkey_docid?: string;
  endkey_docid?: string;
  inclusive_end?: boolean;
  descending?: boolean;
  limit?: number;
  skip?: number;
  include_docs?: boolean;
  reduce?: boolean;
  group?: boolean;
  group_level?: number;
  stale?: 'ok' | 'update_after';
  update_seq?: boolean;
}

const BATCH = 1000;
/** toIndexableString builds its result by concatenation; kept as is, each sort key stays a tree
 *  of string pieces (~520 bytes for an 84-character key). A flat copy takes ~115. */
const flat = (s: string): string => JSON.parse(JSON.stringify(s));
const NONE: Row[] = [];

class View {
  rows: Row[] = [];
  groups = new Map<string, Group>();
  groupList: Group[] | null = [];
  /** Rows whose value the built-in reduce cannot take: reduce queries fail while any remain. */
  bad = new Set<Row>();
  private adds: Row[] = [];
  private removed = new Set<Row>();

  constructor(
    readonly reduceSrc: string | null,
    readonly builtin: Builtin | null,
  ) {}

  remove(r: Row) {
    this.removed.add(r);
    if (this.builtin) this.ungroup(r);
  }

  add(id: string, emitted: Array<[Key, unknown]>, into: Row[]) {
    for (const [key, value] of emitted) {
      const r = { sk: flat(toIndexableString([key, id])), id, value };
      into.push(r);
      this.adds.push(r);
      if (this.builtin) this.group(r, key);
    }
  }

  /** Folds the pending additions and removals into the sorted rows. */
  settle() {
    if (this.removed.size) {
      if (this.removed.size > 64) this.rows = this.rows.filter((r) => !this.removed.has(r));
      else for (const r of this.removed) {
        const i = this.find(r.sk);
        if (this.rows[i] === r) this.rows.splice(i, 1);
      }
      this.removed.clear();
    }
    if (this.adds.length) {
      if (this.adds.length > 256) {
        for (const r of this.adds) this.rows.push(r);
        this.rows.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
      } else for (const r of this.adds) this.rows.splice(this.find(r.sk), 0, r);
      this.adds = [];
    }
    for (const g of this.groups.values()) if (g.stale) this.recompute(g);
  }

  /** First index whose sort key is >= sk. */
  private find(sk: string) {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rows[mid].sk < sk) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose sort key is > sk. */
  after(sk: string) {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rows[mid].sk <= sk) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose sort key is >= sk. */
  from(sk: string) {
    return this.find(sk);
  }

  private group(r: Row, key: Key) {
    let v: unknown;
    try {
      v = builtinMap(this.builtin!, key, r.value);
    } catch {
      this.bad.add(r);
      return;
    }
    const gk = toIndexableString(key);
    let g = this.groups.get(gk);
    if (!g) {
      g = { key, gk, rows: 0, agg: null, stale: false };
      this.groups.set(gk, g);
      this.groupList = null;
    }
    g.rows++;
    g.agg = g.agg === null ? v : combine(this.builtin!, g.agg, v);
  }

  private ungroup(r: Row) {
    if (this.bad.delete(r)) return;
    const key = keyOf(r);
    const gk = toIndexableString(key);
    const g = this.groups.get(gk);
    if (!g) return;
    if (--g.rows === 0) {
      this.groups.delete(gk);
      this.groupList = null;
      return;
    }
    const v = builtinMap(this.builtin!, key, r.value);
    if (this.builtin === '_stats') {
      const a = g.agg as Stats;
      const b = v as Stats;
      if (b.min <= a.min || b.max >= a.max) g.stale = true;
      else g.agg = { sum: a.sum - b.sum, count: a.count - b.count, min: a.min, max: a.max, sumsqr: a.sumsqr - b.sumsqr };
    } else g.agg = subtract(g.agg, v);
  }

  private recompute(g: Group) {
    // [k] sorts before every row of key k, [k, {}] after all of them.
    const end = this.after(toIndexableString([g.key, {}]));
    let agg: unknown = null;
    for (let i = this.from(toIndexableString([g.key])); i < end; i++) {
      const v = builtinMap(this.builtin!, g.key, this.rows[i].value);
      agg = agg === null ? v : combine(this.builtin!, agg, v);
    }
    g.agg = agg;
    g.stale = false;
  }

  sortedGroups() {
    if (!this.groupList) this.groupList = [...this.groups.values()].sort((a, b) => (a.gk < b.gk ? -1 : a.gk > b.gk ? 1 : 0));
    return this.groupList;
  }
}

interface DesignIndex {
  sig: string;
  seq: number;
  views: Map<string, View>;
  /** Each document's rows, per view in `views` order: what to take out when it changes. */
  byDoc: Map<string, Row[][]>;
  chain: Promise<void>;
  mapBatch: (docs: unknown[]) => Array<Array<Array<[Key, unknown]>>>;
  /** Set once a map function ran out of time: every query fails fast until the design doc changes. */
  timedOut?: HttpError;
}

function builtinMap(fn: Builtin, _key: Key, value: unknown): unknown {
  if (fn === '_count') return 1;
  if (fn === '_sum') {
    if (typeof value === 'number' || (Array.isArray(value) && value.every((x) => typeof x === 'number'))) return value;
    throw new HttpError(400, 'builtin_reduce_error', 'The _sum function requires that map values be numbers or arrays of numbers');
  }
  if (typeof value !== 'number') throw new HttpError(400, 'builtin_reduce_error', 'The _stats function requires that map values be numbers');
  return { sum: value, count: 1, min: value, max: value, sumsqr: value * value };
}

function combine(fn: Builtin, a: unknown, b: unknown): unknown {
  if (fn === '_stats') {
    const x = a as Stats;
    const y = b as Stats;
    return { sum: x.sum + y.sum, count: x.count + y.count, min: Math.min(x.min, y.min), max: Math.max(x.max, y.max), sumsqr: x.sumsqr + y.sumsqr };
  }
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const xs = Array.isArray(a) ? a : [a];
  const ys = Array.isArray(b) ? b : [b];
  return Array.from({ length: Math.max(xs.length, ys.length) }, (_, i) => ((xs[i] as number) ?? 0) + ((ys[i] as number) ?? 0));
}

function subtract(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const xs = Array.isArray(a) ? a : [a];
  const ys = Array.isArray(b) ? b : [b];
  return xs.map((x, i) => (x as number) - ((ys[i] as number) ?? 0));
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** What a sandbox runs: every map function over a batch of documents, in one call, so one time
 *  limit covers the batch (a per-call limit starts a watchdog thread each time: too dear per doc). */
const SANDBOX_LIB = `
var __out = [], __fns = [];
function emit(key, value) { __out.push([key, value]); }
function log() {}
function isArray(a) { return Array.isArray(a); }
function toJSON(o) { return JSON.stringify(o); }
function sum(xs) { var s = 0; for (var i = 0; i < xs.length; i++) s += xs[i]; return s; }
function __run(docs) {
  var res = [];
  for (var i = 0; i < docs.length; i++) {
    var per = [];
    for (var v = 0; v < __fns.length; v++) {
      __out = [];
      try { __fns[v](docs[i]); } catch (e) { __out = []; } // CouchDB skips a document whose map throws
      per.push(__out);
    }
    res.push(per);
  }
  return res;
}`;
const RUN = new vm.Script('__run(__docs)');

/** A copy made in this realm, as JSON would carry it (undefined becomes null, dates strings). */
function jsonCopy(v: unknown): unknown {
  const json = v === undefined ? undefined : JSON.stringify(v);
  return json === undefined ? null : JSON.parse(json);
}

/** One sandbox per design document; its map functions are compiled once. */
function compile(ddoc: any, timeoutMs: number) {
  const sandbox = vm.createContext({});
  vm.runInContext(SANDBOX_LIB, sandbox);
  const views = new Map<string, View>();
  const fns: unknown[] = [];
  for (const [name, def] of Object.entries<any>(ddoc.views ?? {})) {
    if (typeof def?.map !== 'string') continue;
    let fn: unknown;
    try {
      fn = vm.runInContext(`(${def.map})`, sandbox, { timeout: 1000 });
      if (typeof fn !== 'function') throw new Error('not a function');
    } catch (e) {
      throw new HttpError(400, 'compilation_error', `View ${name}: the map function does not compile: ${(e as Error).message}`);
    }
    fns.push(fn);
    const reduce = typeof def.reduce === 'string' ? def.reduce.trim() : null;
    const builtin = reduce === '_sum' || reduce === '_count' || reduce === '_stats' ? reduce : null;
    views.set(name, new View(reduce, builtin));
  }
  sandbox.__fns = fns;
  /** Per document, per view (in `views` order), what the map functions emitted. */
  const mapBatch = (docs: unknown[]): Array<Array<Array<[Key, unknown]>>> => {
    sandbox.__docs = docs;
    let raw: Array<Array<Array<[unknown, unknown]>>>;
    try {
      raw = RUN.runInContext(sandbox, { timeout: timeoutMs });
    } catch (e) {
      throw new HttpError(500, 'os_process_error', `A map function in ${ddoc._id} did not finish ${docs.length} documents within ${timeoutMs} ms (${(e as Error).message}); fix the design document`);
    } finally {
      sandbox.__docs = null;
    }
    return raw.map((per) => per.map((out) => out.map(([k, v]) => [normalizeKey(jsonCopy(k)), jsonCopy(v)] as [Key, unknown])));
  };
  return { views, mapBatch };
}

export class ViewEngine {
  private indexes = new WeakMap<object, Map<string, DesignIndex>>();

  /** `mapTimeoutMs`: how long the map functions may take over one batch of 1,000 documents. */
  constructor(private opts: { mapTimeoutMs?: number; reduceTimeoutMs?: number } = {}) {}

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
    const extra = q.update_seq ? { update_seq: idx.seq } : {};
    const result = reduce ? this.reduced(view, q) : await this.mapped(pouch, view, q);
    if (q.stale === 'update_after') void this.index(pouch, ddocName, false).catch(() => {});
    return { ...result, ...extra };
  }

  private async index(pouch: PouchDB.Database, ddocName: string, stale: boolean): Promise<DesignIndex> {
    let byDdoc = this.indexes.get(pouch);
    if (!byDdoc) this.indexes.set(pouch, (byDdoc = new Map()));
    let ddoc: any;
    try {
      ddoc = await pouch.get(`_design/${ddocName}`);
    } catch {
      byDdoc.delete(ddocName);
      throw notFound('missing');
    }
    const sig = JSON.stringify(ddoc.views ?? {});
    let idx = byDdoc.get(ddocName);
    if (!idx || idx.sig !== sig) {
      const { views, mapBatch } = compile(ddoc, this.opts.mapTimeoutMs ?? 30_000);
      idx = { sig, seq: 0, views, byDoc: new Map(), chain: Promise.resolve(), mapBatch };
      byDdoc.set(ddocName, idx);
      stale = false; // a new index must be built before it can answer
    }
    if (idx.timedOut) throw idx.timedOut;
    if (stale) return idx;
    const current = idx;
    // One catch-up at a time; a query waits for one that started after it arrived.
    const run = current.chain.then(() => this.catchUp(pouch, current));
    current.chain = run.catch(() => {});
    await run;
    return current;
  }

  private async catchUp(pouch: PouchDB.Database, idx: DesignIndex) {
    const views = [...idx.views.values()];
    for (;;) {
      const ch = await pouch.changes({ since: idx.seq, include_docs: true, limit: BATCH });
      const live = ch.results.filter((c) => !c.id.startsWith('_design/'));
      // Map the whole batch first: if a map function runs out of time, nothing has changed yet.
      let emitted: Array<Array<Array<[Key, unknown]>>>;
      try {
        emitted = idx.mapBatch(live.filter((c) => !c.deleted).map((c) => deepFreeze(c.doc)));
      } catch (e) {
        // Once is enough: a looping map would otherwise hold the node for the whole limit on every query.
        if (e instanceof HttpError && e.error === 'os_process_error') idx.timedOut = e;
        throw e;
      }
      let k = 0;
      for (const c of live) {
        const old = idx.byDoc.get(c.id);
        if (old) old.forEach((rows, i) => rows.forEach((r) => views[i].remove(r)));
        idx.byDoc.delete(c.id);
        if (c.deleted) continue;
        const per = emitted[k++];
        let count = 0;
        const mine = views.map((view, i) => {
          const rows: Row[] = [];
          view.add(c.id, per[i], rows);
          count += rows.length;
          return rows.length ? rows : NONE;
        });
        if (count) idx.byDoc.set(c.id, mine);
      }
      idx.seq = Number(ch.last_seq);
      if (ch.results.length < BATCH) break;
    }
    for (const view of idx.views.values()) view.settle();
  }

  private range(view: View, q: ViewQuery): [number, number] {
    const desc = !!q.descending;
    const start = q.key !== undefined ? q.key : q.startkey;
    const end = q.key !== undefined ? q.key : q.endkey;
    const inclusiveEnd = q.key !== undefined || q.inclusive_end !== false;
    // Bounds as sort keys: [k] sorts before every row of key k, [k, {}] after all of them,
    // [k, docid] exactly where that row would be. [lo, hi) are the rows in range, in
    // ascending order; descending swaps which end `start` and `end` bound.
    const lowKey = desc ? end : start;
    const lowId = desc ? q.endkey_docid : q.startkey_docid;
    const highKey = desc ? start : end;
    const highId = desc ? q.startkey_docid : q.endkey_docid;
    const lowInclusive = desc ? inclusiveEnd : true;
    const highInclusive = desc ? true : inclusiveEnd;
    const at = (key: Key, docid: string | undefined, edge: 'before' | 'after') =>
      toIndexableString(docid !== undefined ? [key, docid] : edge === 'before' ? [key] : [key, {}]);
    const lo = lowKey === undefined ? 0 : lowInclusive ? view.from(at(lowKey, lowId, 'before')) : view.after(at(lowKey, lowId, 'after'));
    const hi = highKey === undefined ? view.rows.length : highInclusive ? view.after(at(highKey, highId, 'after')) : view.from(at(highKey, highId, 'before'));
    return [lo, Math.max(lo, hi)];
  }

  private async mapped(pouch: PouchDB.Database, view: View, q: ViewQuery) {
    const skip = q.skip ?? 0;
    const limit = q.limit ?? Infinity;
    let rows: Row[] = [];
    let offset = 0;
    if (q.keys) {
      for (const key of q.keys) {
        const [lo, hi] = this.range(view, { key });
        const part = view.rows.slice(lo, hi);
        rows.push(...(q.descending ? part.reverse() : part));
      }
      rows = rows.slice(skip, skip + limit);
    } else {
      const [lo, hi] = this.range(view, q);
      if (q.descending) {
        offset = view.rows.length - hi;
        for (let i = hi - 1 - skip; i >= lo && rows.length < limit; i--) rows.push(view.rows[i]);
      } else {
        offset = lo;
        for (let i = lo + skip; i < hi && rows.length < limit; i++) rows.push(view.rows[i]);
      }
      offset += skip;
    }
    const out: any[] = rows.map((r) => ({ id: r.id, key: keyOf(r), value: r.value }));
    if (q.include_docs && out.length) {
      // A value with an _id links another document, as in CouchDB.
      const want = out.map((r) => (r.value && typeof r.value === 'object' && typeof r.value._id === 'string' ? r.value._id : r.id));
      const got = await pouch.allDocs({ keys: [...new Set(want)], include_docs: true });
      const docs = new Map(got.rows.map((r: any) => [r.key, r.doc ?? null]));
      out.forEach((r, i) => (r.doc = docs.get(want[i]) ?? null));
    }
    return { total_rows: view.rows.length, offset: Math.min(offset, view.rows.length), rows: out };
  }

  private reduced(view: View, q: ViewQuery) {
    if (view.bad.size) throw new HttpError(400, 'builtin_reduce_error', `The ${view.builtin} function requires that map values be numbers${view.builtin === '_sum' ? ' or arrays of numbers' : ''} (document ${[...view.bad][0].id})`);
    const level = q.group ? Infinity : q.group_level ?? 0;
    const groupKey = (k: Key) => (level === Infinity ? k : Array.isArray(k) ? (level === 0 ? null : k.slice(0, level)) : level === 0 ? null : k);
    const parts: Array<{ key: Key; value: unknown }> = [];
    const push = (key: Key, value: unknown) => {
      const last = parts[parts.length - 1];
      if (last && collate(last.key, key) === 0) last.value = this.rereduce(view, [last.value, value]);
      else parts.push({ key, value });
    };
    const ranges: ViewQuery[] = q.keys ? q.keys.map((key) => ({ key })) : [q];
    for (const r of ranges) {
      if (view.builtin) {
        for (const g of this.groupsIn(view, { ...r, descending: q.descending })) push(groupKey(g.key), g.agg);
      } else {
        const [lo, hi] = this.range(view, { ...r, descending: q.descending });
        const slice = view.rows.slice(lo, hi);
        if (q.descending) slice.reverse();
        let run: Row[] = [];
        const flush = () => {
          if (run.length) push(groupKey(keyOf(run[0])), this.jsReduce(view, run));
          run = [];
        };
        for (const row of slice) {
          if (run.length && collate(groupKey(keyOf(run[0])), groupKey(keyOf(row))) !== 0) flush();
          run.push(row);
        }
        flush();
      }
    }
    if (level === 0 && !q.keys) {
      // One row for everything in range (none when the range is empty, as in CouchDB).
      return { rows: parts.length ? [{ key: null, value: parts.map((p) => p.value).reduce((a, b) => this.rereduce(view, [a, b])) }] : [] };
    }
    const skip = q.skip ?? 0;
    return { rows: parts.slice(skip, skip + (q.limit ?? Infinity)) };
  }

  /** The exact-key groups whose key lies in the query's range, in query order. */
  private groupsIn(view: View, q: ViewQuery): Group[] {
    const groups = view.sortedGroups();
    const desc = !!q.descending;
    const start = q.key !== undefined ? q.key : q.startkey;
    const end = q.key !== undefined ? q.key : q.endkey;
    const inclusiveEnd = q.key !== undefined || q.inclusive_end !== false;
    const out = groups.filter((g) => {
      if (start !== undefined && (desc ? collate(g.key, start) > 0 : collate(g.key, start) < 0)) return false;
      if (end !== undefined) {
        const c = collate(g.key, end);
        if (desc ? c < 0 || (c === 0 && !inclusiveEnd) : c > 0 || (c === 0 && !inclusiveEnd)) return false;
      }
      return true;
    });
    return desc ? out.reverse() : out;
  }

  private rereduce(view: View, values: unknown[]): unknown {
    if (view.builtin) return values.reduce((a, b) => combine(view.builtin!, a, b));
    return this.callReduce(view, null, values, true);
  }

  private jsReduce(view: View, rows: Row[]) {
    return this.callReduce(view, rows.map((r) => [keyOf(r), r.id]), rows.map((r) => r.value), false);
  }

  private reducers = new WeakMap<View, vm.Context>();
  /** A custom JS reduce runs in its own sandbox, each call under a time limit (CouchDB's per-prompt
   *  os_process_timeout): a looping reduce fails its query with 500 and the node goes on. JS reduces
   *  are rare (ours are all built-in), so the watchdog thread a limited call starts is affordable. */
  /** Views whose reduce ran out of time: their reduce queries fail fast until the design doc changes
   *  (a new View), since each try would hold this node's event loop for the whole limit. */
  private reduceTimedOut = new WeakMap<View, HttpError>();
  private callReduce(view: View, keys: unknown, values: unknown[], rereduce: boolean) {
    const failed = this.reduceTimedOut.get(view);
    if (failed) throw failed;
    let sandbox = this.reducers.get(view);
    if (!sandbox) {
      sandbox = vm.createContext({});
      vm.runInContext(REDUCE_LIB, sandbox);
      let fn: unknown;
      try {
        fn = vm.runInContext(`(${view.reduceSrc})`, sandbox, { timeout: 1000 });
      } catch (e) {
        throw new HttpError(400, 'compilation_error', `The reduce function does not compile: ${(e as Error).message}`);
      }
      if (typeof fn !== 'function') throw new HttpError(400, 'compilation_error', 'The reduce function is not a function');
      sandbox.__fn = fn;
      this.reducers.set(view, sandbox);
    }
    sandbox.__in = JSON.stringify([keys, values, rereduce]);
    let out: string;
    try {
      out = REDUCE.runInContext(sandbox, { timeout: this.opts.reduceTimeoutMs ?? 5000 });
    } catch (e) {
      // Cut off mid-run, the sandbox may hold half-done state: the next query compiles afresh.
      this.reducers.delete(view);
      console.error(`a reduce function did not finish within ${this.opts.reduceTimeoutMs ?? 5000} ms: ${(e as Error).message}`);
      const err = new HttpError(500, 'os_process_error', 'OS process timed out.');
      this.reduceTimedOut.set(view, err);
      throw err;
    } finally {
      sandbox.__in = null;
    }
    const res = JSON.parse(out) as { ok?: unknown; error?: string };
    if ('error' in res) throw new HttpError(500, 'reduce_error', String(res.error));
    return res.ok ?? null;
  }
}

/** A reduce's sandbox: arguments come in and the result goes out as JSON text, so the function never
 *  holds the index's own rows, and a thrown value is described inside the time limit. */
const REDUCE_LIB = `
var __parse = JSON.parse, __stringify = JSON.stringify, __String = String;
function log() {}
function isArray(a) { return Array.isArray(a); }
function toJSON(o) { return __stringify(o); }
function sum(xs) { var s = 0; for (var i = 0; i < xs.length; i++) s += xs[i]; return s; }
function __reduce(input) {
  var a = __parse(input), r;
  try { r = __fn(a[0], a[1], a[2]); } catch (e) { return __stringify({ error: e && e.message !== undefined ? __String(e.message) : __String(e) }); }
  return __stringify({ ok: r === undefined ? null : r });
}`;
const REDUCE = new vm.Script('__reduce(__in)');
