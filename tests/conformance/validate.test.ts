// validate_doc_update as CouchDB runs it: (newDoc, oldDoc, userCtx, secObj),
// thrown {forbidden} is 403, {unauthorized} is 401. Sebaran's write rules
// (design-docs/lib) depend on every argument below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, createUser, createDb, isErrorShape, type BareNodes, type Bare } from './nodes.ts';
import type { Couch } from '../../server/couch-client.ts';

let env: BareNodes;
let n: Bare;
let ani: Couch;

// `probe: true` documents are refused with the arguments the function saw, so a test can read them.
const VDU = `function (newDoc, oldDoc, userCtx, secObj) {
  if (newDoc.probe) throw({ forbidden: JSON.stringify({ newDoc: newDoc, oldDoc: oldDoc, userCtx: userCtx, secObj: secObj }) });
  if (newDoc._deleted && oldDoc && oldDoc.keep) throw({ forbidden: 'keep me' });
  if (newDoc.kind === 'needs-login' && !userCtx.name) throw({ unauthorized: 'sign in first' });
  if (newDoc.kind === 'bad') throw({ forbidden: 'bad kind' });
  if (newDoc.kind === 'string') throw 'just a string';
  if (newDoc.kind === 'error') throw new Error('boom');
  if (oldDoc && oldDoc.locked) throw({ forbidden: 'locked' });
}`;

const SEC = { admins: { names: [], roles: [] }, members: { names: ['ani'], roles: ['staff'] } };

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  await createUser(n.admin, 'ani', 'pw-ani', ['staff', 'region:BDG']);
  await createDb(n.admin, 'rules');
  await n.admin.ok('PUT', '/rules/_security', SEC);
  await n.admin.ok('PUT', '/rules/_design/rules', { validate_doc_update: VDU });
  // A second database open to anyone, for anonymous writes.
  await createDb(n.admin, 'public', { members: [] });
  await n.admin.ok('PUT', '/public/_security', { admins: { names: [], roles: [] }, members: { names: [], roles: [] } });
  await n.admin.ok('PUT', '/public/_design/rules', { validate_doc_update: VDU });
  ani = n.as('ani', 'pw-ani');
});
afterAll(async () => env?.stop());

/** Writes a probe and returns what validate_doc_update saw. */
async function seen(couch: Couch, db: string, id: string, body: Record<string, unknown>) {
  const r = await couch.request('PUT', `/${db}/${id}`, { ...body, probe: true });
  expect(r.status, JSON.stringify(r.json)).toBe(403);
  return JSON.parse(r.json.reason);
}

describe('the arguments', () => {
  it('on create: newDoc is the body with its id, oldDoc is null', async () => {
    const s = await seen(ani, 'rules', 'fresh', { a: 1 });
    expect(s.newDoc).toMatchObject({ _id: 'fresh', a: 1, probe: true });
    expect(s.newDoc._rev).toBeUndefined();
    expect(s.oldDoc).toBeNull();
  });

  it('on update: oldDoc is the stored revision', async () => {
    const first = await ani.ok('PUT', '/rules/upd', { a: 1 });
    const s = await seen(ani, 'rules', 'upd', { _rev: first.rev, a: 2 });
    expect(s.newDoc).toMatchObject({ _id: 'upd', _rev: first.rev, a: 2 });
    // CouchDB adds the revision history (`_revisions`) to oldDoc; the embedded node does not, and no rule reads it.
    expect(s.oldDoc).toMatchObject({ _id: 'upd', _rev: first.rev, a: 1 });
    expect(s.oldDoc.probe).toBeUndefined();
  });

  it('userCtx carries db, name and roles; secObj is the database\'s _security', async () => {
    const s = await seen(ani, 'rules', 'who', {});
    expect(s.userCtx).toEqual({ db: 'rules', name: 'ani', roles: ['staff', 'region:BDG'] });
    expect(s.secObj).toMatchObject(SEC);
  });

  it('a server admin\'s userCtx has the _admin role', async () => {
    const s = await seen(n.admin, 'rules', 'adm', {});
    expect(s.userCtx.name).toBe('admin');
    expect(s.userCtx.roles).toContain('_admin');
    expect(s.userCtx.db).toBe('rules');
  });

  it('anonymous: name null, no roles', async () => {
    const s = await seen(n.anon, 'public', 'anon', {});
    expect(s.userCtx).toEqual({ db: 'public', name: null, roles: [] });
  });

  it('on delete: newDoc has _deleted true and oldDoc is the stored revision', async () => {
    const first = await ani.ok('PUT', '/rules/keeper', { keep: true });
    const r = await ani.request('DELETE', `/rules/keeper?rev=${first.rev}`);
    expect([r.status, r.json]).toEqual([403, { error: 'forbidden', reason: 'keep me' }]);
    expect((await ani.getDoc('rules', 'keeper'))._rev).toBe(first.rev);
    const viaBulk = await ani.ok('POST', '/rules/_bulk_docs', { docs: [{ _id: 'keeper', _rev: first.rev, _deleted: true }] });
    expect(viaBulk).toEqual([{ id: 'keeper', error: 'forbidden', reason: 'keep me' }]);
  });

  it('a deleted newDoc reaches the function (probe on a tombstone)', async () => {
    const first = await ani.ok('PUT', '/rules/tomb', { a: 1 });
    const r = await ani.request('PUT', `/rules/tomb`, { _rev: first.rev, _deleted: true, probe: true });
    const s = JSON.parse(r.json.reason);
    expect(s.newDoc).toMatchObject({ _id: 'tomb', _deleted: true });
    expect(s.oldDoc).toMatchObject({ _id: 'tomb', _rev: first.rev, a: 1 });
  });
});

