// A throwaway cluster (tests, bench): real node processes on free
// loopback ports, a temp data directory, `init` applied.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedNode, freePort, type NodeHandle } from './cluster.ts';
import { Couch, waitFor } from './couch-client.ts';
import { loadSecrets, projectRoot, type Secrets } from './config.ts';
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
  admin(code: string): Couch;
  anon(code: string): Couch;
  /** Starts a region service as its own process (so a test can kill -9 it). */
  service(code: string): Promise<ServiceHandle>;
  stop(): Promise<void>;
}

export async function startCluster(regions = ['JKT', 'BDG', 'SBY'], opts: { init?: boolean } = {}): Promise<TestCluster> {
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
  const all = [{ code: 'PUSAT', url: topology.central.url }, ...topology.regions];
  const services = new Set<ServiceHandle>();
  const cleanup = async () => {
    await Promise.all([...services].map((s) => s.kill('SIGKILL')));
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
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
    await Promise.all(
      all.map(async (n) => {
        nodes[n.code] = embeddedNode({
          name: n.code, url: n.url, dataDir: join(dir, n.code), admin: secrets.admin, secret: secrets.cookieSecret, pbkdf2Iterations: 1000,
        });
        await nodes[n.code].start();
      }),
    );
  }
  const urlOf = (code: string) => (code === 'PUSAT' ? topology.central.url : topology.regions.find((r) => r.code === code)!.url);
  return {
    dir, topology, topologyPath, secrets, secretsPath, nodes,
    admin: (code) => new Couch(urlOf(code), secrets.admin),
    anon: (code) => new Couch(urlOf(code)),
    async service(code) {
      const output: string[] = [];
      const proc = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'server/region/main.ts'), code], {
        cwd: projectRoot,
        env: { ...process.env, SEBARAN_TOPOLOGY: topologyPath, SEBARAN_SECRETS: secretsPath, SEBARAN_EXIT_WITH_PARENT: '1' },
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
      const ready = await waitFor(async () => output.join('').includes('region service running'), 60_000, 100);
      if (!ready) throw new Error(`region service ${code} did not start: ${output.join('')}`);
      return handle;
    },
    stop: cleanup,
  };
}

export const until = (check: () => Promise<boolean>, ms = 15_000) => waitFor(check, ms, 100);

export const now = () => new Date().toISOString();
