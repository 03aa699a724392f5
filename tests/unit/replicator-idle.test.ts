// A replication request that stops receiving bytes is aborted and fails, wherever it stalls (before
// the answer's headers, or in the middle of a `_changes` body); one that trickles along is left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { remote } from '../../server/node/remote-db.ts';

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/stall-headers/_changes') return; // never answers
    if (path === '/stall-body/_changes') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"results":[{"seq":1,"id":"a","changes":[{"rev":"1-a"}]}'); // and nothing more
      return;
    }
    if (path === '/trickle/_changes') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const parts = ['{"results":[', '{"seq":1,"id":"a","changes":[{"rev":"1-a"}]}', '],', '"last_seq":1', '}'];
      const next = () => (parts.length > 1 ? (res.write(parts.shift()), setTimeout(next, 150)) : res.end(parts.shift()));
      return next();
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found","reason":"missing"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** The outcome of a changes read: 'ok', or the error's text. */
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e) => `error: ${String(e?.message ?? e)}`);

describe('replicator requests with an idle limit', () => {
  it('fails a `_changes` request whose answer never starts', async () => {
    expect(await outcome(remote(`${base}/stall-headers`, undefined, 300).changes({ since: 0 }))).toMatch(/^error/);
  });

  it('fails a `_changes` request whose body stops half-way, also when its last_seq is being followed', async () => {
    const seen: unknown[] = [];
    expect(await outcome(remote(`${base}/stall-body`, (s) => seen.push(s), 300).changes({ since: 0 }))).toMatch(/^error/);
    expect(seen).toEqual([]);
  });

  it('leaves alone an answer that keeps sending bytes, however slowly, and reports its last_seq', async () => {
    const seen: unknown[] = [];
    // 150 ms between parts, 300 ms allowed per silence: 600 ms in all, longer than the limit.
    expect(await outcome(remote(`${base}/trickle`, (s) => seen.push(s), 300).changes({ since: 0 }))).toBe('ok');
    expect(seen).toEqual([1]);
  });
});
