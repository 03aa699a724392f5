// A node's LevelDBs keep at most OPEN_TABLE_FILES table files open, and so mapped into the process
// (LevelDB 1.20 maps each open table file; the pages it reads then count in the node's RSS until the
// file is closed: over a gigabyte at central with a million orders).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durableLeveldown, OPEN_TABLE_FILES } from '../../server/node/durable-level.ts';
import { LevelKV } from '../../server/node/view-store.ts';

const leveldown: any = createRequire(createRequire(import.meta.url).resolve('pouchdb-node'))('leveldown');
/**
 * 1 KB values that do not compress, written in key order in small batches with a 256 KB write buffer:
 * each flush is a table file of 256-400 KB that LevelDB places whole (no overlap to compact), so KEYS
 * make about twice OPEN_TABLE_FILES files.
 */
const KEYS = OPEN_TABLE_FILES * 800;
const WRITE_BUFFER = 256 * 1024;
const READS = 5_000;
const key = (i: number) => `k${String(i).padStart(7, '0')}`;

const call = (f: (cb: (e?: Error | null, v?: any) => void) => void) =>
  new Promise<any>((resolve, reject) => f((e, v) => (e ? reject(e) : resolve(v))));

/** Table files under `dir` this process has mapped now. */
const mappedTables = (dir: string) =>
  new Set(readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.includes(dir) && l.endsWith('.ldb')).map((l) => l.slice(l.indexOf('/')))).size;

function level(dir: string, wrap: (location: string) => any) {
  const db = wrap(dir);
  return {
    open: (options = {}) => call((cb) => db.open({ createIfMissing: true, ...options }, cb)),
    batch: (ops: any[]) => call((cb) => db.batch(ops, {}, cb)),
    get: (k: string) => call((cb) => db.get(k, { asBuffer: false }, cb)),
    close: () => call((cb) => db.close(cb)),
  };
}

/** Reads keys spread over the whole store: every table file is opened at least once. */
async function readAcross(get: (k: string) => Promise<unknown>) {
  for (let i = 0; i < READS; i++) await get(key(Math.floor((i * KEYS) / READS)));
}

describe('table files a LevelDB keeps mapped', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sebaran-level-'));
    const db = level(dir, leveldown);
    await db.open({ writeBufferSize: WRITE_BUFFER });
    for (let i = 0; i < KEYS; i += 200) {
      await db.batch(Array.from({ length: 200 }, (_, j) => ({ type: 'put', key: key(i + j), value: randomBytes(512).toString('hex') })));
    }
    await db.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.ldb')).length).toBeGreaterThan(OPEN_TABLE_FILES + 20);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Opens a store on the test's files, reads across them, and counts the files it has mapped before closing it. */
  async function mappedAfterReading(store: { open(): Promise<unknown>; get(k: string): Promise<unknown>; close(): Promise<unknown> }) {
    await store.open();
    try {
      await readAcross(store.get);
      return mappedTables(dir);
    } finally {
      await store.close();
    }
  }

  it('LevelDB left at its default maps more (the limit below is what holds it)', async () => {
    expect(await mappedAfterReading(level(dir, leveldown))).toBeGreaterThan(OPEN_TABLE_FILES);
  });

  it("a database's LevelDB maps at most OPEN_TABLE_FILES", async () => {
    expect(await mappedAfterReading(level(dir, durableLeveldown))).toBeLessThanOrEqual(OPEN_TABLE_FILES);
  });

  it("the view indexes' LevelDB maps at most OPEN_TABLE_FILES", async () => {
    const kv = new LevelKV(dir);
    const store = { open: async () => {}, get: async (k: string) => (await kv.getMany([k]))[0], close: () => kv.close() };
    expect(await mappedAfterReading(store)).toBeLessThanOrEqual(OPEN_TABLE_FILES);
  });
});
