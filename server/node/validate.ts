// Runs design documents' validate_doc_update functions the way CouchDB does:
// each function gets (newDoc, oldDoc, userCtx, secObj); throwing
// {forbidden: msg} refuses with 403, {unauthorized: msg} with 401.
//
// All validators of a database live in one sandbox, and every document of one
// write (a PUT, or a whole _bulk_docs) is checked in a single sandboxed call
// with a single time limit: a per-call limit starts a watchdog thread, so one
// per document would cost ~250 µs each. That call may hold the event loop for
// at most SLICE_MS; a write that needs longer (a looping validator, a huge
// bulk) is run again in a worker thread, off the event loop, until the whole
// limit (CouchDB's os_process_timeout, 5 s) is spent. A validator still running
// then is stopped and the write answers 500 os_process_error, as CouchDB does
// when its couchjs process times out; the node serves everyone else meanwhile.
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { HttpError } from './http.ts';
import type { UserCtx } from './auth.ts';

/** CouchDB's `[couchdb] os_process_timeout` default. */
export const VALIDATE_TIMEOUT_MS = 5000;
/** How long validation may hold the event loop before the rest moves to a worker thread. */
export const SLICE_MS = 100;
/** Documents per sandboxed call: small enough to stay well inside the slice, large enough that the
 *  call's watchdog thread (~250 µs to start) costs little per document. */
const CHUNK = 100;

export interface ValidationItem {
  doc: unknown;
  old: unknown;
}

export interface ValidatorSet {
  readonly size: number;
  /** Per item, null when every validator accepts it, else the error CouchDB answers with. */
  run(items: ValidationItem[], userCtx: UserCtx, secObj: unknown): Promise<Array<HttpError | null>>;
}

/** What a sandbox runs. Everything crosses the boundary as JSON text, so neither side holds the
 *  other's objects, and a thrown value is described inside the time limit (a getter may loop too). */
const SANDBOX_LIB = `
var __fns = [];
var __parse = JSON.parse, __stringify = JSON.stringify, __String = String, __Error = Error;
function log() {}
function isArray(a) { return Array.isArray(a); }
function toJSON(o) { return __stringify(o); }
function sum(xs) { var s = 0; for (var i = 0; i < xs.length; i++) s += xs[i]; return s; }
function __plain(e) {
  if (e && typeof e === 'object') {
    if (!(e instanceof __Error) && ('forbidden' in e || 'unauthorized' in e || '__compile' in e)) return e;
    if (e instanceof __Error || ('name' in e && 'message' in e)) return { name: __String(e.name), message: __String(e.message) };
  }
  return e === undefined ? null : e;
}
function __describe(k, e) {
  try { return __stringify({ k: k, t: __plain(e) }); } catch (x) { return __stringify({ k: k, t: __String(e) }); }
}
function __validate(items, u, s) {
  var out = [];
  for (var i = 0; i < items.length; i++) {
    var r = null;
    for (var k = 0; k < __fns.length; k++) {
      try { __fns[k](__parse(items[i][0]), items[i][1] === null ? null : __parse(items[i][1]), __parse(u), __parse(s)); }
      catch (e) { r = __describe(k, e); break; }
    }
    out.push(r);
  }
  return __stringify(out);
}`;
const RUN = new vm.Script('__validate(__items, __u, __s)');

/** A worker runs the same sandbox on its own thread; the main thread ends it when time is up. */
const WORKER_SRC = `
const { parentPort, workerData: w } = require('node:worker_threads');
const vm = require('node:vm');
const context = vm.createContext({});
vm.runInContext(w.lib, context);
w.ddocs.forEach(({ id, source }, k) => {
  try {
    const fn = new vm.Script('(' + source + ')', { filename: id + '/validate_doc_update' }).runInContext(context);
    if (typeof fn !== 'function') throw new Error('not a function');
    context.__fns.push(fn);
  } catch (e) {
    vm.runInContext('__fns.push(function () { throw { __compile: ' + k + ' }; })', context);
  }
});
Object.assign(context, { __items: w.items, __u: w.u, __s: w.s });
parentPort.postMessage(vm.runInContext('__validate(__items, __u, __s)', context));
`;

