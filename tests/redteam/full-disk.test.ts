// "201 means on disk" (issue #9). A node's data dir sits on a small tmpfs that fills up during a
// burst of writes. Every write the node acknowledged, before, during or after the full disk, must
// survive kill -9 and a graceful restart; every write it refused must have been refused with a
// CouchDB-shaped error and must not appear later; and the node must take writes again by itself
// once space returns. Both engines. Needs root (mount); says so in its title when it cannot run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName, freePort, nodeProcess, type NodeHandle } from '../../server/cluster.ts';
import { Couch, waitFor } from '../../server/couch-client.ts';
import { fill, moveDatabases, smallDisk } from './small-disk.ts';
import { spawn } from 'node:child_process';
import { appendLog } from '../../server/append-log.ts';

const disk = smallDisk();
const { cannot } = disk;
const nodes: NodeHandle[] = [];

beforeAll(() => disk.mount());
afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => {});
  disk.remove();
});

type Outcome = { id: string; status: number; body: any };

/**
 * One write, in turn an order by PUT, an order by `_bulk_docs` (as the region service writes) and a
 * `_local` document (as a replicator's checkpoint); a per-document error counts as the answer.
 */
async function writeDoc(couch: Couch, name: string, k: number): Promise<Outcome> {
  const id = k % 3 === 2 ? `_local/${name}` : name;
  // Orders carry a few kB; a body this size fills a log quickly.
  const doc = { _id: id, type: 'order', pad: randomBytes(1500).toString('hex') };
  // A node that stops answering is an outcome too (and the test stays bounded in time).
  const send = (method: string, path: string, body: unknown) =>
    fetch(couch.url + path, { method, headers: { ...couch.authHeader, 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) })
      .then(async (res) => ({ status: res.status, json: await res.json().catch(() => null) }));
  try {
    if (k % 3 !== 1) {
      const r = await send('PUT', `/shop/${id}`, doc);
      return { id, status: r.status, body: r.json };
    }
    const r = await send('POST', '/shop/_bulk_docs', { docs: [doc] });
    const one = Array.isArray(r.json) ? r.json[0] : null;
    return one?.error ? { id, status: one.status ?? 500, body: one } : { id, status: r.status, body: r.json };
  } catch (e) {
    return { id, status: 0, body: { transport: String(e) } };
  }
}

