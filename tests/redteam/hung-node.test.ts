// A supervised node that hangs (here: SIGSTOP, so it neither answers nor exits) is found by the
// supervisor's health check, killed and restarted, and answers again. Both engines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, nodeProcess, type NodeHandle } from '../../server/cluster.ts';
import { Couch, waitFor } from '../../server/couch-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-hung-'));
let node: NodeHandle | null = null;
afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a supervised node that stops answering', () => {
  it('is killed after three missed health checks and restarted, and then answers again', async () => {
    const lines: string[] = [];
    node = nodeProcess(
      {
        name: 'HUNG',
        url: `http://127.0.0.1:${await freePort()}`,
        dataDir: join(dir, 'HUNG'),
        admin: { name: 'admin', password: randomBytes(8).toString('hex') },
        secret: randomBytes(16).toString('hex'),
        supervise: true,
        healthCheck: { intervalMs: 300, timeoutMs: 500, misses: 3 },
        log: (l) => lines.push(l),
      },
      { throwaway: true },
    );
    await node.start();
    const first = node.proc!;
    const couch = new Couch(node.url);
    expect(await couch.up(2000)).toBe(true);
    first.kill('SIGSTOP');
    // Stopped, it stops answering (so what follows is the supervisor's doing, not a fluke).
    expect(await waitFor(async () => !(await couch.up(500)), 10_000, 50)).toBe(true);
    const back = await waitFor(async () => node!.proc !== null && node!.proc !== first && (await couch.up(1000)), 90_000, 200);
    expect(back).toBe(true);
    expect(first.signalCode).toBe('SIGKILL');
    expect(lines.some((l) => /did not answer GET \/_up 3 times in a row; killing it/.test(l))).toBe(true);
    expect(lines.some((l) => /exited \(SIGKILL\); restarting/.test(l))).toBe(true);
  }, 150_000);
});
