// Mango `$regex` patterns reach JavaScript's RegExp inside PouchDB's selector
// matching. The node process runs with V8's linear-time engine as a fallback
// on excessive backtracking (see cluster.ts NODE_FLAGS), which bounds every
// pattern it can run; patterns it cannot (backreferences, lookaround) are
// refused here with 400, so no selector can hold the event loop.
// (Apache CouchDB runs $regex with Erlang's `re` under a match limit instead.)
import { invalidOperator, invalidSelector } from './errors.ts';

function linearSafe(pattern: string): string | null {
  try {
    new RegExp(pattern, 'l' as string);
    return null;
  } catch (e) {
    try {
      new RegExp(pattern);
    } catch {
      return `invalid regular expression: ${pattern}`;
    }
    return `this node runs $regex in linear time and cannot run backreferences or lookaround: ${pattern}`;
  }
}

/**
 * Parts (operators, fields, values) one selector may have. PouchDB matches every document against the
 * whole selector on the event loop: a `$in` of a million values over every document of a database
 * would hold the node for minutes. (CouchDB runs each request in its own process.)
 */
export const MAX_SELECTOR_PARTS = 10_000;

/** Throws 400 for a selector too large or too deep, or any `$regex` that is not a string or cannot run in linear time. */
export function checkSelector(selector: unknown): void {
  const parts = { n: 0 };
  walk(selector, 0, parts);
}

function walk(selector: unknown, depth: number, parts: { n: number }): void {
  if (depth > 64) throw invalidSelector('The selector is nested too deeply.');
  if (++parts.n > MAX_SELECTOR_PARTS) throw invalidSelector(`The selector has more than ${MAX_SELECTOR_PARTS} parts.`);
  if (Array.isArray(selector)) {
    for (const s of selector) walk(s, depth + 1, parts);
    return;
  }
  if (!selector || typeof selector !== 'object') return;
  for (const [k, v] of Object.entries(selector as Record<string, unknown>)) {
    if (k === '$regex') {
      if (typeof v !== 'string') throw invalidOperator('$regex needs a string.');
      const problem = linearSafe(v);
      if (problem) throw invalidOperator(problem);
    } else walk(v, depth + 1, parts);
  }
}
