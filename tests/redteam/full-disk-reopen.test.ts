// The embedded node's store under a disk that fills and frees again and again while writers,
// readers and a live feed are busy: each time, the failed database is reopened by itself, no
// operation is left hanging across the reopen (PouchDB never settles one caught by a close), and
// every acknowledged write is there when the store opens again. The store itself, in this process:
// embedded engine only (Apache CouchDB has no such store; full-disk.test.ts covers both engines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { engineName } from '../../server/cluster.ts';
import { waitFor } from '../../server/couch-client.ts';
import { Store } from '../../server/node/store.ts';
import type { UserCtx } from '../../server/node/auth.ts';
import { fill, smallDisk } from './small-disk.ts';

const disk = smallDisk('24m');
beforeAll(() => disk.mount());
afterAll(() => disk.remove());

const admin = { name: 'admin', roles: ['_admin'] } as unknown as UserCtx;
const skip = disk.cannot ?? (engineName() === 'couchdb' ? 'the embedded store only' : null);
const title = (what: string) => (skip ? `${what} (skipped: ${skip})` : what);
const HUNG_MS = 8000;

describe('the embedded store on a disk that fills up again and again', () => {
  it.skipIf(!!skip)(title('reopens the failed database each time, leaves no operation hanging, and loses no acknowledged write'), async () => {
    const dataDir = join(disk.mnt, 'node');
    let store = new Store(dataDir, 1000);
    await store.ensureSystemDbs();
    await store.create('shop');
    const acked: string[] = [];
    const hung: string[] = [];
    let refused = 0;
    let stop = false;
    let n = 0;
    const timed = async <T>(what: string, p: Promise<T>) => {
      let t: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (t = setTimeout(() => (hung.push(what), reject(new Error(`${what} hung`))), HUNG_MS)));
      try {
        return await Promise.race([p, late]);
      } finally {
        clearTimeout(t);
      }
    };
    const writer = async () => {
      while (!stop) {
        const k = n++;
        const id = k % 3 === 2 ? `_local/cp-${k}` : `order-${k}`;
        try {
          const [r] = await timed('write', store.write('shop', [{ _id: id, pad: 'x'.repeat(2000) }], admin));
          if (r.ok) acked.push(id);
          else refused++;
        } catch {
          refused++;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const reader = async () => {
      while (!stop) {
        try {
          const db = await store.get('shop');
          await timed('allDocs', db.pouch.allDocs({ limit: 20, include_docs: true }));
          await timed('changes', Promise.resolve(db.pouch.changes({ since: 0, limit: 50 })));
        } catch {
          /* refused while the database reopens */
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const follower = async () => {
      while (!stop) {
        const db = await store.get('shop').catch(() => null);
        if (!db) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        await new Promise<void>((resolve) => {
          const feed = db.pouch.changes({ live: true, since: 'now', return_docs: false }).on('error', () => resolve());
          const end = () => (feed.cancel(), resolve());
          db.closing.signal.addEventListener('abort', end, { once: true });
          setTimeout(end, 300);
        });
      }
    };
    const workers = [writer(), writer(), writer(), writer(), reader(), reader(), follower()];
    for (let cycle = 0; cycle < 5; cycle++) {
      const before = refused;
      const free = fill(disk.mnt);
      expect(await waitFor(async () => refused > before, 10_000, 10)).toBe(true);
      free();
      const took = acked.length;
      expect(await waitFor(async () => acked.length > took + 20, 20_000, 20)).toBe(true);
    }
    stop = true;
    await Promise.all(workers);
    expect(hung).toEqual([]);
    await store.close();

    store = new Store(dataDir, 1000);
    const db = await store.get('shop');
    const present = new Set((await db.pouch.allDocs()).rows.map((r) => r.id));
    for (const id of acked.filter((x) => x.startsWith('_local/'))) if (await db.pouch.get(id).catch(() => null)) present.add(id);
    console.log(`[full-disk reopen] acknowledged ${acked.length}, refused ${refused}, lost ${acked.filter((id) => !present.has(id)).length}`);
    expect(acked.filter((id) => !present.has(id))).toEqual([]);
    await store.close();
  }, 180_000);
});
