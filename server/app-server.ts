// Serves the built PWA and passes /db/<node>/... through to the node the
// topology names, so the browser talks to its node on the app's own origin
// (CouchDB session cookies then just work, on a laptop or a LAN alike).
import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { publicTopology, type Topology } from '../src/lib/model/topology.ts';
import type { Credentials } from './couch-client.ts';
import { rateLimiter, type RateLimit } from './rate-limit.ts';
import { signUpShopper } from './region/signup.ts';
import { deleteShopper, mayDelete } from './region/accounts.ts';
import { StaticFiles } from './static-files.ts';

export interface AppServerOptions {
  /** Per region code: the region node's server admin; only the sign-up and account-deletion routes use it, server-side. Without it they answer 503 for that region. */
  admins?: Record<string, Credentials>;
  /** Sign-up attempts per client address (default: 20 per 10 minutes). */
  signupLimit?: RateLimit;
  /** Per region code: the reader account the public catalog and stock are read with (see `publicRead`). */
  readers?: Record<string, Credentials>;
}

/** The app server's readers, from the secrets file. */
export const regionAdminsOf = (secrets: { regions: Record<string, { admin: Credentials }> }) =>
  Object.fromEntries(Object.entries(secrets.regions).map(([code, s]) => [code, s.admin]));

export const readersOf = (secrets: { regions: Record<string, { reader: Credentials }> }) =>
  Object.fromEntries(Object.entries(secrets.regions).map(([code, s]) => [code, s.reader]));

const PUBLIC_DBS = new Set(['catalog', 'inventory']);
const READ_POSTS = new Set(['_all_docs', '_bulk_get', '_changes', '_find', '_explain', '_revs_diff']);

/**
 * A read of a region's public catalog or stock. The node opens no database to anonymous (CouchDB would
 * let any reader write `_local` documents, where the lanes keep their checkpoints), so the app server
 * makes such reads with the region's reader account, whoever asks; every other request goes through as
 * the browser sent it, and the node decides.
 */
export function publicRead(method: string, path: string) {
  const seg = path.split('?')[0].split('/').filter(Boolean);
  if (!PUBLIC_DBS.has(seg[0])) return false;
  if (method === 'GET' || method === 'HEAD') return true;
  if (method !== 'POST') return false;
  if (seg.length === 2) return READ_POSTS.has(seg[1]);
  return seg.length === 5 && seg[1] === '_design' && (seg[3] === '_view' || seg[3] === '_all_docs');
}

export function nodeTargets(t: Topology): Record<string, string> {
  const out: Record<string, string> = { [t.central.code.toLowerCase()]: t.central.url };
  for (const r of t.regions) out[r.code.toLowerCase()] = r.url;
  return out;
}

function wantsGzip(req: IncomingMessage, r: IncomingMessage) {
  return req.method !== 'HEAD' && r.statusCode !== 204 && r.statusCode !== 304 && !r.headers['content-encoding']
    && /^application\/json/.test(String(r.headers['content-type'] ?? '')) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
}

function proxy(req: IncomingMessage, res: ServerResponse, target: string, path: string, as?: Credentials) {
  const u = new URL(target);
  const headers = { ...req.headers, host: u.host };
  delete headers.origin; // same-origin from the browser's point of view; the node need not do CORS
  if (as) {
    delete headers.cookie;
    headers.authorization = 'Basic ' + Buffer.from(`${as.name}:${as.password}`).toString('base64');
  }
  const up = httpRequest(
    { hostname: u.hostname, port: u.port, path, method: req.method, headers },
    (r) => {
      const h = { ...r.headers };
      // The cookie must belong to the app origin and its /db/<node> path.
      const cookie = h['set-cookie'];
      if (cookie) h['set-cookie'] = cookie.map((c) => c.replace(/Path=\/;?/i, `Path=${req.url!.split('/').slice(0, 3).join('/')};`));
      // JSON compresses about tenfold: a first visit pulls megabytes of it over a phone's link. Each
      // chunk is flushed as it comes, so long-polls and continuous feeds still arrive as they happen.
      if (wantsGzip(req, r)) {
        delete h['content-length'];
        h['content-encoding'] = 'gzip';
        h.vary = 'Accept-Encoding';
        res.writeHead(r.statusCode ?? 502, h);
        r.pipe(createGzip({ flush: zlibConstants.Z_SYNC_FLUSH })).pipe(res);
        return;
      }
      res.writeHead(r.statusCode ?? 502, h);
      r.pipe(res);
    },
  );
  up.on('error', (e) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'node_unreachable', reason: `The node at ${target} did not answer: ${e.message}` }));
    } else res.destroy();
  });
  // The browser went away (e.g. a long-poll was abandoned): stop the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
};

