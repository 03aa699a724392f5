// CouchDB's built-in reduce functions (_sum, _count, _stats) as the view
// index stores them: a row's own value first (`single`), then partial
// results combined up the tree (`combine`). A row the function cannot take
// makes a `Bad` marker that travels up with the partial results, so only a
// reduce query whose range holds that row fails, as in CouchDB.
import { HttpError } from './http.ts';

export type Builtin = '_sum' | '_count' | '_stats';
export interface Stats {
  sum: number;
  count: number;
  min: number;
  max: number;
  sumsqr: number;
}
/** A partial result that holds a value the built-in cannot take (the sort key of the first such row). */
export interface Bad {
  $bad: string;
}

export const isBad = (v: unknown): v is Bad => !!v && typeof v === 'object' && typeof (v as Bad).$bad === 'string';

export function builtinOf(reduce: string | null): Builtin | null {
  return reduce === '_sum' || reduce === '_count' || reduce === '_stats' ? reduce : null;
}

/** One row's contribution; a Bad marker when the function cannot take its value. */
export function single(fn: Builtin, id: string, value: unknown): unknown {
  if (fn === '_count') return 1;
  if (fn === '_sum') {
    if (typeof value === 'number' || (Array.isArray(value) && value.every((x) => typeof x === 'number'))) return value;
    return { $bad: id };
  }
  if (typeof value !== 'number') return { $bad: id };
  return { sum: value, count: 1, min: value, max: value, sumsqr: value * value };
}

export function combine(fn: Builtin, a: unknown, b: unknown): unknown {
  if (isBad(a)) return a;
  if (isBad(b)) return b;
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

/** The error a reduce query answers with when its range holds a Bad marker (CouchDB's words). */
export function badError(fn: Builtin, docId: string) {
  return new HttpError(400, 'builtin_reduce_error', `The ${fn} function requires that map values be numbers${fn === '_sum' ? ' or arrays of numbers' : ''} (document ${docId})`);
}
