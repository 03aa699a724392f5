// The app server hands out the built app and nothing beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { createAppServer } from '../../server/app-server.ts';

const script = Array.from({ length: 400 }, (_, i) => `export const v${i} = ${i};`).join('\n');

const dir = mkdtempSync(join(tmpdir(), 'sebaran-app-'));
let server: Server;
let port = 0;
beforeAll(async () => {
  mkdirSync(join(dir, 'build'));
  mkdirSync(join(dir, 'build-old'));
  writeFileSync(join(dir, 'build', 'index.html'), '<p>app</p>');
  writeFileSync(join(dir, 'build', 'hello.txt'), 'hello');
  writeFileSync(join(dir, 'build', 'app.js'), script);
  writeFileSync(join(dir, 'build-old', 'secret.txt'), 'secret');
  writeFileSync(join(dir, 'secrets.json'), '{"admin":"x"}');
  const topology = { central: { code: 'PUSAT', name: 'Pusat', url: 'http://127.0.0.1:9' }, regions: [] } as any;
  server = createAppServer(topology, join(dir, 'build'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw path, sent as written (fetch would resolve the dots first). */
const get = (path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

/** The raw bytes and headers of a GET (or HEAD), with the given Accept-Encoding. */
const fetchRaw = (path: string, encoding?: string, method = 'GET') =>
  new Promise<{ status: number; headers: Record<string, any>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: encoding ? { 'Accept-Encoding': encoding } : {} }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on('data', (c: Buffer) => chunks.push(new Uint8Array(c)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });

describe('static files, compressed', () => {
  it('gzips a script for a browser that accepts it, and sends it as built to one that does not', async () => {
    const gz = await fetchRaw('/app.js', 'gzip, deflate');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gz.body.length).toBeLessThan(script.length / 3);
    expect(gunzipSync(new Uint8Array(gz.body)).toString()).toBe(script);
    const plain = await fetchRaw('/app.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    const head = await fetchRaw('/app.js', 'gzip', 'HEAD');
    expect([head.status, head.body.length, head.headers['content-encoding']]).toEqual([200, 0, 'gzip']);
  });

  it('serves a file changed after it was first sent as it is now', async () => {
    expect(gunzipSync(new Uint8Array((await fetchRaw('/app.js', 'gzip')).body)).toString()).toBe(script);
    const changed = script + '\nexport const later = 1;';
    writeFileSync(join(dir, 'build', 'app.js'), changed);
    expect(gunzipSync(new Uint8Array((await fetchRaw('/app.js', 'gzip')).body)).toString()).toBe(changed);
    expect((await fetchRaw('/app.js')).body.toString()).toBe(changed);
  });

  it('sends a tiny file as it is', async () => {
    const r = await fetchRaw('/hello.txt', 'gzip');
    expect([r.headers['content-encoding'], r.body.toString()]).toEqual([undefined, 'hello']);
  });
});

describe('static files', () => {
  it('serves a file of the build', async () => {
    expect(await get('/hello.txt')).toEqual({ status: 200, body: 'hello' });
  });

  it('never a file beside the build, however the path is spelled', async () => {
    for (const path of ['/../build-old/secret.txt', '/%2e%2e/build-old/secret.txt', '/..%2fbuild-old%2fsecret.txt', '/%2e%2e/secrets.json', '/..%2f..%2fsecrets.json']) {
      const r = await get(path);
      expect(r.body, path).not.toMatch(/secret|admin/);
    }
  });
});
