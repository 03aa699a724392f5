// The embedded node's HTTP entry: CORS, who is calling (auth.ts), whether they may
// (authorize.ts), then the route table (api/*, one module per resource). One error boundary
// answers every request exactly once, in CouchDB's shape, whatever a handler throws or forgets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { userCtxOf, type AuthSource } from './auth.ts';
import { authorizeRequest } from './authorize.ts';
import { badRequest, dbNotFound, internalError } from './errors.ts';
import { readBody, send, sendError } from './http.ts';
import type { Replicator } from './replicator.ts';
import type { Store } from './store.ts';
import { ViewEngine } from './views.ts';
import { resolve, splitReserved } from './routes.ts';
import type { Call, NodeOptions, Reply, Route } from './api/call.ts';
import { serverRoutes, unknownSystemRoute } from './api/server.ts';
import { replicationRoutes } from './api/replication.ts';
import { sessionRoutes } from './api/session.ts';
import { databaseRoutes } from './api/database.ts';
import { changesRoutes } from './api/changes.ts';
import { viewRoutes } from './api/views.ts';
import { bulkRoutes } from './api/bulk.ts';
import { documentRoutes, unknownDbRoute } from './api/documents.ts';
import { attachmentRoutes } from './api/attachments.ts';

export type { NodeOptions };

/** First match wins: fixed paths before the `:docid` and catch-all routes that would take them. */
const ROUTES: Route[] = [
  ...serverRoutes,
  ...sessionRoutes,
  ...replicationRoutes,
  unknownSystemRoute,
  ...databaseRoutes,
  ...changesRoutes,
  ...bulkRoutes,
  ...viewRoutes,
  ...documentRoutes,
  ...attachmentRoutes,
  unknownDbRoute,
];

/** Why a request's `closed` signal fired: its response closed (answered, or the client went away). */
const CLIENT_GONE = new Error('the response is closed');

export function createHandler(store: Store, auth: AuthSource, replicator: Replicator, opts: NodeOptions, views = new ViewEngine()) {
  const node = { store, auth, replicator, views, opts };
  return async function handle(req: IncomingMessage, res: ServerResponse) {
    res.on('error', () => {});
    req.on('error', () => {});
    // req's own 'close' fires once its body is read; only res's says the client went away. The signal is
    // made only for the routes that ask (the feeds): an AbortController made and aborted for every request
    // cost about 6% of a small request's time (an abort without a reason builds a DOMException and its stack).
    let gone: AbortController | undefined;
    let ended = false;
    res.on('close', () => {
      ended = true;
      gone?.abort(CLIENT_GONE);
    });
    const closed = () => {
      if (!gone) {
        gone = new AbortController();
        if (ended) gone.abort(CLIENT_GONE);
      }
      return gone.signal;
    };
    let bodyRead = false;
    try {
      if (cors(req, res, opts)) return;
      const url = new URL(req.url ?? '/', 'http://node');
      const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
      const method = req.method ?? 'GET';
      // Who asks, and whether they may, from the headers alone: nobody the node would refuse makes it
      // hold a body in memory (up to maxBodyBytes each).
      const ctx = await userCtxOf(auth, req);
      await authorizeRequest(store, segments, method, ctx);
      // The whole (bounded) body is read before anything answers, so every
      // connection ends each request in a clean state and can be reused.
      const raw = await readBody(req, opts.maxBodyBytes);
      bodyRead = true;
      const seg = splitReserved(segments);
      const match = resolve(ROUTES, seg, method);
      if (!match) throw dbNotFound(); // the table ends in catch-alls; this is a safety net
      const c: Call = {
        ...node, req, res, method, q: url.searchParams, seg, params: match.params, rest: match.rest, ctx, raw,
        get closed() {
          return closed();
        },
        db: undefined as unknown as Call['db'],
      };
      if (match.params.db !== undefined && match.route.openDb !== false) {
        c.db = await store.get(match.params.db);
        // Every route under a database is for its members (as CouchDB 3: _users for server admins only).
        store.requireMember(ctx, c.db, match.params.db);
      }
      answer(res, await match.handler(c));
    } catch (e) {
      // Refused before its body was read: the connection closes after the answer instead of reading it.
      if (!bodyRead && hasBody(req) && !res.headersSent) res.setHeader('Connection', 'close');
      if (res.headersSent) {
        // A feed already answered 200; all that is left is to end it.
        if (!res.writableEnded) res.end();
        console.error('[node] error after the answer began', e);
      } else sendError(res, e);
    }
  };
}

/** Sends a handler's reply; a handler that neither replied nor streamed gets a 500, never silence. */
function answer(res: ServerResponse, reply: Reply | void) {
  if (reply) {
    if (reply.raw === undefined) return send(res, reply.status, reply.body, reply.headers);
    if (res.headersSent) return void res.end();
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': reply.raw.length });
    return void res.end(res.req?.method === 'HEAD' ? undefined : reply.raw);
  }
  if (!res.headersSent) return sendError(res, internalError('The handler gave no answer'));
  if (!res.writableEnded) res.end();
}

function hasBody(req: IncomingMessage) {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

function safeDecode(s: string) {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest('Malformed percent-encoding in the URL');
  }
}

function cors(req: IncomingMessage, res: ServerResponse, opts: NodeOptions): boolean {
  const origin = req.headers.origin;
  if (origin && (opts.corsOrigins.includes('*') || opts.corsOrigins.includes(origin))) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, PUT, POST, HEAD, DELETE',
        'Access-Control-Allow-Headers': 'accept, authorization, content-type, origin, referer, if-match',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return true;
    }
  }
  return false;
}
