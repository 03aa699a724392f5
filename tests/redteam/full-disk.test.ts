// "201 means on disk" (issue #9). A node's data dir sits on a small tmpfs that fills up during a
// burst of writes. Every write the node acknowledged, before, during or after the full disk, must
// survive kill -9 and a graceful restart; every write it refused must have been refused with a
// CouchDB-shaped error and must not appear later; and the node must take writes again by itself
// once space returns. Both engines. Needs root (mount); says so in its title when it cannot run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { engineName, freePort, nodeProcess, type NodeHandle } from '../../server/cluster.ts';
import { Couch, waitFor } from '../../server/couch-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-full-disk-'));
const mnt = join(dir, 'tmpfs');
mkdirSync(mnt);
const cannot = mountTmpfs(mnt, '48m');
const nodes: NodeHandle[] = [];

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => {});
  if (!cannot) execFileSync('umount', ['-l', mnt]);
  rmSync(dir, { recursive: true, force: true });
});

/** Mounts a tmpfs, or says why it cannot (null when mounted). */
function mountTmpfs(dir: string, size: string): string | null {
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount -t tmpfs failed: ${String((e as any).stderr ?? e).trim()}`;
  }
}

/** Fills the file system holding `dir` to the last byte; returns a function that frees it again. */
function fill(dir: string): () => void {
  const file = join(dir, `filler-${randomBytes(4).toString('hex')}`);
  const fd = openSync(file, 'w');
  const chunk = new Uint8Array(256 * 1024).fill(1);
  for (const size of [chunk.length, 4096, 512]) {
    try {
      for (;;) writeSync(fd, chunk, 0, size);
    } catch (e: any) {
      if (e.code !== 'ENOSPC') throw e;
    }
  }
  closeSync(fd);
  return () => unlinkSync(file);
}

type Outcome = { id: string; status: number; body: any };

async function writeDoc(couch: Couch, id: string): Promise<Outcome> {
  try {
    // Orders carry a few kB; a body this size fills a log quickly.
    const r = await couch.request('PUT', `/shop/${id}`, { type: 'order', pad: randomBytes(1500).toString('hex') });
    return { id, status: r.status, body: r.json };
  } catch (e) {
    return { id, status: 0, body: { transport: String(e) } };
  }
}

const summary = (os: Outcome[]) => [...new Set(os.map((o) => `${o.status} ${o.body?.error ?? JSON.stringify(o.body)}: ${o.body?.reason ?? ''}`))].join(' | ');

/** CouchDB answers every refusal as JSON with an `error` and a `reason`. */
const clear = (o: Outcome) => o.status >= 400 && typeof o.body?.error === 'string' && typeof o.body?.reason === 'string';

async function scenario(stopWith: 'SIGKILL' | 'SIGTERM') {
  // The databases live on the small disk; the node's config and log stay on the big one, as in a
  // deployment (CouchDB's VM stops outright when its log file cannot be written).
  const dataDir = join(dir, stopWith);
  mkdirSync(dataDir);
  mkdirSync(join(mnt, stopWith));
  symlinkSync(join(mnt, stopWith), join(dataDir, engineName() === 'couchdb' ? 'data' : 'dbs'));
  const admin = { name: 'admin', password: randomBytes(8).toString('hex') };
  const node = nodeProcess(
    { name: `FULL${stopWith}`, url: `http://127.0.0.1:${await freePort()}`, dataDir, admin, secret: randomBytes(16).toString('hex'), pbkdf2Iterations: 1000 },
    { throwaway: true },
  );
  nodes.push(node);
  await node.start();
  const couch = new Couch(node.url, admin);
  await couch.ok('PUT', '/shop');
  const outcomes: Outcome[] = [];
  let n = 0;
  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) outcomes.push(await writeDoc(couch, `order-${stopWith}-${String(n++).padStart(4, '0')}`));
  };

  await burst(20);
  // The disk fills while a burst of checkouts is under way (four shoppers at once).
  const running = Promise.all([0, 1, 2, 3].map(() => burst(15)));
  await waitFor(async () => outcomes.length >= 30, 20_000, 10);
  const free = fill(mnt);
  await running;
  await burst(20);
  const refusedWhileFull = outcomes.filter((o) => o.status < 200 || o.status >= 300);
  // The disk really was full for the node: otherwise this test proves nothing.
  expect(refusedWhileFull.length).toBeGreaterThan(0);
  free();
  // Space is back: the node takes writes again by itself (no restart), within seconds.
  const recovered = await waitFor(async () => {
    const o = await writeDoc(couch, `order-${stopWith}-probe-${n++}`);
    outcomes.push(o);
    return o.status === 201;
  }, 30_000, 250);
  if (!recovered) console.log(`[full-disk ${engineName()}] not recovered; answers: ${summary(outcomes.slice(-5))}`);
  expect(recovered).toBe(true);
  await burst(40);
  expect(outcomes.slice(-40).every((o) => o.status === 201)).toBe(true);

  await node.kill(stopWith);
  await node.start();
  const acked = outcomes.filter((o) => o.status >= 200 && o.status < 300).map((o) => o.id);
  const refused = outcomes.filter((o) => o.status < 200 || o.status >= 300);
  const rows = (await couch.ok('POST', '/shop/_all_docs', { keys: outcomes.map((o) => o.id) })).rows as any[];
  const present = new Set(rows.filter((r) => r.id && !r.error && !r.value?.deleted).map((r) => r.id as string));
  const lost = acked.filter((id) => !present.has(id));
  const unclear = refused.filter((o) => !clear(o));
  const refusedButStored = refused.filter((o) => present.has(o.id));
  console.log(`[full-disk ${engineName()} ${stopWith}] acknowledged ${acked.length}, refused ${refused.length} (${summary(refused)}), lost ${lost.length}, refused but stored ${refusedButStored.length}`);
  expect(lost).toEqual([]);
  expect(unclear).toEqual([]);
  expect(refusedButStored.map((o) => o.id)).toEqual([]);
}

const title = (what: string) => (cannot ? `${what} (skipped: ${cannot})` : what);

describe(`a node whose disk fills up (${engineName()})`, () => {
  it.skipIf(!!cannot)(title('every write answered 2xx around a full disk survives kill -9 and a restart; refusals are clear; writes resume by themselves'), async () => {
    await scenario('SIGKILL');
  }, 150_000);

  it.skipIf(!!cannot)(title('every write answered 2xx around a full disk survives a graceful SIGTERM restart'), async () => {
    await scenario('SIGTERM');
  }, 150_000);
});
