// The fault proxy itself, against a tiny HTTP server and a raw echo server:
// each fault it claims to apply is observable by a client.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttp, request, Agent, type Server as HttpServer } from 'node:http';
import { createServer as createTcp, connect, type Server as TcpServer, type Socket } from 'node:net';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { waitFor } from '../../server/couch-client.ts';

let http: HttpServer;
let echo: TcpServer;
let httpUrl: string;
let echoPort: number;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  http = createHttp((req, res) => {
    let body = '';
    req.on('data', (b) => (body += b));
    req.on('end', () => res.end(`ok ${req.method} ${req.url} ${body}`));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  echo = createTcp((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await new Promise((r) => echo.close(r));
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

const proxyTo = async (target: string | { host: string; port: number }, f = {}) => {
  const p = await startFaultProxy(target, f);
  proxies.push(p);
  return p;
};

/** One HTTP request on a fresh connection: the body, or the error code. */
const get = (url: string, path = '/x', timeoutMs = 5000) =>
  new Promise<{ body?: string; error?: string }>((resolve) => {
    const req = request(`${url}${path}`, { agent: new Agent({ keepAlive: false }) }, (res) => {
      let body = '';
      res.on('data', (b) => (body += b));
      res.on('end', () => resolve({ body }));
      res.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
    req.end();
  });

/** A raw connection to the echo server through the proxy, collecting what comes back. */
const raw = async (p: FaultProxy) => {
  const s: Socket = connect(p.port, '127.0.0.1');
  let got = '';
  const state = { closed: false, error: '' };
  s.on('data', (b) => (got += String(b)));
  s.on('error', (e: any) => (state.error = e.code));
  s.on('close', () => (state.closed = true));
  await new Promise((r) => s.once('connect', r));
  return { s, text: () => got, state };
};

describe('fault proxy', () => {
  it('passes HTTP through unchanged and counts connections and bytes', async () => {
    const p = await proxyTo(httpUrl);
    expect(await get(p.url, '/hello')).toEqual({ body: 'ok GET /hello ' });
    expect(p.counters.connections).toBe(1);
    expect(p.counters.bytesUp).toBeGreaterThan(0);
    expect(p.counters.bytesDown).toBeGreaterThan(0);
  });

  it('refuses a target that is not loopback', async () => {
    await expect(startFaultProxy('http://10.0.0.1:5984')).rejects.toThrow(/loopback only/);
  });

  it('adds the configured latency in each direction', async () => {
    const p = await proxyTo(httpUrl);
    const t0 = Date.now();
    await get(p.url);
    const fast = Date.now() - t0;
    p.set({ latencyUpMs: 100, latencyDownMs: 100, jitterMs: 20 });
    const t1 = Date.now();
    expect((await get(p.url)).body).toBe('ok GET /x ');
    // At least one trip each way: the request goes up once and the answer comes down once.
    expect(Date.now() - t1).toBeGreaterThanOrEqual(200);
    expect(fast).toBeLessThan(200);
  });

  it('drops new connections at the drop rate, by reset or by close', async () => {
    const p = await proxyTo(httpUrl, { dropRate: 1, dropMode: 'reset' });
    expect((await get(p.url)).error).toBe('ECONNRESET');
    p.set({ dropMode: 'close' });
    expect((await get(p.url)).error).toMatch(/ECONNRESET|socket hang up/);
    expect(p.counters.dropped).toBe(2);
    p.set({ dropRate: 0.5 });
    const results = await Promise.all(Array.from({ length: 60 }, () => get(p.url)));
    const failed = results.filter((r) => r.error).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(55);
    expect(p.counters.dropped).toBe(2 + failed);
  });

  it('cuts an established connection mid-stream', async () => {
    const p = await proxyTo({ host: '127.0.0.1', port: echoPort });
    const c = await raw(p);
    c.s.write('before');
    expect(await waitFor(async () => c.text() === 'before', 2000, 10)).toBe(true);
    expect(p.cut(1)).toBe(1);
    expect(await waitFor(async () => c.state.closed, 2000, 10)).toBe(true);
    expect(c.state.error).toBe('ECONNRESET');
    expect(p.counters.cut).toBe(1);
    expect(p.counters.active).toBe(0);
  });

  it('makes a connection half-open: one direction goes silent while the socket stays open', async () => {
    const p = await proxyTo({ host: '127.0.0.1', port: echoPort });
    const c = await raw(p);
    c.s.write('a');
    expect(await waitFor(async () => c.text() === 'a', 2000, 10)).toBe(true);
    expect(p.halfOpen('down')).toBe(1);
    c.s.write('b');
    // The echo server got 'b' and answered (the proxy saw the bytes come back), but the client never sees them.
    expect(await waitFor(async () => p.counters.bytesLost === 1, 2000, 10)).toBe(true);
    expect(c.text()).toBe('a');
    expect(c.state.closed).toBe(false);
    // Healing does not revive it: the peer is gone for good. A new connection works.
    p.heal();
    c.s.write('c');
    expect(await waitFor(async () => p.counters.bytesLost === 2, 2000, 10)).toBe(true);
    expect(c.text()).toBe('a');
    const d = await raw(p);
    d.s.write('fresh');
    expect(await waitFor(async () => d.text() === 'fresh', 2000, 10)).toBe(true);
    // Up: the client's bytes never reach the target.
    expect(p.halfOpen('up', 1)).toBe(2);
    const before = p.counters.bytesDown;
    d.s.write('lost');
    expect(await waitFor(async () => p.counters.bytesLost >= 6, 2000, 10)).toBe(true);
    expect(p.counters.bytesDown).toBe(before);
    c.s.destroy();
    d.s.destroy();
  });

  it('black-holes a partition: open and new connections hang, then carry on when it heals', async () => {
    const p = await proxyTo({ host: '127.0.0.1', port: echoPort });
    const c = await raw(p);
    p.partition({ existing: 'blackhole', incoming: 'blackhole' });
    expect(p.partitioned).toBe(true);
    c.s.write('held');
    const late = await raw(p);
    late.s.write('late');
    // The echo server answers at once when reachable: nothing for 300 ms proves the partition holds it.
    expect(await waitFor(async () => c.text() !== '', 300, 10)).toBe(false);
    expect(c.state.closed).toBe(false);
    expect(late.text()).toBe('');
    expect(p.counters.partitionHeld).toBe(1);
    p.healPartition();
    expect(await waitFor(async () => c.text() === 'held', 2000, 10)).toBe(true);
    // The connection accepted during the partition reaches the target after the heal, with its bytes.
    expect(await waitFor(async () => late.text() === 'late', 2000, 10)).toBe(true);
    c.s.destroy();
    late.s.destroy();
  });

  it('resets a partition: open connections are reset and new ones refused until healed', async () => {
    const p = await proxyTo(httpUrl);
    const hp = await proxyTo({ host: '127.0.0.1', port: echoPort });
    const c = await raw(hp);
    hp.partition({ existing: 'reset', incoming: 'refuse' });
    expect(await waitFor(async () => c.state.closed, 2000, 10)).toBe(true);
    expect(c.state.error).toBe('ECONNRESET');
    expect(hp.counters.partitionReset).toBe(1);
    p.partition({ existing: 'reset', incoming: 'refuse' });
    expect((await get(p.url)).error).toBe('ECONNRESET');
    expect(p.counters.partitionRefused).toBe(1);
    p.healPartition();
    expect((await get(p.url)).body).toBe('ok GET /x ');
  });

  it('holds an HTTP request made during a black-hole partition and answers it after the heal', async () => {
    const p = await proxyTo(httpUrl);
    p.partition();
    let answered = false;
    const pending = get(p.url, '/late', 10_000).then((r) => ((answered = true), r));
    expect(await waitFor(async () => answered, 300, 10)).toBe(false);
    p.healPartition();
    expect((await pending).body).toBe('ok GET /late ');
  });
});