function readJson(req: IncomingMessage, limit = 8192): Promise<unknown> {
  return new Promise((resolve) => {
    let text = '';
    let tooBig = false; // a sign-up is small: the rest is drained unread and answered as a bad request
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      if (!tooBig) text += c;
      if (text.length > limit) tooBig = true;
    });
    req.on('end', () => {
      try {
        resolve(tooBig ? undefined : JSON.parse(text));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

/**
 * `POST /db/<region>/_signup`: a shopper's account at that region's node. The
 * route lives here because the app server already reaches every node (the
 * topology URLs it passes /db through to) and already holds the server admin
 * that `npm start` runs init with; the browser never sees it.
 */
function signupRoute(t: Topology, opts: AppServerOptions) {
  const limiter = rateLimiter(opts.signupLimit ?? { max: 20, windowMs: 10 * 60_000 });
  return async (req: IncomingMessage, res: ServerResponse, code: string) => {
    const region = t.regions.find((r) => r.code.toLowerCase() === code);
    if (!region) return json(res, 404, { error: 'not_found', reason: `Shoppers sign up at a region node; ${code} is not one` });
    if (req.method !== 'POST') return json(res, 405, { error: 'method_not_allowed', reason: 'Only POST is allowed' }, { Allow: 'POST' });
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (wait !== null) {
      return json(res, 429, { error: 'rate_limited', reason: `Too many sign-ups from this address; try again in ${wait} s`, retry_after: wait }, { 'Retry-After': String(wait) });
    }
    const admin = opts.admins?.[region.code];
    if (!admin) return json(res, 503, { error: 'unavailable', reason: 'This app server has no server admin for this region\'s node, so it cannot create accounts' });
    const r = await signUpShopper(region.url, admin, region.code, await readJson(req));
    if (r.ok) return json(res, 201, { ok: true, name: r.name, db: r.db });
    return json(res, r.status, { error: r.error, reason: r.reason });
  };
}

/**
 * `DELETE /db/<region>/_accounts/<name>`: a shopper deletes their own account, or the region's admin
 * deletes one of the region's shoppers (server/region/accounts.ts). The caller's own cookie or Basic
 * auth says who asks (the node's `_session` answers); the deletion itself runs with the server admin.
 */
function accountsRoute(t: Topology, opts: AppServerOptions) {
  return async (req: IncomingMessage, res: ServerResponse, code: string, name: string) => {
    const region = t.regions.find((r) => r.code.toLowerCase() === code);
    if (!region) return json(res, 404, { error: 'not_found', reason: `Shopper accounts live at a region node; ${code} is not one` });
    if (req.method !== 'DELETE') return json(res, 405, { error: 'method_not_allowed', reason: 'Only DELETE is allowed' }, { Allow: 'DELETE' });
    const admin = opts.admins?.[region.code];
    if (!admin) return json(res, 503, { error: 'unavailable', reason: 'This app server has no server admin for this region\'s node, so it cannot delete accounts' });
    const who = await mayDelete(region.url, { cookie: req.headers.cookie, authorization: req.headers.authorization }, region.code, name);
    if (!who.ok) return json(res, who.status, { error: who.status === 401 ? 'unauthorized' : 'forbidden', reason: who.reason });
    const r = await deleteShopper(region.url, admin, name);
    if (r.ok) return json(res, 200, { ok: true, name: r.name, removed: r.removed });
    return json(res, r.status, { error: r.error, reason: r.reason });
  };
}

export function createAppServer(t: Topology, buildDir: string, opts: AppServerOptions = {}) {
  return createServer(appHandler(t, buildDir, opts));
}

/** The app server's request handler: static build, `/config.json`, sign-up, and the node proxy under `/db/`. */
export function appHandler(t: Topology, buildDir: string, opts: AppServerOptions = {}): RequestListener {
  const targets = nodeTargets(t);
  const config = JSON.stringify(publicTopology(t));
  const signup = signupRoute(t, opts);
  const accounts = accountsRoute(t, opts);
  const root = resolve(buildDir);
  const files = new StaticFiles();
  return (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://app');
      const m = /^\/db\/([a-z0-9-]+)(\/.*)?$/.exec(url.pathname);
      if (m && m[2] === '/_signup') {
        signup(req, res, m[1]).catch((e) => json(res, 500, { error: 'error', reason: (e as Error).message }));
        return;
      }
      const account = m && /^\/_accounts\/([^/]+)$/.exec(m[2] ?? '');
      if (m && account) {
        accounts(req, res, m[1], decodeURIComponent(account[1])).catch((e) => json(res, 500, { error: 'error', reason: (e as Error).message }));
        return;
      }
      if (m) {
        const target = targets[m[1]];
        if (!target) {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ error: 'not_found', reason: `No node called ${m[1]} in the topology` }));
        }
        const path = (m[2] ?? '/') + url.search;
        const region = t.regions.find((r) => r.code.toLowerCase() === m[1]);
        const reader = region && publicRead(req.method ?? 'GET', path) ? opts.readers?.[region.code] : undefined;
        return proxy(req, res, target, path, reader);
      }
      if (url.pathname === '/config.json') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
        return res.end(config);
      }
      let file = normalize(join(root, decodeURIComponent(url.pathname)));
      // Inside the build directory only: a sibling such as build-old/ shares the prefix but not the separator.
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(400);
        return res.end('bad path');
      }
      if (!existsSync(file) || statSync(file).isDirectory()) {
        const html = file + '.html';
        file = existsSync(html) ? html : join(buildDir, 'index.html'); // SPA fallback: the client router decides
      }
      if (!existsSync(file)) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        return res.end('The app is not built yet: run `npm run build`.');
      }
      files.send(req, res, file, url.pathname.startsWith('/_app/immutable/'));
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`error: ${(e as Error).message}`);
    }
  };
}
