// Where the operator's files are: the topology (what nodes exist) and the
// secrets (who may log in). Both can be pointed elsewhere by environment.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Topology, type RegionSpec } from '../src/lib/model/topology.ts';
import type { Credentials } from './couch-client.ts';

export const projectRoot = resolve(dirname(new URL(import.meta.url).pathname), '..');
export const dataDir = () => resolve(process.env.SEBARAN_DATA ?? join(projectRoot, 'data'));

export function loadTopology(path = process.env.SEBARAN_TOPOLOGY ?? join(projectRoot, 'couchdb', 'topology.json')): Topology {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read the topology at ${path}: ${(e as Error).message}`);
  }
  const r = Topology.safeParse(raw);
  if (!r.success) {
    throw new Error(`Topology ${path} is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

export interface Secrets {
  /** Central's server admin. Each region node has its own (`regions[R].admin`): a regional machine's secrets reach no other node. */
  admin: Credentials;
  /** Central's own lane account: it copies between central's per-region databases and its merged ones. */
  central: { replicator: Credentials };
  /**
   * Per region: the replication account (at the region and at central, reaching only that region's
   * databases), the region service account, and the reader the app server uses for the region's public
   * catalog and stock (read-only by design: the app server forwards only reads with it).
   */
  regions: Record<string, { admin: Credentials; replicator: Credentials; service: Credentials; reader: Credentials }>;
  cookieSecret: string;
}

const password = () => randomBytes(18).toString('base64url');

/** Reads the secrets file, creating it (random passwords) and adding missing regions. */
export function loadSecrets(topology: Topology, path = process.env.SEBARAN_SECRETS ?? join(dataDir(), 'secrets.json')): Secrets {
  let s: Secrets;
  let changed = false;
  if (existsSync(path)) s = JSON.parse(readFileSync(path, 'utf8'));
  else {
    s = {
      admin: { name: process.env.SEBARAN_ADMIN_USER ?? 'admin', password: process.env.SEBARAN_ADMIN_PASSWORD ?? password() },
      central: { replicator: { name: 'repl-pusat', password: password() } },
      regions: {},
      cookieSecret: randomBytes(32).toString('hex'),
    };
    changed = true;
  }
  // A secrets file from before an account existed gets it added, with a fresh password.
  if (!s.central?.replicator) {
    s.central = { replicator: { name: 'repl-pusat', password: password() } };
    changed = true;
  }
  for (const r of topology.regions) {
    const lc = r.code.toLowerCase();
    const have: Partial<Secrets['regions'][string]> = s.regions[r.code] ?? {};
    if (have.admin && have.replicator && have.service && have.reader) continue;
    s.regions[r.code] = {
      // A region from a secrets file older than per-node admins keeps the shared admin its node was made with.
      admin: have.admin ?? (have.replicator ? { ...s.admin } : { name: s.admin.name, password: process.env.SEBARAN_ADMIN_PASSWORD ?? password() }),
      replicator: have.replicator ?? { name: `repl-${lc}`, password: password() },
      service: have.service ?? { name: `svc-${lc}`, password: password() },
      reader: have.reader ?? { name: `reader-${lc}`, password: password() },
    };
    changed = true;
  }
  if (changed) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(s, null, 2), { mode: 0o600 });
  }
  return s;
}

/** The server admin of one node: central's, or the region's own. */
export function adminOf(s: Secrets, t: Topology, code: string): Credentials {
  if (code === t.central.code) return s.admin;
  const r = s.regions[code];
  if (!r) throw new Error(`No secrets for region ${code}: run init, or add the region to the topology`);
  return r.admin;
}

/** Demo people with documented passwords: they exist only for the demo data. */
export const DEMO = {
  centralAdmin: { name: 'pusat', password: 'pusat-demo-123' },
  regionAdmin: (code: string) => ({ name: `admin-${code.toLowerCase()}`, password: `${code.toLowerCase()}-demo-123` }),
  shopperPassword: 'belanja-123',
};

export function regionOf(t: Topology, code: string): RegionSpec {
  const r = t.regions.find((x) => x.code === code);
  if (!r) throw new Error(`Region ${code} is not in the topology (known: ${t.regions.map((x) => x.code).join(', ')})`);
  return r;
}
