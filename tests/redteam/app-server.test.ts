// The app server hands out the built app and nothing beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createAppServer } from '../../server/app-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-app-'));
let server: Server;
let port = 0;
beforeAll(async () => {
  mkdirSync(join(dir, 'build'));
  mkdirSync(join(dir, 'build-old'));
  writeFileSync(join(dir, 'build', 'index.html'), '<p>app</p>');
  writeFileSync(join(dir, 'build', 'hello.txt'), 'hello');
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
