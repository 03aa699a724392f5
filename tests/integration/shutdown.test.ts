// SIGTERM ends a node cleanly even with feeds open, and releases its data
// (a restart on the same directory works and still holds every write).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { freePort, nodeProcess, type NodeHandle } from '../../server/cluster.ts';
import { Couch } from '../../server/couch-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-shutdown-'));
let node: NodeHandle | null = null;
afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a continuous changes feed and resolves once its response has begun. */
function openFeed(url: string, auth: string) {
  return new Promise<() => void>((resolve, reject) => {
    const u = new URL(url);
    const req = request({ hostname: u.hostname, port: u.port, path: '/d/_changes?feed=continuous&heartbeat=1000&since=now', headers: { Authorization: auth } }, (res) => {
      res.on('data', () => {});
      res.on('error', () => {});
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

describe('stopping a node', () => {
  it('SIGTERM with a continuous feed and a long-poll open: the process exits, and a restart on the same data works', async () => {
    const admin = { name: 'admin', password: 'shutdown-test-pw' };
    const url = `http://127.0.0.1:${await freePort()}`;
    node = nodeProcess({ name: 'N', url, dataDir: join(dir, 'N'), admin, secret: 'x', pbkdf2Iterations: 1000 }, { throwaway: true });
    await node.start();
    const couch = new Couch(url, admin);
    await couch.ok('PUT', '/d');
    await couch.ok('PUT', '/d/kept', { v: 1 });
    const close = await openFeed(url, couch.authHeader.Authorization);
    const longpoll = couch.request('GET', '/d/_changes?feed=longpoll&since=now&timeout=60000').catch(() => null);
    const proc = node.proc!;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    // The feeds would hold a node that waits for its clients for a minute or more.
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    close();
    await longpoll;
    expect(code).not.toBe('hung');
    await node.start();
    expect((await couch.getDoc('d', 'kept'))?.v).toBe(1);
  }, 90_000);
});
