// `/_dbs_info`, CouchDB 3.2+: many databases' info in one request (the region service's sweep
// for changes `_db_updates` did not announce uses it). Server admins only; missing names answered
// in place; at most 100 names per POST.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, createDb, createUser, type BareNodes, type Bare } from './nodes.ts';

let env: BareNodes;
let n: Bare;
const seqNumber = (s: unknown) => Number.parseInt(String(s), 10);

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  for (const db of ['info-a', 'info-b', 'info-c']) await createDb(n.admin, db);
  await n.admin.ok('PUT', '/info-b/one', { x: 1 });
  await n.admin.ok('PUT', '/info-b/two', { x: 2 });
  await createUser(n.admin, 'eve', 'pw-eve');
});
afterAll(async () => env?.stop());

describe('POST /_dbs_info', () => {
  it('answers each name in the order asked, a missing one as not_found, with the update_seq GET /{db} gives', async () => {
    const r = await n.admin.request('POST', '/_dbs_info', { keys: ['info-b', 'nope', 'info-a', 7] });
    expect(r.status).toBe(200);
    expect(r.json.map((x: any) => x.key)).toEqual(['info-b', 'nope', 'info-a', 7]);
    expect(r.json[1]).toEqual({ key: 'nope', error: 'not_found' });
    expect(r.json[3]).toEqual({ key: 7, error: 'not_found' });
    expect(r.json[0].info).toMatchObject({ db_name: 'info-b', doc_count: 2 });
    expect(r.json[2].info).toMatchObject({ db_name: 'info-a', doc_count: 0 });
    const b = await n.admin.ok('GET', '/info-b');
    expect(seqNumber(r.json[0].info.update_seq)).toBe(seqNumber(b.update_seq));
    expect(seqNumber(r.json[0].info.update_seq)).toBeGreaterThan(seqNumber(r.json[2].info.update_seq));
  });

  it('the update_seq it gives moves with a write, as far as the changes feed\'s last_seq', async () => {
    const before = (await n.admin.ok('POST', '/_dbs_info', { keys: ['info-c'] }))[0].info.update_seq;
    await n.admin.ok('PUT', '/info-c/new', { x: 3 });
    const after = (await n.admin.ok('POST', '/_dbs_info', { keys: ['info-c'] }))[0].info.update_seq;
    const feed = await n.admin.ok('GET', '/info-c/_changes');
    expect(seqNumber(after)).toBeGreaterThan(seqNumber(before));
    expect(seqNumber(after)).toBe(seqNumber(feed.last_seq));
  });

  it('refuses a body without keys, keys that are no array, and more than 100 names, with 400', async () => {
    for (const [body, reason] of [
      [{}, '`keys` member must exist.'],
      [{ keys: 'info-a' }, '`keys` member must be an array.'],
      [{ keys: Array.from({ length: 101 }, (_, i) => `db${i}`) }, 'too_many_keys'],
    ] as const) {
      const r = await n.admin.request('POST', '/_dbs_info', body);
      expect([r.status, r.json], JSON.stringify(body).slice(0, 40)).toEqual([400, { error: 'bad_request', reason }]);
    }
    const hundred = await n.admin.request('POST', '/_dbs_info', { keys: Array.from({ length: 100 }, (_, i) => `db${i}`) });
    expect(hundred.status).toBe(200);
  });

  it('wants a JSON body: another content type is 415', async () => {
    const r = await fetch(`${n.url}/_dbs_info`, {
      method: 'POST', body: JSON.stringify({ keys: ['info-a'] }), headers: { ...n.admin.authHeader, 'Content-Type': 'text/plain' },
    });
    expect(r.status).toBe(415);
    expect(await r.json()).toMatchObject({ error: 'bad_content_type' });
  });

  it('is for server admins: anonymous and a signed-in user get 401', async () => {
    for (const c of [n.anon, n.as('eve', 'pw-eve')]) {
      const r = await c.request('POST', '/_dbs_info', { keys: ['info-a'] });
      expect([r.status, r.json]).toEqual([401, { error: 'unauthorized', reason: 'You are not a server admin.' }]);
    }
  });
});

describe('GET /_dbs_info', () => {
  it('lists every database with its info in name order, and takes limit, skip and start_key', async () => {
    const all = await n.admin.ok('GET', '/_dbs_info');
    const names = all.map((x: any) => x.key);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['_users', 'info-a', 'info-b', 'info-c']));
    expect(all.find((x: any) => x.key === 'info-b').info.doc_count).toBe(2);
    const page = await n.admin.ok('GET', `/_dbs_info?start_key=${encodeURIComponent('"info-a"')}&skip=1&limit=1`);
    expect(page.map((x: any) => x.key)).toEqual(['info-b']);
  });

  it('takes no other method', async () => {
    const r = await n.admin.request('PUT', '/_dbs_info', {});
    expect(r.status).toBe(405);
    expect(r.json.error).toBe('method_not_allowed');
  });
});
