// What every route handler gets (one request, already authenticated and authorised) and what
// it gives back. A handler returns its answer; the boundary in couch.ts sends it, so no
// handler can answer twice. Only streaming feeds write to `res` themselves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthSource, UserCtx } from '../auth.ts';
import type { Store } from '../store.ts';
import type { Replicator } from '../replicator.ts';
import type { ViewEngine } from '../views.ts';
import { parseJson } from '../http.ts';
import type { WriteLimits } from '../limits.ts';

export interface NodeOptions {
  name: string;
  maxBodyBytes: number;
  corsOrigins: string[];
  /** max_document_size and max_attachment_size, as CouchDB's [couchdb] section says them. */
  limits: WriteLimits;
}

/** The node's parts, shared by every request. */
export interface Node {
  store: Store;
  auth: AuthSource;
  replicator: Replicator;
  views: ViewEngine;
  opts: NodeOptions;
}

export type OpenDb = Awaited<ReturnType<Store['get']>>;

export interface Call extends Node {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  q: URLSearchParams;
  /** The path's decoded segments, `_design%2Fx` already split. */
  seg: string[];
  /** Named segments of the matched route; `rest` holds what a trailing `**` or `*` took. */
  params: Record<string, string>;
  rest: string[];
  ctx: UserCtx;
  /** The whole request body, read (bounded) before routing. */
  raw: Buffer;
  /** Aborts when the client goes away or the answer is complete: feeds stop on it. */
  closed: AbortSignal;
  /** The database a `:db` route names, opened before its handler runs. */
  db: OpenDb;
}

/** A JSON (or, with `raw`, binary) answer. */
export interface Reply {
  status: number;
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** `void` means the handler streamed its own answer. */
export type Handler = (c: Call) => Promise<Reply | void> | Reply | void;

export interface Route {
  /** Segments: `literal`, `:param` (one segment), `*` (one or more, last), `**` (zero or more, last). */
  path: string;
  /** Handlers by method; `ANY` takes whatever method the others do not. */
  methods: Partial<Record<string, Handler>>;
  /** `false` when the handler opens (or creates) the `:db` itself. */
  openDb?: boolean;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });

/** The body as JSON (`undefined` when empty); 400 if it is not JSON. */
export const bodyOf = (c: Call) => parseJson(c.raw);
