// The sandbox validate_doc_update functions run in: a V8 context with
// CouchDB's helpers (log, isArray, toJSON, sum), the validators compiled into
// it, documents passed in and verdicts out as JSON text; and the same sandbox
// on a worker thread, for a check that runs past its slice of the event loop.
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { HttpError } from './http.ts';

/** One document as the sandbox takes it: the new document, the old one, userCtx and secObj, each as JSON. */
export type Item = [doc: string, old: string | null, user: string, sec: string];

/** What a sandbox runs. Everything crosses the boundary as JSON text, so neither side holds the
 *  other's objects, and a thrown value is described inside the time limit (a getter may loop too). */
export const SANDBOX_LIB = `
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
function __validate(items) {
  var out = [];
  for (var i = 0; i < items.length; i++) {
    var r = null;
    for (var k = 0; k < __fns.length; k++) {
      try { __fns[k](__parse(items[i][0]), items[i][1] === null ? null : __parse(items[i][1]), __parse(items[i][2]), __parse(items[i][3])); }
      catch (e) { r = __describe(k, e); break; }
    }
    out.push(r);
  }
  return __stringify(out);
}`;
export const RUN = new vm.Script('__validate(__items)');

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
context.__items = w.items;
parentPort.postMessage(vm.runInContext('__validate(__items)', context));
`;

/** At most two slow validations at once run off-thread (this machine class has two cores); others wait their turn. */
const WORKER_SLOTS = 2;
let workers = 0;
const queue: Array<() => void> = [];

/** The raw verdicts from a worker, or null when it did not finish within `ms`. */
export async function inWorker(data: { ddocs: Array<{ id: string; source: string }>; items: Item[] }, ms: number): Promise<string | null> {
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

/** Loads the sandbox library and each validator into `context`; per design doc, its compilation error if any. */
export function compileInto(context: vm.Context, ddocs: Array<{ id: string; source: string }>): Array<HttpError | null> {
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

export function verdicts(raw: string, failures: Array<HttpError | null>): Array<HttpError | null> {
  return (JSON.parse(raw) as Array<string | null>).map((r) => {
    if (r === null) return null;
    const { k, t } = JSON.parse(r) as { k: number; t: any };
    if (t && typeof t === 'object' && '__compile' in t) return failures[k];
    return validationError(t);
  });
}

