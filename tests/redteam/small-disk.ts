// A small disk for tests of what nodes do when it fills up: a tmpfs mounted for the test file (root
// only; otherwise the reason the tests cannot run), a filler that takes its last byte, and a way to
// put a node's databases on it. Mount it in beforeAll and remove it in afterAll: vitest runs neither
// hook when every test of the file is skipped, so nothing is left mounted.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { engineName } from '../../server/cluster.ts';

export interface SmallDisk {
  /** Why the tests cannot have a small disk here (checked without mounting); null when they can. */
  cannot: string | null;
  /** A scratch directory on the big disk, and the tmpfs mount point inside it (set by `mount`). */
  dir: string;
  mnt: string;
  mount(): void;
  remove(): void;
}

export function smallDisk(size = '48m'): SmallDisk {
  const disk: SmallDisk = {
    cannot: whyNot(),
    dir: '',
    mnt: '',
    mount() {
      disk.dir = mkdtempSync(join(tmpdir(), 'sebaran-small-disk-'));
      disk.mnt = join(disk.dir, 'tmpfs');
      mkdirSync(disk.mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk.mnt], { stdio: 'pipe' });
    },
    remove() {
      if (!disk.dir) return;
      execFileSync('umount', ['-l', disk.mnt], { stdio: 'pipe' });
      rmSync(disk.dir, { recursive: true, force: true });
    },
  };
  return disk;
}

function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    if (!/\ttmpfs$/m.test(readFileSync('/proc/filesystems', 'utf8'))) return 'this kernel has no tmpfs';
  } catch {
    return 'no /proc/filesystems to find tmpfs in';
  }
  // Root without the right to mount (an unprivileged container): find out now, and leave nothing mounted.
  const probe = mkdtempSync(join(tmpdir(), 'sebaran-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount -t tmpfs failed: ${String((e as any).stderr ?? e).trim()}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
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
