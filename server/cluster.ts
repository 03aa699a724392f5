// Embedded nodes as OS processes: one per node, each on its own port with
// its own data directory, restarted by the supervisor if it dies.
export { freePort } from './free-port.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendLog } from './append-log.ts';
import { hashPassword } from './node/auth.ts';
import { Couch, waitFor, type Credentials } from './couch-client.ts';
import { projectRoot } from './config.ts';
import type { NodeConfig } from './node/main.ts';
import { limitsFromIni } from './node/limits.ts';
import { couchdbNode, TEST_TUNING } from './couchdb-node.ts';
import { restartAfterExit, restartBudget } from './restart-budget.ts';
import { superviseHealth, type HealthCheckOptions } from './health-check.ts';

/**
 * V8's old space may grow to 1.5 times what was live after its last full collection. Left to itself
 * on a machine with memory to spare, V8 lets it grow up to four times: central building its views
 * held 60-100 MB of live objects in a heap of 300-400 MB. A proportion, not a cap: a node whose live
 * data grows still gets the heap it needs (measured, 300,000 orders at central: the highest sample
 * 875 -> 711 MB RSS, 603 -> 428 MB anonymous, views built in 569 s against 565).
 */
const NODE_FLAGS = ['--heap-growing-percent=50'];

/** Which engine new node processes run: Apache CouchDB when SEBARAN_COUCHDB names a release, else the embedded node. */
export const couchdbRelease = () => process.env.SEBARAN_COUCHDB || null;
export const engineName = () => (couchdbRelease() ? 'couchdb' : 'embedded');

/** A node process of the configured engine; `throwaway` tunes CouchDB's replicator for tests and benches. */
export function nodeProcess(spec: NodeSpec, opts: { throwaway?: boolean; cluster?: { cookie: string; n: number } } = {}): NodeHandle {
  const release = couchdbRelease();
  if (!release) return embeddedNode(spec);
  return couchdbNode({ ...spec, release, cluster: opts.cluster, extraIni: opts.throwaway ? TEST_TUNING : undefined });
}

export interface NodeHandle {
  name: string;
  url: string;
  port: number;
  dir: string;
  proc: ChildProcess | null;
  /** Starts (or restarts) the process and waits until it answers. */
  start(): Promise<void>;
  /** Sends a signal; SIGKILL simulates a crash (the supervisor, if any, brings it back). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export interface NodeSpec {
  name: string;
  url: string;
  dataDir: string;
  admin: Credentials;
  secret: string;
  /** Restart the process when it exits on its own, or when it stops answering `GET /_up` (killed first). */
  supervise?: boolean;
  /** The supervisor's health check; `HEALTH_DEFAULTS` (every 5 s, 3 s deadline, 3 misses) when absent. */
  healthCheck?: HealthCheckOptions;
  log?: (line: string) => void;
  pbkdf2Iterations?: number;
  /** Origins whose pages may call this node with credentials (CORS); none by default, as the app reaches nodes through its own /db proxy. */
  corsOrigins?: string[];
}

/** The origins `npm start` lets call its nodes: the app's own, plus any the topology lists. */
export function appOrigins(t: { app?: { host: string; port: number }; cors_origins?: string[] }): string[] {
  const app = t.app ?? { host: '127.0.0.1', port: 5170 };
  return [`http://${app.host}:${app.port}`, ...(t.cors_origins ?? [])];
}

export function embeddedNode(spec: NodeSpec): NodeHandle {
  const u = new URL(spec.url);
  const port = Number(u.port);
  const dir = spec.dataDir;
  mkdirSync(dir, { recursive: true });
  const cfgPath = join(dir, 'node.json');
  const cfg: NodeConfig = {
    name: spec.name,
    host: u.hostname,
    port,
    dataDir: dir,
    admins: { [spec.admin.name]: hashPassword(spec.admin.password, 10_000) },
    secret: spec.secret,
    corsOrigins: spec.corsOrigins ?? [],
    pbkdf2Iterations: spec.pbkdf2Iterations,
    // The same write limits Apache CouchDB reads from the project's local.ini.
    limits: limitsFromIni(readFileSync(join(projectRoot, 'couchdb', 'local.ini'), 'utf8')),
  };
  writeFileSync(cfgPath, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  let stopping = false;
  const onExit = restartAfterExit(spec, restartBudget(), join(dir, 'node.log'), 500, () => handle.start());
  const handle: NodeHandle = {
    name: spec.name,
    url: spec.url,
    port,
    dir,
    proc: null,
    async start() {
      stopping = false;
      // SEBARAN_PROF=<dir>: a CPU profile of each embedded node, written when it stops (bench profiling).
      const proc = spawn(process.execPath, [...NODE_FLAGS, ...(process.env.SEBARAN_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.SEBARAN_PROF] : []), '--import', 'tsx', join(projectRoot, 'server/node/main.ts'), cfgPath], {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Two malloc arenas: LevelDB's threads otherwise each grow their own, and a node that wrote
        // a lot holds hundreds of MB it no longer uses (measured: central after building its views).
        env: { MALLOC_ARENA_MAX: '2', ...process.env, SEBARAN_EXIT_WITH_PARENT: '1' },
      });
      appendLog(join(dir, 'node.log'), proc.stdout!, proc.stderr!);
      handle.proc = proc;
      let unwatch = () => {};
      proc.on('exit', (code, signal) => {
        if (handle.proc === proc) handle.proc = null;
        unwatch();
        if (!stopping) onExit(code, signal);
      });
      const up = await waitFor(() => new Couch(spec.url).up(500), 30_000, 100);
      if (!up) throw new Error(`node ${spec.name} did not answer at ${spec.url} within 30 s (see ${join(dir, 'node.log')})`);
      if (spec.supervise && handle.proc === proc) unwatch = superviseHealth(spec, proc, join(dir, 'node.log'));
    },
    async kill(signal = 'SIGKILL') {
      const p = handle.proc;
      if (!p) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await gone;
    },
    async stop() {
      stopping = true;
      await handle.kill('SIGTERM');
    },
  };
  return handle;
}

