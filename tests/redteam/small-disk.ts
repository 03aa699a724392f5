// A small disk for tests of what nodes do when it fills up: a tmpfs mounted for the test file (root
// only; otherwise the reason the tests cannot run), a filler that takes its last byte, and a way to
// put a node's databases on it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { engineName } from '../../server/cluster.ts';

export interface SmallDisk {
  /** A scratch directory on the big disk (removed by `remove`). */
  dir: string;
  /** The tmpfs mount point. */
  mnt: string;
  /** Why the disk could not be mounted; null when it is. */
  cannot: string | null;
  remove(): void;
}

export function smallDisk(size = '48m'): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'sebaran-small-disk-'));
  const mnt = join(dir, 'tmpfs');
  mkdirSync(mnt);
  const cannot = mountTmpfs(mnt, size);
  return {
    dir,
    mnt,
    cannot,
    remove() {
      if (!cannot) execFileSync('umount', ['-l', mnt]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mountTmpfs(dir: string, size: string): string | null {
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount -t tmpfs failed: ${String((e as any).stderr ?? e).trim()}`;
  }
}

/** Where a node keeps its databases inside its data dir (its config and log stay outside). */
export const databasesOf = (dataDir: string) => join(dataDir, engineName() === 'couchdb' ? 'data' : 'dbs');

/**
 * Puts a (stopped) node's databases on the small disk, keeping what they hold: the node's config and
 * log stay on the big disk, as in a deployment (CouchDB's VM stops outright when it cannot log).
 */
export function moveDatabases(dataDir: string, disk: SmallDisk, name: string) {
  const target = join(disk.mnt, name);
  const dbs = databasesOf(dataDir);
  mkdirSync(dbs, { recursive: true });
  cpSync(dbs, target, { recursive: true });
  rmSync(dbs, { recursive: true, force: true });
  symlinkSync(target, dbs);
}

/** Fills the file system holding `dir` to the last byte; returns a function that frees it again. */
export function fill(dir: string): () => void {
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
