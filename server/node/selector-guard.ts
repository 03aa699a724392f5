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

/** Throws 400 for any `$regex` in the selector that is not a string or cannot run in linear time. */
export function checkSelector(selector: unknown, depth = 0): void {
  if (depth > 64) throw invalidSelector('The selector is nested too deeply.');
  if (Array.isArray(selector)) {
    for (const s of selector) checkSelector(s, depth + 1);
    return;
  }
  if (!selector || typeof selector !== 'object') return;
  for (const [k, v] of Object.entries(selector as Record<string, unknown>)) {
    if (k === '$regex') {
      if (typeof v !== 'string') throw invalidOperator('$regex needs a string.');
      const problem = linearSafe(v);
      if (problem) throw invalidOperator(problem);
    } else checkSelector(v, depth + 1);
  }
}