describe('what a throw becomes', () => {
  it('{forbidden: msg} is 403 {error: "forbidden", reason: msg}, nothing stored', async () => {
    const r = await ani.request('PUT', '/rules/b1', { kind: 'bad' });
    expect([r.status, r.json]).toEqual([403, { error: 'forbidden', reason: 'bad kind' }]);
    expect(await n.admin.getDoc('rules', 'b1')).toBeNull();
  });

  it('{unauthorized: msg} is 401 {error: "unauthorized", reason: msg}', async () => {
    const r = await n.anon.request('PUT', '/public/u1', { kind: 'needs-login' });
    expect([r.status, r.json]).toEqual([401, { error: 'unauthorized', reason: 'sign in first' }]);
    expect(await n.admin.getDoc('public', 'u1')).toBeNull();
  });

  it('a thrown string is 500 unknown_error with the string as reason, nothing stored', async () => {
    const r = await ani.request('PUT', '/rules/s1', { kind: 'string' });
    expect([r.status, r.json]).toEqual([500, { error: 'unknown_error', reason: 'just a string' }]);
    expect(await n.admin.getDoc('rules', 's1')).toBeNull();
  });

  it('a thrown Error is 500 with error "Error", nothing stored', async () => {
    const r = await ani.request('PUT', '/rules/e1', { kind: 'error' });
    expect(r.status).toBe(500);
    expect(isErrorShape(r.json)).toBe(true);
    expect(r.json.error).toBe('Error'); // CouchDB's reason is an empty serialised object ("{[]}"): not asserted
    expect(await n.admin.getDoc('rules', 'e1')).toBeNull();
  });

  it('a rule that does not compile is stored, and then every write it governs fails with 500 compilation_error', async () => {
    await createDb(n.admin, 'broken');
    expect((await n.admin.request('PUT', '/broken/_design/broken', { validate_doc_update: 'function( {' })).status).toBe(201);
    const r = await n.admin.request('PUT', '/broken/plain', { a: 1 });
    expect(r.status).toBe(500);
    expect(r.json.error).toBe('compilation_error');
    expect(await n.admin.getDoc('broken', 'plain')).toBeNull();
  });

  it('_bulk_docs reports each refusal per document and stores the rest', async () => {
    const r = await ani.ok('POST', '/rules/_bulk_docs', { docs: [{ _id: 'ok1' }, { _id: 'no1', kind: 'bad' }, { _id: 'ok2' }] });
    expect(r[0]).toMatchObject({ ok: true, id: 'ok1' });
    expect(r[1]).toEqual({ id: 'no1', error: 'forbidden', reason: 'bad kind' });
    expect(r[2]).toMatchObject({ ok: true, id: 'ok2' });
    expect(await n.admin.getDoc('rules', 'no1')).toBeNull();
    expect(await n.admin.getDoc('rules', 'ok2')).not.toBeNull();
  });

  it('design documents are not passed through validate_doc_update', async () => {
    expect((await n.admin.request('PUT', '/rules/_design/other', { kind: 'bad', views: {} })).status).toBe(201);
  });
});

describe('validation and conflicts', () => {
  it('a stale rev that the rules would also refuse is a 409 conflict: revisions are checked before the rules run', async () => {
    const first = await ani.ok('PUT', '/rules/order', { locked: false });
    const second = await ani.ok('PUT', '/rules/order', { _rev: first.rev, locked: true });
    // Stale rev and a rule that refuses (oldDoc.locked) at once.
    const r = await ani.request('PUT', '/rules/order', { _rev: first.rev, v: 3 });
    expect([r.status, r.json]).toEqual([409, { error: 'conflict', reason: 'Document update conflict.' }]);
    const noRev = await ani.request('PUT', '/rules/order', { v: 3 });
    expect([noRev.status, noRev.json]).toEqual([409, { error: 'conflict', reason: 'Document update conflict.' }]);
    // The current rev and the same rule: the rule speaks.
    const cur = await ani.request('PUT', '/rules/order', { _rev: second.rev, v: 3 });
    expect([cur.status, cur.json]).toEqual([403, { error: 'forbidden', reason: 'locked' }]);
  });

  it('a create over an existing document that the rules would refuse is a 409 conflict, in _bulk_docs too', async () => {
    await ani.ok('PUT', '/rules/exists', { a: 1 });
    const r = await ani.request('PUT', '/rules/exists', { kind: 'bad' });
    expect([r.status, r.json]).toEqual([409, { error: 'conflict', reason: 'Document update conflict.' }]);
    const bulk = await ani.ok('POST', '/rules/_bulk_docs', { docs: [{ _id: 'exists', kind: 'bad' }] });
    expect(bulk).toEqual([{ id: 'exists', error: 'conflict', reason: 'Document update conflict.' }]);
  });
});
