// The node's route table: paths matched segment by segment, in order, first match wins.
// Which segments a parameter may take is said once, here, by its name.
import type { Call, Handler, Route } from './api/call.ts';
import { methodNotAllowed } from './errors.ts';

const SYSTEM_DBS = new Set(['_users', '_replicator', '_global_changes']);

/** `:db` is a database name (`_` names only for the system databases), `:docid` a plain document id, `:special` a `_` path. */
const PARAM_OK: Record<string, (s: string) => boolean> = {
  db: (s) => !s.startsWith('_') || SYSTEM_DBS.has(s),
  docid: (s) => !s.startsWith('_'),
  special: (s) => s.startsWith('_'),
  system: (s) => s.startsWith('_') && !SYSTEM_DBS.has(s),
};

export interface Match {
  route: Route;
  handler: Handler;
  params: Record<string, string>;
  rest: string[];
}

function matchPath(pattern: string[], seg: string[]): { params: Record<string, string>; rest: string[] } | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === '**') return { params, rest: seg.slice(i) };
    if (p === '*') return seg.length > i ? { params, rest: seg.slice(i) } : null;
    const s = seg[i];
    if (s === undefined) return null;
    if (p.startsWith(':')) {
      const name = p.slice(1);
      if (PARAM_OK[name] && !PARAM_OK[name](s)) return null;
      params[name] = s;
    } else if (p !== s) return null;
  }
  return seg.length === pattern.length ? { params, rest: [] } : null;
}

/** The route and handler for a request, 405 (naming what the path takes) for a method it does not, null for no path. */
export function resolve(table: Route[], seg: string[], method: string): Match | null {
  for (const route of table) {
    const m = matchPath(route.path.split('/').filter(Boolean), seg);
    if (!m) continue;
    const handler = route.methods[method] ?? route.methods.ANY;
    if (handler) return { route, handler, ...m };
    return { route, handler: refuse(Object.keys(route.methods).join(',')), ...m };
  }
  return null;
}

function refuse(allowed: string): Handler {
  return () => {
    throw methodNotAllowed(allowed);
  };
}

/** `_design%2Fname` arrives as one segment; CouchDB treats it as `_design/name` (and `_local` alike). */
export function splitReserved(seg: string[]): string[] {
  if (seg.length < 2 || !/^_(design|local)\//.test(seg[1])) return seg;
  return [seg[0], ...seg[1].split('/'), ...seg.slice(2)].filter(Boolean);
}

export type { Call };
