// Shopper sign-up without opening `_users`: the region's sign-up route (served
// by the app server at /db/<region>/_signup) creates the account with the
// node's server admin, while `_users` itself stays admin-only, as in CouchDB 3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest, type Server } from 'node:http';
import { startCluster, until, type TestCluster } from './harness.ts';
import { createAppServer, regionAdminsOf } from '../../server/app-server.ts';
import { freePort } from '../../server/cluster.ts';
import { DEMO } from '../../server/config.ts';
import type { Couch, Credentials } from '../../server/couch-client.ts';
import { ids, userDbName } from '../../src/lib/model/index.ts';
import { countingProxy } from '../support/counting-proxy.ts';

let c: TestCluster;
let app: string;
let limited: string;
const servers: Server[] = [];

async function serve(opts: Parameters<typeof createAppServer>[2]) {
  const server = createAppServer(c.topology, '/nonexistent-build', opts);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  c = await startCluster(['BDG']);
  app = await serve({ admins: regionAdminsOf(c.secrets), signupLimit: { max: 1000, windowMs: 60_000 } });
  limited = await serve({ admins: regionAdminsOf(c.secrets), signupLimit: { max: 3, windowMs: 60_000 } });
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await c?.stop();
});

/** One HTTP call from a chosen loopback address (a "client" for the rate limit). */
function call(base: string, method: string, path: string, body?: unknown, opts: { from?: string; cookie?: string } = {}) {
  const u = new URL(base + path);
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise<{ status: number; json: any; headers: Record<string, any> }>((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, localAddress: opts.from,
        headers: { 'Content-Type': 'application/json', ...(opts.cookie ? { Cookie: opts.cookie } : {}) },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          let json: any = null;
          try {
            json = data ? JSON.parse(data) : null;
          } catch {
            json = { raw: data };
          }
          resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const signUp = (body: unknown, base = app, from?: string) => call(base, 'POST', '/db/bdg/_signup', body, { from });
const person = (name: string, password = 'rahasia-123') => ({ name, password, full_name: 'Sari Lestari', email: `${name}@contoh.id` });
const account = (name: string) => c.admin('BDG').getDoc('_users', `org.couchdb.user:${name}`);
const canSignIn = async (creds: Credentials) =>
  (await c.anon('BDG').request('POST', '/_session', { name: creds.name, password: creds.password })).status === 200;
const userDbExists = async (name: string) => (await c.admin('BDG').request('GET', `/${userDbName(name)}`)).status === 200;

describe('_users stays admin-only, as in CouchDB 3', () => {
  it('an anonymous PUT, POST or bulk write to _users is refused with 401 and stores nothing', async () => {
    const doc = { _id: 'org.couchdb.user:penyusup', name: 'penyusup', type: 'user', roles: [], password: 'rahasia-123' };
    const anon = c.anon('BDG');
    const put = await anon.request('PUT', '/_users/org.couchdb.user:penyusup', doc);
    expect(put.status, JSON.stringify(put.json)).toBe(401);
    expect((await anon.request('POST', '/_users', doc)).status).toBe(401);
    expect((await anon.request('POST', '/_users/_bulk_docs', { docs: [doc] })).status).toBe(401);
    expect(await account('penyusup')).toBeNull();
    // The same document from the server admin is stored: the refusal was about who asked.
    expect((await c.admin('BDG').request('PUT', '/_users/org.couchdb.user:penyusup', doc)).status).toBe(201);
  });

  it('the _users security object cannot be opened, not even by the server admin', async () => {
    const r = await c.admin('BDG').request('PUT', '/_users/_security', { members: { names: [], roles: [] }, admins: { names: [], roles: [] } });
    expect(r.status).toBe(403);
    expect((await c.anon('BDG').request('PUT', '/_users/org.couchdb.user:x', {})).status).toBe(401);
  });
});

describe('sign-up through the region', () => {
  it('a shopper signs up, signs in with _session, and has their own database at once', async () => {
    const me = person('sari.bdg');
    const r = await signUp(me);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json).toEqual({ ok: true, name: 'sari.bdg', db: userDbName('sari.bdg') });
    // The node hashed the plain password; the account has no roles and keeps the profile fields.
    const doc = await account('sari.bdg');
    expect(doc).toMatchObject({ type: 'user', name: 'sari.bdg', roles: [], full_name: 'Sari Lestari', email: 'sari.bdg@contoh.id', password_scheme: 'pbkdf2' });
    expect(doc.password).toBeUndefined();
    expect(typeof doc.derived_key).toBe('string');
    // Signing in through the app's /db origin gives a cookie that opens the shopper's database, no waiting.
    const login = await call(app, 'POST', '/db/bdg/_session', { name: me.name, password: me.password });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie'][0]).split(';')[0];
    const mine = await call(app, 'GET', `/db/bdg/${userDbName(me.name)}`, undefined, { cookie });
    expect(mine.status, JSON.stringify(mine.json)).toBe(200);
    const cart = await call(app, 'PUT', `/db/bdg/${userDbName(me.name)}/_local/probe`, { at: 1 }, { cookie });
    expect(cart.status).toBe(201);
  });

  it('the region service keeps the new shopper profile (full name, email) in ops', async () => {
    const service = await c.service('BDG');
    try {
      expect((await signUp({ ...person('dewi.bdg'), full_name: 'Dewi Anggraini' })).status).toBe(201);
      const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
      expect(await until(async () => (await svc.getDoc('ops', ids.user('BDG', 'dewi.bdg'))) !== null, 30_000)).toBe(true);
      expect(await svc.getDoc('ops', ids.user('BDG', 'dewi.bdg'))).toMatchObject({
        type: 'user', region_code: 'BDG', name: 'dewi.bdg', full_name: 'Dewi Anggraini', email: 'dewi.bdg@contoh.id',
      });
    } finally {
      await service.kill();
    }
  });

  it('a sign-up while the service starts is provisioned: what the node announces before the service listens is not lost', async () => {
    // The service's first wait for announcements is held on its way to the node; the sign-up happens meanwhile.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    const proxy = await countingProxy(c.topology.regions[0].url, {
      before: async (_m, url) => {
        if (!url.startsWith('/_db_updates?feed=longpoll')) return;
        held = true;
        await gate;
      },
    });
    const service = await c.service('BDG', { nodeUrl: proxy.url });
    try {
      expect(await until(async () => held)).toBe(true);
      expect((await signUp({ ...person('eko.bdg'), full_name: 'Eko Prasetyo' })).status).toBe(201);
      release();
      const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
      expect(await until(async () => (await svc.getDoc('ops', ids.user('BDG', 'eko.bdg'))) !== null, 30_000)).toBe(true);
    } finally {
      release();
      await service.kill();
      await proxy.close();
    }
  });

  it('a sign-up the service cannot handle at once (the node refused it the accounts) is handled on its next try', async () => {
    let refuse = 0;
    const proxy = await countingProxy(c.topology.regions[0].url, {
      before: (_m, url) => {
        if (!url.startsWith('/_users/_all_docs') || refuse <= 0) return;
        refuse--;
        return 'refuse';
      },
    });
    const service = await c.service('BDG', { nodeUrl: proxy.url });
    try {
      refuse = 1;
      expect((await signUp({ ...person('fajar.bdg'), full_name: 'Fajar Nugroho' })).status).toBe(201);
      const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
      expect(await until(async () => (await svc.getDoc('ops', ids.user('BDG', 'fajar.bdg'))) !== null, 30_000)).toBe(true);
      expect(refuse, 'the service met the refusal').toBe(0);
    } finally {
      await service.kill();
      await proxy.close();
    }
  });

  const BAD: Array<[string, unknown, string]> = [
    ['upper-case name', person('Budi'), 'name_invalid'],
    ['too short a name', person('bu'), 'name_invalid'],
    ['a name starting with an underscore', person('_budi'), 'name_invalid'],
    ['a colon in the name', person('bu:di'), 'name_invalid'],
    ['a space in the name', person('bu di'), 'name_invalid'],
    ['a short password', person('budi.pendek', 'pendek'), 'password_short'],
    ['a 129-character password', person('budi.panjang', 'x'.repeat(129)), 'password_long'],
    ['a password that is not a string', { ...person('budi.angka'), password: 12345678 }, 'bad_request'],
    ['an empty full name', { ...person('budi.tanpanama'), full_name: '  ' }, 'full_name_invalid'],
    ['a bad email', { ...person('budi.email'), email: 'bukan-email' }, 'email_invalid'],
    ['a missing email', { name: 'budi.noemail', password: 'rahasia-123', full_name: 'Budi' }, 'email_invalid'],
    ['roles smuggled in', { ...person('budi.peran'), roles: ['region-admin'] }, 'bad_request'],
    ['hash fields smuggled in', { ...person('budi.hash'), derived_key: 'ab', salt: 'cd' }, 'bad_request'],
    ['a body that is not JSON', '{nope', 'bad_request'],
    ['a JSON array', [person('budi.array')], 'bad_request'],
  ];
  for (const [what, body, code] of BAD) {
    it(`${what} is refused as ${code} and creates nothing`, async () => {
      const r = await signUp(body);
      expect(r.status).toBe(400);
      expect(r.json.error).toBe(code);
      expect(r.json.reason).toMatch(/\w/);
      const name = (Array.isArray(body) ? body[0] : (body as any))?.name;
      if (typeof name === 'string') {
        expect(await account(name)).toBeNull();
        expect(await userDbExists(name)).toBe(false);
      }
    });
  }

  it('a taken name is refused and the account keeps its password', async () => {
    expect((await signUp(person('rina.bdg', 'pertama-123'))).status).toBe(201);
    const before = await account('rina.bdg');
    const again = await signUp(person('rina.bdg', 'kedua-45678'));
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('taken');
    expect((await account('rina.bdg'))._rev).toBe(before._rev);
    expect(await canSignIn({ name: 'rina.bdg', password: 'pertama-123' })).toBe(true);
    expect(await canSignIn({ name: 'rina.bdg', password: 'kedua-45678' })).toBe(false);
  });

  it('staff, service, replication and server admin names are refused and those accounts are untouched', async () => {
    const staff = [DEMO.regionAdmin('BDG'), c.secrets.regions.BDG.service, c.secrets.regions.BDG.replicator];
    for (const s of staff) {
      const before = await account(s.name);
      expect(before, s.name).not.toBeNull();
      const r = await signUp(person(s.name, 'ambil-alih-123'));
      expect(r.status, s.name).toBe(409);
      expect(r.json.error).toBe('taken');
      expect(await account(s.name)).toEqual(before);
      expect(await canSignIn(s), s.name).toBe(true);
    }
    // The server admin has no _users document to collide with: the name is refused all the same.
    const nodeAdmin = c.secrets.regions.BDG.admin;
    const r = await signUp(person(nodeAdmin.name, 'ambil-alih-123'));
    expect(r.status).toBe(409);
    expect(await account(nodeAdmin.name)).toBeNull();
    expect(await canSignIn(nodeAdmin)).toBe(true);
    // Staff names of a region this node does not have yet are kept for staff too.
    expect((await signUp(person('admin-mdn'))).json.error).toBe('taken');
    expect(await account('admin-mdn')).toBeNull();
  });

  it('five sign-ups racing for one name make exactly one account', async () => {
    const tries = await Promise.all([1, 2, 3, 4, 5].map((i) => signUp(person('balapan.bdg', `sandi-ke-${i}00`))));
    const won = tries.map((t, i) => (t.status === 201 ? i + 1 : 0)).filter(Boolean);
    expect(won).toHaveLength(1);
    expect(tries.filter((t) => t.status === 409 && t.json.error === 'taken')).toHaveLength(4);
    expect(await canSignIn({ name: 'balapan.bdg', password: `sandi-ke-${won[0]}00` })).toBe(true);
    expect(await userDbExists('balapan.bdg')).toBe(true);
  });

  it('the rate limit stops one client and not another', async () => {
    // Three attempts allowed per client: this client spends them on bad input.
    for (let i = 0; i < 3; i++) expect((await signUp(person('x'), limited, '127.0.0.2')).status).toBe(400);
    const blocked = await signUp(person('tono.bdg'), limited, '127.0.0.2');
    expect(blocked.status).toBe(429);
    expect(blocked.json.error).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(await account('tono.bdg')).toBeNull();
    // Another client signs up with the very same details.
    const other = await signUp(person('tono.bdg'), limited, '127.0.0.3');
    expect(other.status, JSON.stringify(other.json)).toBe(201);
    expect(await account('tono.bdg')).not.toBeNull();
  });

  it('shoppers sign up at a region, not at central', async () => {
    expect((await call(app, 'POST', '/db/pusat/_signup', person('pusat.pembeli'))).status).toBe(404);
    expect((await call(app, 'GET', '/db/bdg/_signup')).status).toBe(405);
    expect(await c.admin('PUSAT').getDoc('_users', 'org.couchdb.user:pusat.pembeli')).toBeNull();
  });

  it('without the server admin the app server answers 503 and creates nothing', async () => {
    const bare = await serve({});
    const r = await signUp(person('tanpa.admin'), bare);
    expect(r.status).toBe(503);
    expect(r.json.error).toBe('unavailable');
    expect(await account('tanpa.admin')).toBeNull();
  });
});

