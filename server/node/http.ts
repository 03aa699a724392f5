// HTTP plumbing for the embedded node: bounded body reading, JSON replies and
// query parameters. Nothing here may throw past a request.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { HttpError, badRequest, toHttpError, tooLarge } from './errors.ts';

// The catalogue lives in errors.ts; these names stay importable from here for the modules that use them.
export { HttpError, badRequest, forbidden, notFound, unauthorized } from './errors.ts';

/** Reads the whole body, refusing anything over `limit` bytes with 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(tooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size > limit) return; // already refused; let the rest drain
      size += c.length;
      if (size > limit) {
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks as unknown as Uint8Array[])));
    req.on('error', reject);
  });
}

export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    throw badRequest('invalid UTF-8 JSON');
  }
  return notTooDeep(value);
}

/**
 * How deeply JSON we take may nest. PouchDB (and the validators' sandbox) copy documents
 * recursively: a document thousands of levels deep overflows the stack inside PouchDB, outside
 * any request, and wedges its database. Apache CouchDB stores such a document; this node refuses it.
 */
export const MAX_JSON_DEPTH = 500;

function notTooDeep<T>(value: T): T {
  const deeper = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== 'object') return false;
    if (depth >= MAX_JSON_DEPTH) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (deeper(x, depth + 1)) return true;
    return false;
  };
  if (deeper(value, 0)) throw badRequest(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}

/** A JSON object body, or 400. */
export function asObject(body: unknown, what = 'Request body'): Record<string, any> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return body as Record<string, any>;
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body) + '\n';
  // A request body we did not read leaves the connection in an unknown state: tell the client not to reuse it.
  if (res.req && !res.req.complete) headers = { ...headers, Connection: 'close' };
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'must-revalidate',
    ...headers,
  });
  res.end(text);
}

/** Answers with `err` in CouchDB's shape; a 500 is ours to fix, so it is logged. */
export function sendError(res: ServerResponse, err: unknown) {
  const e = toHttpError(err);
  if (e.status >= 500 && !(err instanceof HttpError)) console.error('[node] internal error', err);
  send(res, e.status, { error: e.error, reason: e.reason }, e.headers);
}

/** Query-string value that CouchDB defines as JSON (key, startkey, keys...). */
export function jsonParam(value: string | null, name: string): unknown {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw badRequest(`Query parameter \`${name}\` must be valid JSON`);
  }
  return notTooDeep(parsed);
}

export function boolParam(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  return value === 'true';
}

export function intParam(value: string | null, name: string): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`Query parameter \`${name}\` must be a non-negative integer`);
  return n;
}
