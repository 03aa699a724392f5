// Nobody outside a database writes what others rely on: no anonymous `_local`
// write (the lanes' checkpoints live there), no attachments on shoppers'
// documents, and every document and attachment bounded as local.ini says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { startCluster, now, type TestCluster } from '../integration/harness.ts';
import { DEMO } from '../../server/config.ts';
import { provisionUserDb } from '../../server/ops/userdb.ts';
import { createAppServer, readersOf } from '../../server/app-server.ts';
import { freePort } from '../../server/cluster.ts';
import { validFixtures as v } from '../fixtures/documents.ts';
import { userDbName } from '../../src/lib/model/index.ts';

let c: TestCluster;
let app: Server;
let appUrl: string;
const shopper = { name: 'budi.bdg', password: 'rahasia-budi' };
beforeAll(async () => {
  c = await startCluster(['BDG']);
  await c.admin('BDG').ok('PUT', `/_users/org.couchdb.user:${shopper.name}`, { _id: `org.couchdb.user:${shopper.name}`, name: shopper.name, type: 'user', roles: [], password: shopper.password });
  await provisionUserDb(c.admin('BDG'), shopper.name, 'BDG');
  app = createAppServer(c.topology, '/nonexistent-build', { readers: readersOf(c.secrets) });
  const port = await freePort();
  await new Promise<void>((r) => app.listen(port, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  app?.closeAllConnections();
  app?.close();
  await c?.stop();
});

describe('_local documents of the public catalog and stock', () => {
  it('anonymous can neither read nor rewrite them (401), at the region or at central, so no lane checkpoint can be forged', async () => {
    // The lanes keep their checkpoints as `_local` documents on both ends; one stands for them here.
    for (const [node, db] of [['BDG', 'catalog'], ['BDG', 'inventory'], ['PUSAT', 'catalog'], ['PUSAT', 'inventory-bdg']]) {
      const id = '_local/checkpoint-probe';
      await c.admin(node).ok('PUT', `/${db}/${id}`, { session_id: 's1', source_last_seq: '5', history: [] });
      const before = await c.admin(node).getDoc(db, id);
      expect((await c.anon(node).request('GET', `/${db}/${id}`)).status).toBe(401);
      const r = await c.anon(node).request('PUT', `/${db}/${id}`, { ...before, history: [], source_last_seq: '999999999' });
      expect([`${node}/${db}`, r.status]).toEqual([`${node}/${db}`, 401]);
      const fresh = await c.anon(node).request('PUT', `/${db}/_local/junk`, { x: 1 });
      expect([`${node}/${db}`, fresh.status]).toEqual([`${node}/${db}`, 401]);
      expect(await c.admin(node).getDoc(db, id)).toEqual(before);
      expect(await c.admin(node).getDoc(db, '_local/junk')).toBeNull();
      // The write was possible: a member of the database (here the server admin) makes it.
      expect((await c.admin(node).request('PUT', `/${db}/${id}`, { ...before, source_last_seq: '6' })).status).toBe(201);
    }
  });

  it('a signed-in shopper cannot write _local documents into the catalog or stock (403), nor through the app server', async () => {
    for (const db of ['catalog', 'inventory']) {
      const direct = await c.anon('BDG').as(shopper).request('PUT', `/${db}/_local/junk`, { x: 1 });
      expect([db, direct.status]).toEqual([db, 403]);
      const signedIn: Record<string, string> = { Authorization: 'Basic ' + Buffer.from(`${shopper.name}:${shopper.password}`).toString('base64') };
      for (const headers of [{} as Record<string, string>, signedIn]) {
        const res = await fetch(`${appUrl}/db/bdg/${db}/_local/junk`, { method: 'PUT', body: '{"x":1}', headers: { 'Content-Type': 'application/json', ...headers } });
        expect([db, res.status]).toEqual([db, 'Authorization' in headers ? 403 : 401]);
      }
      expect(await c.admin('BDG').getDoc(db, '_local/junk')).toBeNull();
    }
  });

  it('the app server reads the public catalog and stock for anyone, and writes nothing with its reader', async () => {
    const get = await fetch(`${appUrl}/db/bdg/catalog/_all_docs?limit=1`);
    expect(get.status).toBe(200);
    const bulkGet = await fetch(`${appUrl}/db/bdg/inventory/_bulk_get`, { method: 'POST', body: JSON.stringify({ docs: [{ id: 'x' }] }), headers: { 'Content-Type': 'application/json' } });
    expect(bulkGet.status).toBe(200);
    for (const [method, path] of [['POST', '/catalog'], ['POST', '/catalog/_bulk_docs'], ['DELETE', '/catalog'], ['PUT', '/inventory/_local/x'], ['GET', '/ops/_all_docs']]) {
      const res = await fetch(`${appUrl}/db/bdg${path}`, { method, body: method === 'POST' ? JSON.stringify({ docs: [], _id: 'product:X' }) : undefined, headers: { 'Content-Type': 'application/json' } });
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
  });
});

describe('sizes and attachments', () => {
  const db = () => userDbName(shopper.name);
  const mb = (n: number) => Buffer.alloc(Math.round(n * 1024 * 1024), 7);

  it('a cart item carries no attachment, however small (403, naming the field)', async () => {
    const me = c.anon('BDG').as(shopper);
    const item = { ...v.cart_item, _id: 'cart:stock:BDG:BDG-KOTA:ATT-1', _attachments: { 'x.png': { content_type: 'image/png', data: mb(0.01).toString('base64') } } };
    const r = await me.request('PUT', `/${db()}/${item._id}`, item);
    expect([r.status, r.json.error]).toEqual([403, 'forbidden']);
    expect(r.json.reason).toMatch(/_attachments/);
    const plain = await me.request('PUT', `/${db()}/cart:stock:BDG:BDG-KOTA:ATT-2`, { ...v.cart_item, _id: 'cart:stock:BDG:BDG-KOTA:ATT-2' });
    expect(plain.status).toBe(201);
    const added = await me.request('PUT', `/${db()}/cart:stock:BDG:BDG-KOTA:ATT-2/x.png?rev=${plain.json.rev}`, mb(0.01), { 'Content-Type': 'image/png' });
    expect(added.status).toBe(403);
    expect((await c.admin('BDG').getDoc(db(), 'cart:stock:BDG:BDG-KOTA:ATT-2'))._attachments).toBeUndefined();
  });

  it('a stranger announcing a 50 MB body is refused (401) from the headers, before the node reads it', async () => {
    const { hostname, port } = new URL(c.topology.regions.find((r) => r.code === 'BDG')!.url);
    const sock = connect(Number(port), hostname);
    let answer = '';
    sock.on('data', (d) => (answer += d.toString('latin1')));
    sock.on('error', () => {});
    // Only the start of the body is ever sent: an answer can come only from the headers.
    sock.write(`POST /${db()}/_bulk_docs HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{"docs":[`);
    try {
      await expect.poll(() => answer, { timeout: 20_000 }).toMatch(/^HTTP\/1\.1 401/);
    } finally {
      sock.destroy();
    }
    // The same request, signed in as the database's shopper, is read and written.
    const me = c.anon('BDG').as(shopper);
    expect((await me.request('POST', `/${db()}/_bulk_docs`, { docs: [{ ...v.cart_item, _id: 'cart:stock:BDG:BDG-KOTA:HDR-1' }] })).status).toBe(201);
  });

  it('a deletion that carries a body the kind refuses (padding, an attachment) is refused and the line stays; a bare one deletes', async () => {
    const me = c.anon('BDG').as(shopper);
    const id = 'cart:stock:BDG:BDG-KOTA:TOMB-1';
    const put = await me.request('PUT', `/${db()}/${id}`, { ...v.cart_item, _id: id });
    expect(put.status).toBe(201);
    const padded = { ...v.cart_item, _id: id, _rev: put.json.rev, _deleted: true, junk: 'x'.repeat(100_000) };
    const withFile = { _id: id, _rev: put.json.rev, _deleted: true, _attachments: { 'a.html': { content_type: 'text/html', data: mb(0.01).toString('base64') } } };
    for (const doc of [padded, withFile]) {
      const r = await me.request('PUT', `/${db()}/${id}`, doc);
      expect([r.status, r.json.error]).toEqual([403, 'forbidden']);
    }
    expect((await c.admin('BDG').getDoc(db(), id))._rev).toBe(put.json.rev);
    expect((await me.request('PUT', `/${db()}/${id}`, { _id: id, _rev: put.json.rev, _deleted: true })).status).toBe(200);
    expect(await c.admin('BDG').getDoc(db(), id)).toBeNull();
  });

  it("a shopper's 60 MB attachment on a cart item is refused and stores nothing (CouchDB runs the write rules before it reads a standalone attachment: 403, or it closes the connection before the client has sent the body; the embedded node checks the size first: 413)", async () => {
    const me = c.anon('BDG').as(shopper);
    const id = 'cart:stock:BDG:BDG-KOTA:BIG';
    const r = await me.request('PUT', `/${db()}/${id}/x.png`, mb(60), { 'Content-Type': 'image/png' }).catch((e: Error & { cause?: { code?: string } }) => e);
    if (r instanceof Error) {
      // CouchDB answered and closed while 60 MB were still on their way: the client sees a reset, not the 403.
      expect(c.engine).toBe('couchdb');
      expect(r.cause?.code).toMatch(/^(ECONNRESET|EPIPE)$/);
    } else if (c.engine === 'couchdb') expect([r.status, r.json.error]).toEqual([403, 'forbidden']);
    else expect([r.status, r.json.error]).toEqual([413, 'attachment_too_large']);
    expect(await c.admin('BDG').getDoc(db(), id)).toBeNull();
  });

  it('a photo over max_attachment_size (4 MiB) is 413 attachment_too_large, even for the central admin', async () => {
    const pusat = c.anon('PUSAT').as(DEMO.centralAdmin);
    const product = (sku: string, size: number) => ({
      ...v.product, _id: `product:${sku}`, sku, created_at: now(), updated_at: now(),
      _attachments: { 'photo.png': { content_type: 'image/png', data: mb(size).toString('base64') } },
    });
    const big = await pusat.request('PUT', '/catalog/product:BIG-PHOTO', product('BIG-PHOTO', 5));
    expect([big.status, big.json.error], JSON.stringify(big.json)).toEqual([413, 'attachment_too_large']);
    expect(await c.admin('PUSAT').getDoc('catalog', 'product:BIG-PHOTO')).toBeNull();
    // The limit was what refused it: a photo within it is stored.
    expect((await pusat.request('PUT', '/catalog/product:OK-PHOTO', product('OK-PHOTO', 0.5))).status).toBe(201);
  });

  it('a document or _local document over max_document_size (1 MiB) is 413 document_too_large, alone or in a bulk', async () => {
    const me = c.anon('BDG').as(shopper);
    const pad = 'x'.repeat(1_100_000);
    for (const id of ['_local/huge', 'cart:stock:BDG:BDG-KOTA:HUGE']) {
      const r = await me.request('PUT', `/${db()}/${id}`, { ...v.cart_item, _id: id, note: pad });
      expect([id, r.status, r.json.error]).toEqual([id, 413, 'document_too_large']);
      expect(await c.admin('BDG').getDoc(db(), id)).toBeNull();
    }
    const bulk = await me.request('POST', `/${db()}/_bulk_docs`, { docs: [{ _id: '_local/huge', pad }, { _id: '_local/small' }] });
    expect([bulk.status, bulk.json.error]).toEqual([413, 'document_too_large']);
    expect(await c.admin('BDG').getDoc(db(), '_local/small')).toBeNull();
    // Within the limit, the same shopper's _local write goes through (their own database).
    expect((await me.request('PUT', `/${db()}/_local/small`, { pad: 'x'.repeat(1000) })).status).toBe(201);
  });
});
