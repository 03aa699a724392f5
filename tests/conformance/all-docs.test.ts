// `_all_docs` over more rows than the embedded node reads at once (it reads in slices of 500, so
// writes and small reads get in between): the same rows as CouchDB gives, across slice boundaries,
// for every combination of range, skip, limit and inclusive_end; and a write is not held behind a long
// read, nor behind a client that reads its answer slowly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, type IncomingMessage } from 'node:http';
import { startNodes, createDb, type BareNodes, type Bare } from './nodes.ts';
import { rng } from '../unit/random-text.ts';

let env: BareNodes;
let n: Bare;
const TOTAL = 1234;
const id = (i: number) => `doc-${String(i).padStart(5, '0')}`;
const all = Array.from({ length: TOTAL }, (_, i) => id(i));
const deleted = new Set([id(0), id(499), id(500), id(501), id(1000), id(1233)]);
const live = all.filter((x) => !deleted.has(x));

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  await createDb(n.admin, 'many');
  const written = await n.admin.ok('POST', '/many/_bulk_docs', { docs: all.map((x) => ({ _id: x, pad: 'x'.repeat(200) })) });
  const revs = new Map<string, string>(written.map((r: any) => [r.id, r.rev]));
  await n.admin.ok('POST', '/many/_bulk_docs', { docs: [...deleted].map((x) => ({ _id: x, _rev: revs.get(x), _deleted: true })) });
});
afterAll(async () => env?.stop());

/** What CouchDB answers, from the list of live ids (byte order, as _all_docs sorts). */
function expected(p: { startkey?: string; endkey?: string; skip?: number; limit?: number; inclusive_end?: boolean }) {
  let ids = live.filter((x) => (p.startkey === undefined || x >= p.startkey) && (p.endkey === undefined || (p.inclusive_end === false ? x < p.endkey : x <= p.endkey)));
  ids = ids.slice(p.skip ?? 0);
  return p.limit === undefined ? ids : ids.slice(0, p.limit);
}

describe('_all_docs over many rows', () => {
  it('gives every live row once, in order, with total_rows and offset, documents included', async () => {
    const r = await n.admin.ok('GET', '/many/_all_docs?include_docs=true');
    expect(r.total_rows).toBe(live.length);
    expect(r.offset).toBe(0);
    expect(r.rows.map((x: any) => x.id)).toEqual(live);
    expect(r.rows.every((x: any) => x.doc?._id === x.id && x.doc.pad.length === 200 && x.value.rev === x.doc._rev)).toBe(true);
  });

  it('agrees with the expected rows for generated ranges, skips and limits', async () => {
    const rand = rng(1103);
    const pick = () => all[Math.floor(rand() * TOTAL)];
    for (let k = 0; k < 40; k++) {
      const p: Record<string, any> = {};
      if (rand() < 0.6) p.startkey = pick();
      if (rand() < 0.5) p.endkey = pick();
      if (rand() < 0.4) p.skip = Math.floor(rand() * 700);
      if (rand() < 0.6) p.limit = Math.floor(rand() * 1300);
      if (rand() < 0.3) p.inclusive_end = false;
      if (p.startkey !== undefined && p.endkey !== undefined && p.startkey > p.endkey) [p.startkey, p.endkey] = [p.endkey, p.startkey];
      const qs = Object.entries(p).map(([key, v]) => `${key}=${encodeURIComponent(typeof v === 'string' ? JSON.stringify(v) : String(v))}`).join('&');
      const r = await n.admin.ok('GET', `/many/_all_docs?${qs}`);
      expect(r.rows.map((x: any) => x.id), qs).toEqual(expected(p));
    }
  });

  it('answers a POST with keys in the order asked, a deleted document as deleted', async () => {
    const r = await n.admin.ok('POST', '/many/_all_docs', { keys: [id(700), id(500), 'nope'] });
    expect(r.rows.map((x: any) => [x.id ?? x.key, x.error ?? x.value?.deleted ?? false])).toEqual([[id(700), false], [id(500), true], ['nope', 'not_found']]);
  });

  describe('a write beside a long read', () => {
    // Many small documents: a read whose answer is quick to send but long to gather.
    const LONG = 10_000;
    // About 20 MB: far more than the sockets between client and node buffer (4-6 MB here).
    const BIG = 5000;
    const fill = async (db: string, count: number, pad: number) => {
      await createDb(n.admin, db);
      for (let i = 0; i < count; i += 1000) {
        await n.admin.ok('POST', `/${db}/_bulk_docs`, { docs: Array.from({ length: 1000 }, (_, k) => ({ _id: id(i + k), pad: 'x'.repeat(pad) })) });
      }
    };
    beforeAll(async () => {
      await fill('long', LONG, 20);
      await fill('big', BIG, 4000);
    });

    it('answers a write while it reads every document', async () => {
      const order: string[] = [];
      const read = n.admin.ok('GET', '/long/_all_docs?include_docs=true').then((r) => {
        order.push('read');
        return r;
      });
      await n.admin.ok('PUT', '/long/aaa-written-meanwhile', { x: 1 });
      order.push('write');
      expect((await read).rows.length).toBeGreaterThanOrEqual(LONG);
      expect(order).toEqual(['write', 'read']);
    });

    it('answers a write while a client that reads slowly holds such an answer open', async () => {
      const u = new URL('/big/_all_docs?include_docs=true', n.url);
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        get(u, { headers: n.admin.authHeader }, resolve).on('error', reject);
      });
      // The answer has begun and is not read: it cannot be finished until the client reads on.
      expect(res.statusCode).toBe(200);
      await n.admin.ok('PUT', '/big/aaa-written-while-held', { x: 1 });
      expect(res.readableEnded).toBe(false);
      res.setEncoding('utf8');
      let body = '';
      for await (const c of res) body += c;
      expect(JSON.parse(body).rows.length).toBeGreaterThanOrEqual(BIG);
    });
  });
});