/** At most two slow validations at once run off-thread (this machine class has two cores); others wait their turn. */
const WORKER_SLOTS = 2;
let workers = 0;
const queue: Array<() => void> = [];

/** The raw verdicts from a worker, or null when it did not finish within `ms`. */
async function inWorker(data: { ddocs: Array<{ id: string; source: string }>; items: unknown[]; u: string; s: string }, ms: number): Promise<string | null> {
  if (workers >= WORKER_SLOTS) await new Promise<void>((r) => queue.push(r));
  else workers++;
  try {
    return await new Promise<string | null>((resolve) => {
      const w = new Worker(WORKER_SRC, { eval: true, workerData: { lib: SANDBOX_LIB, ...data }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
      const timer = setTimeout(() => {
        resolve(null);
        void w.terminate();
      }, ms);
      w.once('message', (raw: string) => {
        clearTimeout(timer);
        resolve(raw);
        void w.terminate();
      });
      w.once('error', () => {
        clearTimeout(timer);
        resolve(null);
      });
      w.once('exit', () => {
        clearTimeout(timer);
        resolve(null);
      });
    });
  } finally {
    const next = queue.shift();
    if (next) next();
    else workers--;
  }
}

/** Turns a thrown validation value into the HTTP error CouchDB sends for it. */
export function validationError(thrown: unknown): HttpError {
  if (thrown instanceof HttpError) return thrown;
  const t = thrown as Record<string, unknown> | null;
  if (t && typeof t === 'object' && !(thrown instanceof Error)) {
    if ('forbidden' in t) return new HttpError(403, 'forbidden', t.forbidden as string);
    if ('unauthorized' in t) return new HttpError(401, 'unauthorized', t.unauthorized as string);
  }
  // CouchDB: a thrown string is 500 unknown_error with the string as reason; an Error is 500 "Error".
  if (thrown instanceof Error || (thrown && typeof thrown === 'object' && 'name' in thrown && 'message' in thrown)) {
    const e = thrown as Error;
    return new HttpError(500, String(e.name || 'Error'), String(e.message));
  }
  return new HttpError(500, 'unknown_error', typeof thrown === 'string' ? thrown : JSON.stringify(thrown) ?? String(thrown));
}

/**
 * Compiles the validate_doc_update of each design document (in the order given). As CouchDB, one that
 * does not compile is kept, and every write it governs then fails with 500 compilation_error.
 */
export function compileValidators(ddocs: Array<{ id: string; source: string }>, timeoutMs = VALIDATE_TIMEOUT_MS, sliceMs = SLICE_MS): ValidatorSet {
  let sandbox: vm.Context | null = null;
  let failures: Array<HttpError | null> = [];
  const build = () => {
    const context = vm.createContext({});
    failures = compileInto(context, ddocs);
    return context;
  };
  sandbox = build();
  /** One chunk on this thread within `ms`; null when cut off (the next call then starts on a fresh sandbox). */
  const runSlice = (chunk: unknown[], data: { u: string; s: string }, ms: number): string | null => {
    const context = sandbox ?? (sandbox = build());
    Object.assign(context, { __items: chunk, __u: data.u, __s: data.s });
    try {
      return RUN.runInContext(context, { timeout: Math.max(1, ms) });
    } catch {
      // Cut off mid-run, the sandbox may hold half-done state.
      sandbox = null;
      return null;
    } finally {
      context.__items = context.__u = context.__s = null;
    }
  };
  return {
    size: ddocs.length,
    async run(items, userCtx, secObj) {
      if (!ddocs.length || !items.length) return items.map(() => null);
      const data = {
        ddocs,
        items: items.map(({ doc, old }) => [JSON.stringify(doc), old ? JSON.stringify(old) : null]),
        u: JSON.stringify(userCtx),
        s: JSON.stringify(secObj ?? {}),
      };
      const started = Date.now();
      const out: Array<HttpError | null> = [];
      // In chunks, each its own sandboxed call within the slice: a bulk of a thousand documents at
      // ~100 µs each came close to the slice in one call and, on a busy machine, ran past it and
      // began again in a worker thread (a central merging a region's history did that for one
      // batch in six). Between chunks other requests get their turn.
      for (let from = 0; from < items.length; from += CHUNK) {
        if (from > 0) await new Promise((r) => setImmediate(r));
        let raw = runSlice(data.items.slice(from, from + CHUNK), data, Math.min(sliceMs, timeoutMs - (Date.now() - started)));
        const rest = raw === null;
        if (rest) {
          // A chunk that outran the slice: it and the rest go to a worker with the time left.
          const left = timeoutMs - (Date.now() - started);
          raw = left > 0 ? await inWorker({ ...data, items: data.items.slice(from) }, left) : null;
        }
        if (raw === null) {
          const id = ddocs.map((d) => d.id).join(', ');
          console.error(`validate_doc_update of ${id} did not finish ${items.length} document(s) within ${timeoutMs} ms; answered os_process_error`);
          const err = new HttpError(500, 'os_process_error', 'OS process timed out.');
          return items.map(() => err);
        }
        out.push(...verdicts(raw, failures));
        if (rest) break;
      }
      return out;
    },
  };
}

/** Loads the sandbox library and each validator into `context`; per design doc, its compilation error if any. */
function compileInto(context: vm.Context, ddocs: Array<{ id: string; source: string }>): Array<HttpError | null> {
  vm.runInContext(SANDBOX_LIB, context);
  return ddocs.map(({ id, source }, k) => {
    try {
      const fn = new vm.Script(`(${source})`, { filename: `${id}/validate_doc_update` }).runInContext(context, { timeout: 1000 });
      if (typeof fn !== 'function') throw new Error('not a function');
      context.__fns.push(fn);
      return null;
    } catch (e) {
      vm.runInContext(`__fns.push(function () { throw { __compile: ${k} }; })`, context);
      return new HttpError(500, 'compilation_error', `validate_doc_update in ${id}: ${(e as Error).message}`);
    }
  });
}

function verdicts(raw: string, failures: Array<HttpError | null>): Array<HttpError | null> {
  return (JSON.parse(raw) as Array<string | null>).map((r) => {
    if (r === null) return null;
    const { k, t } = JSON.parse(r) as { k: number; t: any };
    if (t && typeof t === 'object' && '__compile' in t) return failures[k];
    return validationError(t);
  });
}

/** The sandbox run synchronously with the whole limit on this thread (unit tests only). */
function runHere(set: { ddocs: Array<{ id: string; source: string }> }, items: ValidationItem[], userCtx: UserCtx, secObj: unknown) {
  const context = vm.createContext({});
  const failures = compileInto(context, set.ddocs);
  Object.assign(context, {
    __items: items.map(({ doc, old }) => [JSON.stringify(doc), old ? JSON.stringify(old) : null]),
    __u: JSON.stringify(userCtx),
    __s: JSON.stringify(secObj ?? {}),
  });
  return verdicts(RUN.runInContext(context, { timeout: VALIDATE_TIMEOUT_MS }), failures);
}

export type Validator = (newDoc: any, oldDoc: any, userCtx: UserCtx, secObj: any) => void;

/** One design document's validator as a function that throws what CouchDB would answer (unit tests). */
export function compileValidator(source: string, ddocId: string): Validator {
  const set = { ddocs: [{ id: ddocId, source }] };
  return (newDoc, oldDoc, userCtx, secObj) => {
    const [err] = runHere(set, [{ doc: newDoc, old: oldDoc }], userCtx, secObj);
    if (err) throw err;
  };
}
