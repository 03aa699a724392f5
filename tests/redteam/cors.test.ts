// CORS: only the configured app origins may call a node with credentials;
// any other site gets no CORS grant (the browser then keeps its answer from it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, nodeProcess, type NodeHandle } from '../../server/cluster.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-cors-'));
const APP = 'http://127.0.0.1:5170';
let node: NodeHandle;
let url = '';
beforeAll(async () => {
  url = `http://127.0.0.1:${await freePort()}`;
  node = nodeProcess({ name: 'N', url, dataDir: join(dir, 'N'), admin: { name: 'admin', password: 'cors-test-pw' }, secret: 'x', corsOrigins: [APP] }, { throwaway: true });
  await node.start();
});
afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (origin: string, method = 'GET') =>
  fetch(`${url}/_session`, { method, headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } });

describe('CORS', () => {
  it("grants the app's origin, with credentials", async () => {
    const r = await ask(APP);
    expect(r.headers.get('access-control-allow-origin')).toBe(APP);
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('grants nothing to another origin, for a request or a preflight', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const r = await ask('https://evil.example', method);
      expect(r.headers.get('access-control-allow-origin'), method).toBeNull();
      expect(r.headers.get('access-control-allow-credentials'), method).toBeNull();
    }
  });
});
