// Runs design documents' validate_doc_update functions the way CouchDB does:
// each function gets (newDoc, oldDoc, userCtx, secObj); throwing
// {forbidden: msg} refuses with 403, {unauthorized: msg} with 401.
//
// All validators of a database live in one sandbox, and the documents of
// every write that comes in the same turn of the event loop are checked
// together, in sandboxed calls of up to CHUNK documents, each with a time
// limit: a limit starts and joins a watchdog thread, about 70 µs of CPU and,
// on a busy machine, up to a millisecond of the event loop waiting for it,
// so one per document, or per single-document write (a shopper's checkout,
// an answer to it), was a large part of a small write. A call may hold the
// event loop for at most SLICE_MS; when one runs past it (a looping
// validator, a starved machine), each write of the turn is checked again on
// its own, as before batching: its rest goes to a worker thread, off the
// event loop, until its whole limit (CouchDB's os_process_timeout, 5 s) is
// spent. A validator still running then is stopped and that write answers
// 500 os_process_error, as CouchDB does when its couchjs process times out;
// the node serves everyone else meanwhile.
//
// Databases with the same design documents and the same database admins
// share one sandbox (hundreds of shopper databases: one sandbox, not one
// each, and their writes batch together). Since CouchDB 3.3.2 a query server
// serves one database at a time, so that one database's code cannot keep
// state that another's writes then reveal (CVE-2023-26268). Here only the
// same code shares, and only between databases the same principals
// administer: what one could stash, the same admins could read anyway.
import vm from 'node:vm';
import { HttpError } from './http.ts';
import type { UserCtx } from './auth.ts';
import { RUN, compileInto, inWorker, validationError, verdicts, type Item } from './validate-sandbox.ts';

export { validationError };

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

/** Sets shared by databases with the same design documents and admins (see the top); the oldest go first. */
const shared = new Map<string, ValidatorSet>();
const SHARED_MAX = 256;

/**
 * Compiles the validate_doc_update of each design document (in the order given). As CouchDB, one that
 * does not compile is kept, and every write it governs then fails with 500 compilation_error. With
 * `share` (the databases' admins), databases whose design documents are the same get one set.
 */
export function compileValidators(ddocs: Array<{ id: string; source: string }>, timeoutMs = VALIDATE_TIMEOUT_MS, sliceMs = SLICE_MS, share?: string): ValidatorSet {
  if (share === undefined) return validatorSet(ddocs, timeoutMs, sliceMs);
  const key = JSON.stringify([share, timeoutMs, sliceMs, ddocs]);
  let set = shared.get(key);
  if (!set) {
    set = validatorSet(ddocs, timeoutMs, sliceMs);
    shared.set(key, set);
    if (shared.size > SHARED_MAX) shared.delete(shared.keys().next().value!);
  }
  return set;
}

/** A write waiting for its turn's batch. */
interface Waiting {
  items: Item[];
  started: number;
  done: (verdicts: Array<HttpError | null>) => void;
}

function validatorSet(ddocs: Array<{ id: string; source: string }>, timeoutMs: number, sliceMs: number): ValidatorSet {
  let sandbox: vm.Context | null = null;
  let failures: Array<HttpError | null> = [];
  const build = () => {
    const context = vm.createContext({});
    failures = compileInto(context, ddocs);
    return context;
  };
  sandbox = build();
  /** One chunk on this thread within `ms`; null when cut off (the next call then starts on a fresh sandbox). */
  const runSlice = (chunk: Item[], ms: number): string | null => {
    if (ms <= 0) return null;
    const context = sandbox ?? (sandbox = build());
    context.__items = chunk;
    try {
      return RUN.runInContext(context, { timeout: Math.max(1, Math.floor(ms)) });
    } catch {
      // Cut off mid-run, the sandbox may hold half-done state.
      sandbox = null;
      return null;
    } finally {
      context.__items = null;
    }
  };
  const timedOut = (n: number) => {
    console.error(`validate_doc_update of ${ddocs.map((d) => d.id).join(', ')} did not finish ${n} document(s) within ${timeoutMs} ms; answered os_process_error`);
    const err = new HttpError(500, 'os_process_error', 'OS process timed out.');
    return Array.from({ length: n }, () => err);
  };

  /**
   * `items` in chunks, each its own sandboxed call within the slice and what is left of the limit
   * counted from `started` (between chunks other requests get their turn), until one is cut off:
   * the verdicts so far, in order.
   */
  const inSlices = async (items: Item[], started: number) => {
    const out: Array<HttpError | null> = [];
    for (let from = 0; from < items.length; from += CHUNK) {
      if (from > 0) await new Promise((r) => setImmediate(r));
      const raw = runSlice(items.slice(from, from + CHUNK), Math.min(sliceMs, timeoutMs - (Date.now() - started)));
      if (raw === null) break;
      out.push(...verdicts(raw, failures));
    }
    return out;
  };

  /** One write on its own: what its slices did not finish goes to a worker with the time left. */
  const alone = async (w: Waiting): Promise<Array<HttpError | null>> => {
    const out = await inSlices(w.items, w.started);
    if (out.length === w.items.length) return out;
    const left = timeoutMs - (Date.now() - w.started);
    const raw = left > 0 ? await inWorker({ ddocs, items: w.items.slice(out.length) }, left) : null;
    return raw === null ? timedOut(w.items.length) : [...out, ...verdicts(raw, failures)];
  };

  /** No write may wait for good: one whose check failed unexpectedly gets an error for each document. */
  const fail = (w: Waiting, e: unknown) => w.done(w.items.map(() => new HttpError(500, 'os_process_error', String((e as Error)?.message ?? e))));

  /**
   * Every write of the turn together. When a chunk is cut off, the writes it had not answered are
   * checked again each on its own: a validator that loops costs its own write the limit, not its
   * neighbours.
   */
  let waiting: Waiting[] = [];
  const flush = async (batch: Waiting[]) => {
    const out = await inSlices(batch.flatMap((w) => w.items), Math.min(...batch.map((w) => w.started)));
    let at = 0;
    for (const w of batch) {
      const end = at + w.items.length;
      if (end <= out.length) w.done(out.slice(at, end));
      else alone(w).then(w.done, (e) => fail(w, e));
      at = end;
    }
  };

  return {
    size: ddocs.length,
    run(items, userCtx, secObj) {
      if (!ddocs.length || !items.length) return Promise.resolve(items.map(() => null));
      const u = JSON.stringify(userCtx);
      const sec = JSON.stringify(secObj ?? {});
      const batchItems: Item[] = items.map(({ doc, old }) => [JSON.stringify(doc), old ? JSON.stringify(old) : null, u, sec]);
      return new Promise((done) => {
        // Gathered until the event loop's check phase: the writes read in this turn go together.
        if (!waiting.length) {
          setImmediate(() => {
            const batch = waiting;
            waiting = [];
            flush(batch).catch((e) => batch.forEach((w) => fail(w, e)));
          });
        }
        waiting.push({ items: batchItems, started: Date.now(), done });
      });
    },
  };
}

/** The sandbox run synchronously with the whole limit on this thread (unit tests only). */
function runHere(set: { ddocs: Array<{ id: string; source: string }> }, items: ValidationItem[], userCtx: UserCtx, secObj: unknown) {
  const context = vm.createContext({});
  const failures = compileInto(context, set.ddocs);
  const u = JSON.stringify(userCtx);
  const sec = JSON.stringify(secObj ?? {});
  context.__items = items.map(({ doc, old }): Item => [JSON.stringify(doc), old ? JSON.stringify(old) : null, u, sec]);
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
