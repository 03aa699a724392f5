// An HTTP pass-through that counts what a client asks of a node, so a test
// can say how many requests an idle service makes (loopback only).
import { createServer, request, type Server } from 'node:http';

export interface CountingProxy {
  url: string;
  /** Requests seen since the last reset, as "METHOD /path" (query dropped). */
  seen: string[];
  /** Milliseconds since the last request reached the proxy. */
  quietFor(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * `before` may hold a request (its promise) before it is passed on, e.g. to let something happen first,
 * or answer it 503 itself by returning 'refuse' (a node too busy to answer).
 */
export async function countingProxy(
  target: string, o: { before?: (method: string, url: string) => Promise<'refuse' | void> | 'refuse' | void } = {},
): Promise<CountingProxy> {
  const t = new URL(target);
  const seen: string[] = [];
  let lastAt = Date.now();
  const server: Server = createServer(async (req, res) => {
    seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    lastAt = Date.now();
    // Paused while held, so the body waits for the pipe below.
    req.pause();
    if ((await o.before?.(req.method ?? 'GET', req.url ?? '')) === 'refuse') {
      res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error":"service_unavailable","reason":"busy"}');
      return;
    }
    const up = request(
      { hostname: t.hostname, port: t.port, path: req.url, method: req.method, headers: { ...req.headers, host: t.host } },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    quietFor: () => Date.now() - lastAt,
    reset: () => void seen.splice(0),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
