// Runs design documents' validate_doc_update functions the way CouchDB does:
// each function gets (newDoc, oldDoc, userCtx, secObj); throwing
// {forbidden: msg} refuses with 403, {unauthorized: msg} with 401.
//
// All validators of a database live in one sandbox, and every document of one
// write (a PUT, or a whole _bulk_docs) is checked in a single sandboxed call
// with a single time limit: a per-call limit starts a watchdog thread, so one
// per document would cost ~250 µs each. A validator that loops is cut off at
// the limit and the write answers 500 os_process_error, as CouchDB does when
// its couchjs process times out; the node goes on serving everyone else.
import vm from 'node:vm';
import { HttpError } from './http.ts';
import type { UserCtx } from './auth.ts';

/** CouchDB's `[couchdb] os_process_timeout` default. */
export const VALIDATE_TIMEOUT_MS = 5000;

export interface ValidationItem {
  doc: unknown;
  old: unknown;
}

export interface ValidatorSet {
  readonly size: number;
  /** Per item, null when every validator accepts it, else the error CouchDB answers with. */
  run(items: ValidationItem[], userCtx: UserCtx, secObj: unknown): Array<HttpError | null>;
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
export function compileValidators(ddocs: Array<{ id: string; source: string }>, timeoutMs = VALIDATE_TIMEOUT_MS): ValidatorSet {
  let sandbox: vm.Context | null = null;
  let failures: Array<HttpError | null> = [];
  const build = () => {
    const context = vm.createContext({});
    vm.runInContext(SANDBOX_LIB, context);
    failures = ddocs.map(({ id, source }, k) => {
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
    return context;
  };
  sandbox = build();
  return {
    size: ddocs.length,
    run(items, userCtx, secObj) {
      if (!ddocs.length || !items.length) return items.map(() => null);
      const context = sandbox ?? (sandbox = build());
      context.__items = items.map(({ doc, old }) => [JSON.stringify(doc), old ? JSON.stringify(old) : null]);
      context.__u = JSON.stringify(userCtx);
      context.__s = JSON.stringify(secObj ?? {});
      let raw: string;
      try {
        raw = RUN.runInContext(context, { timeout: timeoutMs });
      } catch (e) {
        // Cut off mid-run, the sandbox may hold half-done state: start the next write on a fresh one.
        sandbox = null;
        const id = ddocs.map((d) => d.id).join(', ');
        console.error(`validate_doc_update of ${id} did not finish ${items.length} document(s) within ${timeoutMs} ms: ${(e as Error).message}`);
        const err = new HttpError(500, 'os_process_error', 'OS process timed out.');
        return items.map(() => err);
      } finally {
        context.__items = context.__u = context.__s = null;
      }
      return (JSON.parse(raw) as Array<string | null>).map((r) => {
        if (r === null) return null;
        const { k, t } = JSON.parse(r) as { k: number; t: any };
        if (t && typeof t === 'object' && '__compile' in t) return failures[k];
        return validationError(t);
      });
    },
  };
}

export type Validator = (newDoc: any, oldDoc: any, userCtx: UserCtx, secObj: any) => void;

/** One design document's validator as a function that throws what CouchDB would answer (unit tests). */
export function compileValidator(source: string, ddocId: string): Validator {
  const set = compileValidators([{ id: ddocId, source }]);
  return (newDoc, oldDoc, userCtx, secObj) => {
    const [err] = set.run([{ doc: newDoc, old: oldDoc }], userCtx, secObj);
    if (err) throw err;
  };
}
