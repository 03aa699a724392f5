// Bare throwaway nodes for the conformance suite: real node processes of the
// configured engine (embedded, or Apache CouchDB with SEBARAN_COUCHDB) on free
// loopback ports, no `init`, no demo data. Each test file starts its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { engineName, freePort, nodeProcess, type NodeHandle } from '../../server/cluster.ts';
import { Couch, waitFor, type Credentials } from '../../server/couch-client.ts';

export interface Bare {
  url: string;
  admin: Couch;
  anon: Couch;
  as(name: string, password: string): Couch;
}

export interface BareNodes {
  engine: 'embedded' | 'couchdb';
  adminCreds: Credentials;
  nodes: Bare[];
  stop(): Promise<void>;
}

export async function startNodes(count = 1): Promise<BareNodes> {
  const dir = mkdtempSync(join(tmpdir(), 'sebaran-conf-'));
  const adminCreds = { name: 'admin', password: randomBytes(8).toString('hex') };
  const secret = randomBytes(16).toString('hex');
  const handles: NodeHandle[] = [];
  const stop = async () => {
    await Promise.all(handles.map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const urls = await Promise.all(Array.from({ length: count }, async () => `http://127.0.0.1:${await freePort()}`));
    await Promise.all(
      urls.map(async (url, i) => {
        const h = nodeProcess({ name: `N${i}`, url, dataDir: join(dir, `n${i}`), admin: adminCreds, secret, pbkdf2Iterations: 1000 }, { throwaway: true });
        handles.push(h);
        await h.start();
        // CouchDB creates its system databases (and _users' own design doc) shortly after it answers.
        const admin = new Couch(url, adminCreds);
        const ready = await waitFor(async () => {
          for (const db of ['_users', '_replicator']) if ((await admin.request('GET', `/${db}`)).status !== 200) return false;
          return engineName() === 'embedded' || (await admin.request('GET', '/_users/_design/_auth')).status === 200;
        }, 60_000, 200);
        if (!ready) throw new Error(`node at ${url}: system databases did not appear`);
      }),
    );
    return {
      engine: engineName(),
      adminCreds,
      nodes: urls.map((url) => ({
        url,
        admin: new Couch(url, adminCreds),
        anon: new Couch(url),
        as: (name, password) => new Couch(url, { name, password }),
      })),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A user in `_users`, written by the server admin. */
export async function createUser(admin: Couch, name: string, password: string, roles: string[] = []) {
  await admin.ok('PUT', `/_users/org.couchdb.user:${encodeURIComponent(name)}`, { _id: `org.couchdb.user:${name}`, name, password, roles, type: 'user' });
}

/** A fresh database with the given members (names); empty members keeps CouchDB 3's admin-only default. */
export async function createDb(admin: Couch, db: string, security?: { members?: string[]; admins?: string[]; memberRoles?: string[] }) {
  await admin.ok('PUT', `/${db}`);
  if (security) {
    await admin.ok('PUT', `/${db}/_security`, {
      admins: { names: security.admins ?? [], roles: [] },
      members: { names: security.members ?? [], roles: security.memberRoles ?? [] },
    });
  }
}

/** CouchDB's error body: exactly `{error, reason}`, both strings. */
export function isErrorShape(body: any): boolean {
  return !!body && typeof body.error === 'string' && typeof body.reason === 'string' && Object.keys(body).sort().join() === 'error,reason';
}