describe('a signed-in shopper cannot change their own account', () => {
  let me: Couch;
  const creds = { name: 'agus.bdg', password: 'rahasia-agus' };
  beforeAll(async () => {
    expect((await signUp(person(creds.name, creds.password))).status).toBe(201);
    me = c.anon('BDG').as(creds);
  });

  const attempts: Array<[string, (doc: any) => any]> = [
    ['give themself a role', (d) => ({ ...d, roles: ['region-admin', 'region:BDG'] })],
    ['write hash fields directly', (d) => ({ ...d, password_scheme: 'pbkdf2', iterations: 1, salt: 'aa', derived_key: 'bb' })],
    ['change the password', (d) => ({ ...d, password: 'sandi-baru-123' })],
    ['change the email', (d) => ({ ...d, email: 'lain@contoh.id' })],
  ];
  for (const [what, edit] of attempts) {
    it(`a shopper cannot ${what} (403, the account unchanged)`, async () => {
      const before = await account(creds.name);
      const put = await me.request('PUT', `/_users/${encodeURIComponent(`org.couchdb.user:${creds.name}`)}`, edit(before));
      expect(put.status, JSON.stringify(put.json)).toBe(403);
      const bulk = await me.request('POST', '/_users/_bulk_docs', { docs: [edit(before)] });
      expect(bulk.status).toBe(403);
      expect(await account(creds.name)).toEqual(before);
      expect(await canSignIn(creds)).toBe(true);
    });
  }

  it('a shopper cannot read or delete their account document either', async () => {
    const before = await account(creds.name);
    expect((await me.request('GET', `/_users/org.couchdb.user:${creds.name}`)).status).toBe(403);
    expect((await me.request('DELETE', `/_users/org.couchdb.user:${creds.name}?rev=${before._rev}`)).status).toBe(403);
    expect(await account(creds.name)).toEqual(before);
  });

  it('the server admin can make those changes: the refusals were about who asked', async () => {
    const before = await account(creds.name);
    const r = await c.admin('BDG').request('PUT', `/_users/org.couchdb.user:${creds.name}`, { ...before, roles: ['vip'], password: 'sandi-baru-123' });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect((await account(creds.name)).roles).toEqual(['vip']);
    // CouchDB's authentication cache follows _users a moment later.
    expect(await until(() => canSignIn({ name: creds.name, password: 'sandi-baru-123' }))).toBe(true);
  });
});
