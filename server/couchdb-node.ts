// Apache CouchDB 3 as a node process, started the way embedded nodes are
// (tests, bench, `npm start` with SEBARAN_COUCHDB): its own data dir, its own
// loopback port, config written from the project's couchdb/local.ini.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendLog } from './append-log.ts';
import { randomBytes } from 'node:crypto';
import { Couch, waitFor } from './couch-client.ts';
import { projectRoot } from './config.ts';
import { restartAfterExit, restartBudget } from './restart-budget.ts';
import { superviseHealth } from './health-check.ts';
import type { NodeHandle, NodeSpec } from './cluster.ts';

export interface CouchDbSpec extends NodeSpec {
  /** A CouchDB release directory (with bin/couchdb), e.g. from ../shared/tools/build-couchdb. */
  release: string;
  /** Member of a multi-node cluster: the shared Erlang cookie and the shard copies. */
  cluster?: { cookie: string; n: number };
  /** Extra ini text appended after the instance settings (tests tune the replicator). */
  extraIni?: string;
}

/** The project's couchdb/local.ini without its [admins] placeholder: the instance sets its own admin. */
function projectIni(): string {
  const text = readFileSync(join(projectRoot, 'couchdb', 'local.ini'), 'utf8');
  const out: string[] = [];
  let skip = false;
  for (const line of text.split('\n')) {
    const section = /^\s*\[([^\]]+)\]/.exec(line);
    if (section) skip = section[1] === 'admins';
    if (!skip) out.push(line);
  }
  return out.join('\n');
}

/** Settings that make a throwaway node quick to start replicating; a deployment keeps CouchDB's defaults. */
export const TEST_TUNING = `
[replicator]
; Start jobs at once and retry crashed ones within seconds (defaults: 5 s jitter, 60 s scheduler interval).
startup_jitter = 0
interval = 2000
cluster_start_period = 1
cluster_quiet_period = 1
checkpoint_interval = 2000
[log]
level = warning
`;

export function couchdbNode(spec: CouchDbSpec): NodeHandle {
  const bin = join(spec.release, 'bin', 'couchdb');
  if (!existsSync(bin)) throw new Error(`No Apache CouchDB release at ${spec.release} (expected ${bin}); build one with ../shared/tools/build-couchdb`);
  const u = new URL(spec.url);
  const port = Number(u.port);
  const dir = spec.dataDir;
  const etc = join(dir, 'etc');
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(etc, { recursive: true });
  const stable = join(etc, 'stable.json');
  if (!existsSync(stable)) {
    writeFileSync(stable, JSON.stringify({ uuid: randomBytes(16).toString('hex'), cookie: randomBytes(12).toString('hex') }));
  }
  const ids = JSON.parse(readFileSync(stable, 'utf8')) as { uuid: string; cookie: string };
  const nodeName = `couchdb${port}@127.0.0.1`;
  const instanceIni = `
; written on every start: this instance's port, paths and secrets
[couchdb]
single_node = ${spec.cluster ? 'false' : 'true'}
database_dir = ${join(dir, 'data')}
view_index_dir = ${join(dir, 'data')}
uuid = ${ids.uuid}
js_engine = quickjs
[cluster]
n = ${spec.cluster?.n ?? 1}
q = 2
[chttpd]
bind_address = ${u.hostname}
port = ${port}
enable_cors = ${spec.corsOrigins?.length ? 'true' : 'false'}
[chttpd_auth]
secret = ${spec.secret}
${spec.pbkdf2Iterations ? `iterations = ${spec.pbkdf2Iterations}` : ''}
[cors]
origins = ${(spec.corsOrigins ?? []).join(', ')}
[log]
; To stderr, which the node handle appends to couchdb.log: with writer = file, a full disk stops the
; whole VM (couch_log dies, and the kernel application with it) instead of failing the writes.
writer = stderr
${spec.extraIni ?? ''}
`;
  writeFileSync(join(etc, 'local.ini'), projectIni() + '\n' + instanceIni, { mode: 0o600 });
  // CouchDB replaces the plain admin password by its hash in the last ini file of the chain.
  const override = join(etc, 'override.ini');
  if (!existsSync(override)) writeFileSync(override, `[admins]\n${spec.admin.name} = ${spec.admin.password}\n`, { mode: 0o600 });
  writeFileSync(
    join(etc, 'vm.args'),
    [
      `-name ${nodeName}`,
      `-setcookie ${spec.cluster?.cookie ?? ids.cookie}`,
      '-kernel inet_dist_use_interface {127,0,0,1}',
      '-kernel error_logger silent',
      '-sasl sasl_error_logger false',
      '-kernel prevent_overlapping_partitions false',
      '+Bd -noinput',
      // No busy-waiting schedulers: an idle VM then sleeps instead of spinning, which matters when several
      // nodes share a laptop's cores (npm start runs four; a test run many more).
      '+sbwt none',
      '+sbwtdcpu none',
      '+sbwtdio none',
      '-os_mon start_cpu_sup false',
      '-os_mon start_memsup false',
    ].join('\n') + '\n',
  );
  const env = {
    ...process.env,
    ERL_EPMD_ADDRESS: process.env.ERL_EPMD_ADDRESS ?? '127.0.0.1',
    COUCHDB_ARGS_FILE: join(etc, 'vm.args'),
    COUCHDB_INI_FILES: `${join(spec.release, 'etc', 'default.ini')} ${join(etc, 'local.ini')} ${override}`,
  };
  const admin = new Couch(spec.url, spec.admin);
  let stopping = false;
  const onExit = restartAfterExit(spec, restartBudget(), join(dir, 'couchdb.log'), 1000, () => handle.start());
  const handle: NodeHandle = {
    name: spec.name,
    url: spec.url,
    port,
    dir,
    proc: null,
    async start() {
      stopping = false;
      if (await new Couch(spec.url).up(500)) {
        throw new Error(`node ${spec.name}: port ${port} already answers; refusing to start a second CouchDB there`);
      }
      // bin/couchdb execs the Erlang VM, so this pid is CouchDB itself (a signal reaches it).
      // Its own process group: CouchDB's QuickJS query servers are its children, and when the VM is
      // killed they outlive it, spinning on a closed pipe. The group is killed with the VM.
      const proc = spawn(bin, [], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      appendLog(join(dir, 'couchdb.log'), proc.stdout!, proc.stderr!);
      handle.proc = proc;
      let unwatch = () => {};
      let exited = false;
      proc.on('exit', (code, signal) => {
        exited = true;
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* the group is already empty */
        }
        reapOrphanQueryServers();
        if (handle.proc === proc) handle.proc = null;
        unwatch();
        if (!stopping) onExit(code, signal);
      });
      const up = await waitFor(async () => {
        if (exited) return true;
        const r = await admin.request('GET', '/_up');
        // A cluster member answers 404 "nodedown"-ish states until joined; reachable is enough here.
        return r.status === 200 || (!!spec.cluster && r.status < 500);
      }, 60_000, 100);
      if (exited || !up) {
        throw new Error(`CouchDB ${spec.name} did not answer at ${spec.url} within 60 s (see ${join(dir, 'couchdb.log')})`);
      }
      if (spec.supervise && handle.proc === proc) unwatch = superviseHealth(spec, proc, join(dir, 'couchdb.log'));
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
      const p = handle.proc;
      if (!p) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      // The VM shuts down its applications in order; a stuck one must not hold a test run.
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    },
  };
  return handle;
}

