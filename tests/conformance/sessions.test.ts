// Sessions and cookies as CouchDB 3 serves them (`/_session`, AuthSession,
// Basic auth): the app signs people in with exactly these calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, createUser, isErrorShape, type BareNodes, type Bare } from './nodes.ts';

let env: BareNodes;
let n: Bare;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const cookiePair = (setCookie: string | null) => (setCookie ?? '').split(';')[0];
const attrs = (setCookie: string | null) => (setCookie ?? '').split(';').slice(1).map((s) => s.trim());

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  await createUser(n.admin, 'sari', 'pw-sari', ['shopper']);
});
afterAll(async () => env?.stop());

describe('POST /_session', () => {
  it('a JSON login answers ok, name and roles, and sets an AuthSession cookie', async () => {
    const r = await n.anon.request('POST', '/_session', { name: 'sari', password: 'pw-sari' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, name: 'sari', roles: ['shopper'] });
    expect(cookiePair(r.headers.get('set-cookie'))).toMatch(/^AuthSession=[A-Za-z0-9_-]+$/);
  });

  it('a form-encoded login works the same way', async () => {
    const r = await n.anon.request('POST', '/_session', 'name=sari&password=pw-sari', FORM);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, name: 'sari', roles: ['shopper'] });
    expect(cookiePair(r.headers.get('set-cookie'))).toMatch(/^AuthSession=.+/);
  });

  it('the cookie is HttpOnly, Path=/, SameSite=Lax and persistent for the configured week', async () => {
    const r = await n.anon.request('POST', '/_session', { name: 'sari', password: 'pw-sari' });
    const a = attrs(r.headers.get('set-cookie'));
    expect(a).toContain('HttpOnly');
    expect(a).toContain('Path=/');
    expect(a).toContain('SameSite=Lax');
    // couchdb/local.ini: timeout = 604800, allow_persistent_cookies = true.
    expect(a).toContain('Max-Age=604800');
  });

  it('a server admin gets the _admin role', async () => {
    const r = await n.anon.request('POST', '/_session', env.adminCreds);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, name: 'admin', roles: ['_admin'] });
  });

  it('a wrong password is 401 unauthorized with CouchDB\'s reason and no usable cookie', async () => {
    const r = await n.anon.request('POST', '/_session', { name: 'sari', password: 'salah' });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: 'unauthorized', reason: 'Name or password is incorrect.' });
    const set = r.headers.get('set-cookie');
    if (set) expect(cookiePair(set)).toBe('AuthSession='); // CouchDB clears it; the embedded node sends none
  });

  it('an unknown user gets the same answer as a wrong password', async () => {
    const r = await n.anon.request('POST', '/_session', { name: 'nobody', password: 'x' });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: 'unauthorized', reason: 'Name or password is incorrect.' });
  });

  it('a login without a password is the same 401, not a 400', async () => {
    const r = await n.anon.request('POST', '/_session', { name: 'sari' });
    expect(r.status).toBe(401);
    expect(isErrorShape(r.json)).toBe(true);
    expect(r.json.error).toBe('unauthorized');
  });
});

describe('GET /_session', () => {
  it('anonymous: name null, no roles, no authenticated handler', async () => {
    const r = await n.anon.request('GET', '/_session');
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(true);
    expect(r.json.userCtx).toEqual({ name: null, roles: [] });
    expect(r.json.info.authentication_handlers).toEqual(expect.arrayContaining(['cookie', 'default']));
    expect(r.json.info.authenticated).toBeUndefined();
  });

  it('with the cookie from a login: the user, authenticated by "cookie"', async () => {
    const login = await n.anon.request('POST', '/_session', { name: 'sari', password: 'pw-sari' });
    const r = await n.anon.request('GET', '/_session', undefined, { Cookie: cookiePair(login.headers.get('set-cookie')) });
    expect(r.status).toBe(200);
    expect(r.json.userCtx).toEqual({ name: 'sari', roles: ['shopper'] });
    expect(r.json.info.authenticated).toBe('cookie');
  });

  it('with Basic auth: the user, authenticated by "default"', async () => {
    const r = await n.as('sari', 'pw-sari').request('GET', '/_session');
    expect(r.status).toBe(200);
    expect(r.json.userCtx).toEqual({ name: 'sari', roles: ['shopper'] });
    expect(r.json.info.authenticated).toBe('default');
  });

  it('a forged cookie is simply anonymous', async () => {
    const forged = Buffer.from('sari:6B000000:bm90LWEtbWFj').toString('base64url');
    const r = await n.anon.request('GET', '/_session', undefined, { Cookie: `AuthSession=${forged}` });
    expect(r.status).toBe(200);
    expect(r.json.userCtx).toEqual({ name: null, roles: [] });
  });

  it('wrong Basic credentials are 401 on /_session and on a database', async () => {
    for (const path of ['/_session', '/_users']) {
      const r = await n.as('sari', 'salah').request('GET', path);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: 'unauthorized', reason: 'Name or password is incorrect.' });
    }
  });
});

describe('DELETE /_session', () => {
  it('answers ok and clears the cookie', async () => {
    const login = await n.anon.request('POST', '/_session', { name: 'sari', password: 'pw-sari' });
    const r = await n.anon.request('DELETE', '/_session', undefined, { Cookie: cookiePair(login.headers.get('set-cookie')) });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true });
    expect(cookiePair(r.headers.get('set-cookie'))).toBe('AuthSession=');
  });
});
