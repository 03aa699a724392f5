// Whether `build/` was made from the app's sources as they are now. `npm start` and the browser
// tests build the app only when it was not: a build after every `git pull`, none when nothing
// changed (the CouchDB pass of CI then reuses the embedded pass's build).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from './config.ts';

/** What the build reads: the app, its static files, its build config, the locked dependencies, the service worker step. */
const INPUTS = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json', 'server/build-sw.ts', 'tsconfig.json'];
const STAMP = '.sources-hash';

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
}

/** A hash of every input file's path and content. */
export function sourcesHash(root = projectRoot): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap((p) => files(join(root, p)))) {
    h.update(relative(root, f)).update('\0').update(new Uint8Array(readFileSync(f))).update('\0');
  }
  return h.digest('hex');
}

export function buildIsCurrent(buildDir = join(projectRoot, 'build')): boolean {
  const stamp = join(buildDir, STAMP);
  return existsSync(join(buildDir, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === sourcesHash();
}

/** Written after a whole build (app and service worker) succeeded; a build cut short leaves no stamp. */
export function stampBuild(hash: string, buildDir = join(projectRoot, 'build')) {
  writeFileSync(join(buildDir, STAMP), hash);
}

/**
 * `npm run build` unless `build/` is of the current sources: `npm start`, the browser tests and the bench
 * all build this one way. A production build whatever the caller's NODE_ENV: under a test runner's
 * NODE_ENV=test the service worker never gets ready (seen: the offline shop then fails).
 */
export function ensureBuild(o: { force?: boolean; log?: (line: string) => void } = {}) {
  if (!o.force && buildIsCurrent()) return;
  o.log?.('Building the app (its sources changed since the last build)…');
  const hash = sourcesHash();
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) throw new Error('npm run build failed');
  stampBuild(hash);
}
