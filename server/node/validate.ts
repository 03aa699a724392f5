// Runs design documents' validate_doc_update functions the way CouchDB does:
// each function gets (newDoc, oldDoc, userCtx, secObj); throwing
// {forbidden: msg} refuses with 403, {unauthorized: msg} with 401.
import vm from 'node:vm';
import { HttpError } from './http.ts';
import type { UserCtx } from './auth.ts';

export type Validator = (newDoc: any, oldDoc: any, userCtx: UserCtx, secObj: any) => void;

const sandboxGlobals = () => ({
  log: () => {},
  isArray: Array.isArray,
  toJSON: JSON.stringify,
  sum: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
});

export function compileValidator(source: string, ddocId: string): Validator {
  const context = vm.createContext(sandboxGlobals());
  let fn: unknown;
  try {
    fn = new vm.Script(`(${source})`, { filename: `${ddocId}/validate_doc_update` }).runInContext(context, {
      timeout: 1000,
    });
  } catch (e) {
    throw new HttpError(400, 'compilation_error', `validate_doc_update in ${ddocId}: ${(e as Error).message}`);
  }
  if (typeof fn !== 'function') {
    throw new HttpError(400, 'compilation_error', `validate_doc_update in ${ddocId} is not a function`);
  }
  const call = new vm.Script('__fn(__a, __b, __c, __d)');
  return (newDoc, oldDoc, userCtx, secObj) => {
    // Plain copies, so a function cannot reach back into our objects.
    Object.assign(context, {
      __fn: fn,
      __a: JSON.parse(JSON.stringify(newDoc)),
      __b: oldDoc ? JSON.parse(JSON.stringify(oldDoc)) : null,
      __c: JSON.parse(JSON.stringify(userCtx)),
      __d: JSON.parse(JSON.stringify(secObj ?? {})),
    });
    // No per-call timeout: Node's timeout starts a watchdog thread on every call, which made each
    // validation ~5x dearer. Validators come only from server admins' design documents (`init`
    // writes ours), the same trust CouchDB gives them; compiling still has a time limit.
    call.runInContext(context);
  };
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
