// A `_replicator` document as CouchDB 3 reads it: its endpoints, what it must hold to be stored,
// and its own settings.

export type Endpoint = string | { url: string; headers?: Record<string, string>; auth?: { basic?: { username: string; password: string } } };

/** An endpoint's URL as the scheduler shows it: no credentials, a trailing slash (as CouchDB). */
export function endpointUrl(e: Endpoint | undefined) {
  const raw = typeof e === 'string' ? e : e?.url;
  try {
    const u = new URL(String(raw));
    u.username = '';
    u.password = '';
    const s = u.toString();
    return s.endsWith('/') ? s : `${s}/`;
  } catch {
    return String(raw);
  }
}

/**
 * The checks CouchDB's `_replicator` makes before it stores a document: remote source and target
 * (a URL, or an object with one), and well-typed filters. A refusal is 403 forbidden, as there.
 */
export function replicationDocProblem(doc: any): string | null {
  for (const side of ['source', 'target'] as const) {
    const e = doc[side];
    const url = typeof e === 'string' ? e : e && typeof e === 'object' ? e.url : undefined;
    if (url === undefined) return `Missing replication ${side}`;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return 'local_endpoints_not_supported';
    try {
      new URL(url);
    } catch {
      return `Invalid ${side} URL`;
    }
  }
  if (doc.selector !== undefined && (!doc.selector || typeof doc.selector !== 'object' || Array.isArray(doc.selector))) {
    return '`selector` must be a JSON object';
  }
  if (doc.doc_ids !== undefined && (!Array.isArray(doc.doc_ids) || doc.doc_ids.some((x: unknown) => typeof x !== 'string'))) {
    return '`doc_ids` must be an array of strings';
  }
  if (doc.continuous !== undefined && typeof doc.continuous !== 'boolean') return '`continuous` must be a boolean';
  if (doc.connection_timeout !== undefined && connectionTimeoutOf(doc) === null) return '`connection_timeout` must be a positive integer (milliseconds)';
  return null;
}

/** A replication document's own `connection_timeout` (ms; CouchDB takes a number or a numeric string), else null. */
export function connectionTimeoutOf(doc: any): number | null {
  const v = typeof doc?.connection_timeout === 'string' && /^\d+$/.test(doc.connection_timeout) ? Number(doc.connection_timeout) : doc?.connection_timeout;
  return Number.isSafeInteger(v) && v > 0 ? v : null;
}