/**
 * CouchDB's QuickJS query servers run in process groups of their own; when their VM dies they are left
 * to init and spin on a closed pipe (a core each). A live VM's query servers are its children, so a
 * `couchjs` whose parent is init is an orphan: killed here (Linux /proc; elsewhere nothing happens).
 */
function reapOrphanQueryServers() {
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== 1) continue;
      if (!readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('couchjs')) continue;
      process.kill(Number(e), 'SIGKILL');
    } catch {
      /* gone, or not ours to read */
    }
  }
}

/**
 * Joins started CouchDB nodes into one cluster with CouchDB's documented `/_cluster_setup` flow:
 * `enable_cluster` on every node, `add_node` for each other node at the first one, then
 * `finish_cluster` (which shares the admins, uuid and auth secret and creates `_users` and
 * `_replicator`). `init` creates the rest afterwards.
 *
 * CouchDB refuses `enable_cluster` when the new bind address is the literal string "127.0.0.1"
 * (or "::1") and counts such a node as "not enabled". Throwaway nodes must stay on loopback, so
 * they give "127.1": the same address written another way (inet_parse reads it as 127.0.0.1), so
 * the listener stays on loopback while the setup API accepts it. A real cluster gives its LAN address.
 */
export async function joinCluster(nodes: NodeHandle[], admin: { name: string; password: string }) {
  const setup = async (n: NodeHandle, body: object) => {
    const r = await new Couch(n.url, admin).request('POST', '/_cluster_setup', body);
    if (r.status >= 300) throw new Error(`${n.url}/_cluster_setup ${JSON.stringify({ ...body, password: undefined })}: ${r.status} ${JSON.stringify(r.json)}`);
  };
  for (const n of nodes) {
    await setup(n, { action: 'enable_cluster', bind_address: '127.1', node_count: nodes.length });
    // The new bind address restarts the node's HTTP listener.
    if (!(await waitFor(() => new Couch(n.url).up(500), 30_000, 100))) throw new Error(`${n.url} did not answer after enable_cluster`);
  }
  for (const n of nodes.slice(1)) {
    // add_node names the member <name>@<host>: the Erlang node name the member runs as.
    const [name, host] = ((await new Couch(n.url, admin).ok('GET', '/_node/_local')).name as string).split('@');
    await setup(nodes[0], { action: 'add_node', host, port: n.port, name, username: admin.name, password: admin.password });
  }
  await setup(nodes[0], { action: 'finish_cluster' });
  const joined = await waitFor(async () => {
    for (const n of nodes) {
      const m = await new Couch(n.url, admin).ok('GET', '/_membership');
      if (m.cluster_nodes.length !== nodes.length || m.all_nodes.length !== nodes.length) return false;
    }
    return true;
  }, 30_000, 200);
  if (!joined) throw new Error(`CouchDB cluster at ${nodes[0].url} did not join ${nodes.length} nodes`);
}
