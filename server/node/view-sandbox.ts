// Where a design document's JavaScript runs on the embedded node: map
// functions over a batch of documents in one sandbox per design document,
// custom reduce functions in a sandbox of their own, each under a time limit
// (CouchDB's os_process_timeout), so a looping function fails its query and
// the node goes on.
import vm from 'node:vm';
import { normalizeKey } from 'pouchdb-collate';
import { HttpError } from './http.ts';
import { builtinOf, type Builtin } from './view-reduce.ts';

export type Key = unknown;
export interface ViewDef {
  name: string;
  /** Its place in the design document's views (the index keeps one tree per view, in this order). */
  pos: number;
  reduceSrc: string | null;
  builtin: Builtin | null;
}

export function deepFreeze<T>(o: T): T {
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
export function compile(ddoc: any, timeoutMs: number) {
  const sandbox = vm.createContext({});
  vm.runInContext(SANDBOX_LIB, sandbox);
  const views = new Map<string, ViewDef>();
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
    views.set(name, { name, pos: views.size, reduceSrc: reduce, builtin: builtinOf(reduce) });
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


/** A custom JS reduce runs in its own sandbox, each call under a time limit (CouchDB's per-prompt
 *  os_process_timeout): a looping reduce fails its query with 500 and the node goes on. JS reduces
 *  are rare (ours are all built-in), so the watchdog thread a limited call starts is affordable. */
export class JsReducers {
  private sandboxes = new Map<string, vm.Context>();
  /** Reduces that ran out of time: their queries fail fast until the design doc changes (a new
   *  source), since each try would hold this node's event loop for the whole limit. */
  private timedOut = new Map<string, HttpError>();
  constructor(private timeoutMs: number) {}

  call(src: string, keys: unknown, values: unknown[], rereduce: boolean): unknown {
    const failed = this.timedOut.get(src);
    if (failed) throw failed;
    let sandbox = this.sandboxes.get(src);
    if (!sandbox) {
      sandbox = vm.createContext({});
      vm.runInContext(REDUCE_LIB, sandbox);
      let fn: unknown;
      try {
        fn = vm.runInContext(`(${src})`, sandbox, { timeout: 1000 });
      } catch (e) {
        throw new HttpError(400, 'compilation_error', `The reduce function does not compile: ${(e as Error).message}`);
      }
      if (typeof fn !== 'function') throw new HttpError(400, 'compilation_error', 'The reduce function is not a function');
      sandbox.__fn = fn;
      this.sandboxes.set(src, sandbox);
    }
    sandbox.__in = JSON.stringify([keys, values, rereduce]);
    let out: string;
    try {
      out = REDUCE.runInContext(sandbox, { timeout: this.timeoutMs });
    } catch (e) {
      // Cut off mid-run, the sandbox may hold half-done state: the next query compiles afresh.
      this.sandboxes.delete(src);
      console.error(`a reduce function did not finish within ${this.timeoutMs} ms: ${(e as Error).message}`);
      const err = new HttpError(500, 'os_process_error', 'OS process timed out.');
      this.timedOut.set(src, err);
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