/** A continuous `_changes` reader that, like a replicator, reconnects from its last sequence whenever its feed ends. */
function follow(couch: Couch) {
  const seen = new Set<string>();
  let since = 'now';
  let stopped = false;
  let abort = new AbortController();
  void (async () => {
    while (!stopped) {
      try {
        const res = await fetch(`${couch.url}/shop/_changes?feed=continuous&heartbeat=1000&since=${since}`, { headers: couch.authHeader, signal: abort.signal });
        let buf = '';
        for await (const chunk of res.body as any) {
          buf += Buffer.from(chunk).toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const row = JSON.parse(line);
            if (row.id) seen.add(row.id);
            if (row.seq ?? row.last_seq) since = encodeURIComponent(String(row.seq ?? row.last_seq));
          }
        }
      } catch {
        /* refused or cut: try again */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    seen,
    stop() {
      stopped = true;
      abort.abort();
    },
  };
}

const summary = (os: Outcome[]) => [...new Set(os.map((o) => `${o.status} ${o.body?.error ?? JSON.stringify(o.body)}: ${o.body?.reason ?? ''}`))].join(' | ');

/** A full disk is the server's trouble, never the client's (a 5xx), told as JSON with an `error` and a `reason`. */
const clear = (o: Outcome) => o.status >= 500 && typeof o.body?.error === 'string' && typeof o.body?.reason === 'string';

/** `databases`: only the databases on the small disk (config and log on the big one); `all`: the whole data dir. */
async function scenario(stopWith: 'SIGKILL' | 'SIGTERM', onSmallDisk: 'databases' | 'all') {
  let dataDir = join(disk.mnt, stopWith);
  if (onSmallDisk === 'databases') {
    dataDir = join(disk.dir, stopWith);
    mkdirSync(dataDir);
    moveDatabases(dataDir, disk, stopWith);
  }
  const admin = { name: 'admin', password: randomBytes(8).toString('hex') };
  const node = nodeProcess(
    { name: `FULL${stopWith}`, url: `http://127.0.0.1:${await freePort()}`, dataDir, admin, secret: randomBytes(16).toString('hex'), pbkdf2Iterations: 1000 },
    { throwaway: true },
  );
  nodes.push(node);
  await node.start();
  const couch = new Couch(node.url, admin);
  await couch.ok('PUT', '/shop');
  // A view over the orders: its index is written beside the database (on the embedded node, into
  // its own LevelDB) and must count exactly what the database holds after it all.
  await couch.ok('PUT', '/shop/_design/v', { views: { n: { map: 'function (doc) { if (doc._id.indexOf("order-") === 0) emit(doc._id, 1); }', reduce: '_count' } } });
  const counted = async () => ((await couch.ok('GET', '/shop/_design/v/_view/n')).rows[0]?.value as number | undefined) ?? 0;
  const feed = follow(couch);
  const outcomes: Outcome[] = [];
  let n = 0;
  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const k = n++;
      outcomes.push(await writeDoc(couch, `order-${stopWith}-${String(k).padStart(4, '0')}`, k));
    }
  };

  await burst(20);
  expect(await counted()).toBe(outcomes.filter((o) => o.status === 201 && o.id.startsWith('order-')).length);
  // The disk fills while a burst of checkouts is under way (four shoppers at once).
  const running = Promise.all([0, 1, 2, 3].map(() => burst(15)));
  await waitFor(async () => outcomes.length >= 30, 20_000, 10);
  const free = fill(disk.mnt);
  await running;
  await burst(20);
  // The view while the disk is full: an answer, or a clear refusal.
  const whileFull = await couch.request('GET', '/shop/_design/v/_view/n');
  expect(whileFull.status === 200 || clear({ id: 'view', status: whileFull.status, body: whileFull.json } as Outcome), JSON.stringify(whileFull.json)).toBe(true);
  const refusedWhileFull = outcomes.filter((o) => o.status < 200 || o.status >= 300);
  // The disk really was full for the node: otherwise this test proves nothing.
  expect(refusedWhileFull.length).toBeGreaterThan(0);
  free();
  // Space is back: the node takes writes again by itself (no restart), within seconds.
  const recovered = await waitFor(async () => {
    const o = await writeDoc(couch, `order-${stopWith}-probe-${n}`, n++);
    outcomes.push(o);
    return o.status === 201;
  }, 30_000, 250);
  if (!recovered) console.log(`[full-disk ${engineName()}] not recovered; answers: ${summary(outcomes.slice(-5))}`);
  expect(recovered).toBe(true);
  await burst(40);
  expect(outcomes.slice(-40).every((o) => o.status === 201)).toBe(true);

  const acked = outcomes.filter((o) => o.status >= 200 && o.status < 300).map((o) => o.id);
  // A follower of the changes feed (the region service, a replicator) sees every acknowledged write.
  const inFeed = acked.filter((id) => !id.startsWith('_local/'));
  const followed = await waitFor(async () => inFeed.every((id) => feed.seen.has(id)), 20_000, 100);
  feed.stop();
  expect(followed ? [] : inFeed.filter((id) => !feed.seen.has(id))).toEqual([]);

  await node.kill(stopWith);
  await node.start();
  const refused = outcomes.filter((o) => o.status < 200 || o.status >= 300);
  const rows = (await couch.ok('POST', '/shop/_all_docs', { keys: outcomes.map((o) => o.id) })).rows as any[];
  const present = new Set(rows.filter((r) => r.id && !r.error && !r.value?.deleted).map((r) => r.id as string));
  for (const o of outcomes.filter((x) => x.id.startsWith('_local/'))) if (await couch.getDoc('shop', o.id)) present.add(o.id);
  const lost = acked.filter((id) => !present.has(id));
  const unclear = refused.filter((o) => !clear(o));
  const refusedButStored = refused.filter((o) => present.has(o.id));
  console.log(`[full-disk ${engineName()} ${stopWith}] acknowledged ${acked.length}, refused ${refused.length} (${summary(refused)}), lost ${lost.length}, refused but stored ${refusedButStored.length}`);
  expect(lost).toEqual([]);
  expect(unclear).toEqual([]);
  expect(await counted()).toBe([...present].filter((id) => id.startsWith('order-')).length);
  expect(refusedButStored.map((o) => o.id)).toEqual([]);
}

const title = (what: string) => (cannot ? `${what} (skipped: ${cannot})` : what);

describe(`a node whose disk fills up (${engineName()})`, () => {
  it.skipIf(!!cannot)(title('every write answered 2xx around a full disk survives kill -9 and a restart; refusals are clear; writes resume by themselves'), async () => {
    await scenario('SIGKILL', 'databases');
  }, 150_000);

  it.skipIf(!!cannot)(title('with the whole data dir (config and log too) on the full disk, every write answered 2xx survives a graceful SIGTERM restart'), async () => {
    await scenario('SIGTERM', 'all');
  }, 150_000);

  it.skipIf(!!disk.cannot)(title('a node whose log file is on the full disk keeps running: its output is still read, the lost lines are only lost'), async () => {
    const free = fill(disk.mnt);
    try {
      // 2 MB of output, far past a pipe's 64 kB: a child whose pipe nobody reads blocks in console.log.
      const child = spawn(process.execPath, ['-e', "for (let i = 0; i < 20000; i++) console.log('x'.repeat(100))"], { stdio: ['ignore', 'pipe', 'pipe'] });
      appendLog(join(disk.mnt, 'node.log'), child.stdout!, child.stderr!);
      const code = await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(() => r('blocked'), 20_000))]);
      if (code === 'blocked') child.kill('SIGKILL');
      expect(code).toBe(0);
    } finally {
      free();
    }
  }, 30_000);
});
