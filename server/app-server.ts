// Serves the built PWA and passes /db/<node>/... through to the node the
// topology names, so the browser talks to its node on the app's own origin
// (CouchDB session cookies then just work, on a laptop or a LAN alike).
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { publicTopology, type Topology } from '../src/lib/model/topology.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.txt': 'text/plain',
};

export function nodeTargets(t: Topology): Record<string, string> {
  const out: Record<string, string> = { [t.central.code.toLowerCase()]: t.central.url };
  for (const r of t.regions) out[r.code.toLowerCase()] = r.url;
  return out;
}

function proxy(req: IncomingMessage, res: ServerResponse, target: string, path: string) {
  const u = new URL(target);
  const headers = { ...req.headers, host: u.host };
  delete headers.origin; // same-origin from the browser's point of view; the node need not do CORS
  const up = httpRequest(
    { hostname: u.hostname, port: u.port, path, method: req.method, headers },
    (r) => {
      const h = { ...r.headers };
      // The cookie must belong to the app origin and its /db/<node> path.
      const cookie = h['set-cookie'];
      if (cookie) h['set-cookie'] = cookie.map((c) => c.replace(/Path=\/;?/i, `Path=${req.url!.split('/').slice(0, 3).join('/')};`));
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

export function createAppServer(t: Topology, buildDir: string) {
  const targets = nodeTargets(t);
  const config = JSON.stringify(publicTopology(t));
  return createServer((req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://app');
      const m = /^\/db\/([a-z0-9-]+)(\/.*)?$/.exec(url.pathname);
      if (m) {
        const target = targets[m[1]];
        if (!target) {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ error: 'not_found', reason: `No node called ${m[1]} in the topology` }));
        }
        return proxy(req, res, target, (m[2] ?? '/') + url.search);
      }
      if (url.pathname === '/config.json') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
        return res.end(config);
      }
      let file = normalize(join(buildDir, decodeURIComponent(url.pathname)));
      if (!file.startsWith(buildDir)) {
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
      const immutable = url.pathname.startsWith('/_app/immutable/');
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      createReadStream(file).pipe(res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`error: ${(e as Error).message}`);
    }
  });
}
