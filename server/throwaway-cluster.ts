// A throwaway cluster (tests, bench): real node processes on free
// loopback ports, a temp data directory, `init` applied.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineName, freePort, nodeProcess, type NodeHandle } from './cluster.ts';
import { joinCluster } from './couchdb-node.ts';
import { randomBytes } from 'node:crypto';
import { Couch, waitFor } from './couch-client.ts';
import { adminOf, loadSecrets, projectRoot, type Secrets } from './config.ts';
import { initAll } from './ops/init.ts';
import type { Topology } from '../src/lib/model/topology.ts';

export interface ServiceHandle {
  proc: ChildProcess;
  output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface TestCluster {
  dir: string;
  topology: Topology;
  topologyPath: string;
  secrets: Secrets;
  secretsPath: string;
  nodes: Record<string, NodeHandle>;
  /** 'embedded' or 'couchdb' (SEBARAN_COUCHDB names a release). */
  engine: 'embedded' | 'couchdb';
  /** With `centralNodes: 3` on CouchDB: every member of central's cluster, the first one being nodes.PUSAT. */
  centralMembers: NodeHandle[];
  admin(code: string): Couch;
  anon(code: string): Couch;
  /** Starts a region service as its own process (so a test can kill -9 it); `nodeUrl` puts something (a proxy) between it and its node. */
  service(code: string, opts?: { nodeUrl?: string; readyMs?: number; settled?: boolean; env?: Record<string, string> }): Promise<ServiceHandle>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  init?: boolean;
  /** Central as a cluster of this many CouchDB nodes (n = the same), joined with /_cluster_setup. CouchDB only. */
  centralNodes?: number;
}

export async function startCluster(regions = ['JKT', 'BDG', 'SBY'], opts: ClusterOptions = {}): Promise<TestCluster> {
  const engine = engineName();
  const centralCount = opts.centralNodes ?? 1;
  if (centralCount > 1 && engine !== 'couchdb') throw new Error('A multi-node central needs Apache CouchDB: set SEBARAN_COUCHDB to a release');
  const dir = mkdtempSync(join(tmpdir(), 'sebaran-it-'));
  const url = async () => `http://127.0.0.1:${await freePort()}`;
  const topology: Topology = {
    central: { code: 'PUSAT', name: 'Pusat', url: await url() },
    regions: await Promise.all(
      regions.map(async (code) => ({
        code,
        name: code,
        url: await url(),
        warehouses: [
          { code: `${code}-A`, name: `Gudang ${code} A`, city: code, delivery_days: { min: 1, max: 2 } },
          { code: `${code}-B`, name: `Gudang ${code} B`, city: code, delivery_days: { min: 2, max: 4 } },
        ],
      })),
    ),
  };
  const topologyPath = join(dir, 'topology.json');
  writeFileSync(topologyPath, JSON.stringify(topology));
  const secretsPath = join(dir, 'secrets.json');
  const secrets = loadSecrets(topology, secretsPath);
  const nodes: Record<string, NodeHandle> = {};
  const centralMembers: NodeHandle[] = [];
  const all = [{ code: 'PUSAT', url: topology.central.url }, ...topology.regions];
  const services = new Set<ServiceHandle>();
  const cleanup = async () => {
    await Promise.all([...services].map((s) => s.kill('SIGKILL')));
    await Promise.all([...new Set([...Object.values(nodes), ...centralMembers])].map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await startNodes();
    if (opts.init !== false) await initAll(topology, secrets);
  } catch (e) {
    await cleanup();
    throw e;
  }
  async function startNodes() {
    const spec = (name: string, url: string) => ({
      name, url, dataDir: join(dir, name), admin: adminOf(secrets, topology, name.startsWith('PUSAT-') ? 'PUSAT' : name), secret: secrets.cookieSecret, pbkdf2Iterations: 1000,
    });
    const extraCentral = await Promise.all(Array.from({ length: centralCount - 1 }, async () => `http://127.0.0.1:${await freePort()}`));
    const cluster = centralCount > 1 ? { cookie: randomBytes(12).toString('hex'), n: centralCount } : undefined;
    await Promise.all([
      ...all.map(async (n) => {
        const isCentral = n.code === 'PUSAT';
        nodes[n.code] = nodeProcess(spec(n.code, n.url), { throwaway: true, cluster: isCentral ? cluster : undefined });
        if (isCentral) centralMembers.unshift(nodes[n.code]);
        await nodes[n.code].start();
      }),
      ...extraCentral.map(async (url, i) => {
        const member = nodeProcess(spec(`PUSAT-${i + 2}`, url), { throwaway: true, cluster });
        centralMembers.push(member);
        await member.start();
      }),
    ]);
    if (cluster) await joinCluster(centralMembers, secrets.admin);
  }
  const urlOf = (code: string) => (code === 'PUSAT' ? topology.central.url : topology.regions.find((r) => r.code === code)!.url);
  return {
    dir, topology, topologyPath, secrets, secretsPath, nodes, engine, centralMembers,
    admin: (code) => new Couch(urlOf(code), adminOf(secrets, topology, code)),
    anon: (code) => new Couch(urlOf(code)),
    async service(code, opts = {}) {
      const output: string[] = [];
      let serviceTopology = topologyPath;
      if (opts.nodeUrl) {
        serviceTopology = join(dir, `topology-${code}-service.json`);
        const regions = topology.regions.map((r) => (r.code === code ? { ...r, url: opts.nodeUrl! } : r));
        writeFileSync(serviceTopology, JSON.stringify({ ...topology, regions }));
      }
      const proc = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'server/region/main.ts'), code], {
        cwd: projectRoot,
        env: { ...process.env, ...opts.env, SEBARAN_TOPOLOGY: serviceTopology, SEBARAN_SECRETS: secretsPath, SEBARAN_EXIT_WITH_PARENT: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc.stdout!.on('data', (b) => output.push(String(b)));
      proc.stderr!.on('data', (b) => output.push(String(b)));
      const handle: ServiceHandle = {
        proc,
        output,
        async kill(signal = 'SIGTERM') {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const gone = new Promise((r) => proc.once('exit', r));
          proc.kill(signal);
          await gone;
          services.delete(handle);
        },
      };
      services.add(handle);
      // Settled: also past the start's background work (checking old orders' copies), for measures of a steady state.
      const mark = opts.settled ? 'order copies checked' : 'region service running';
      const ready = await waitFor(async () => output.join('').includes(mark), opts.readyMs ?? 60_000, 100);
      if (!ready) throw new Error(`region service ${code} did not start: ${output.join('')}`);
      return handle;
    },
    stop: cleanup,
  };
}

export const until = (check: () => Promise<boolean>, ms = 15_000) => waitFor(check, ms, 100);

export const now = () => new Date().toISOString();
