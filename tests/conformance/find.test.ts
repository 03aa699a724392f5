// Mango `_find` and `_index` as CouchDB 3 answers them. The same selector
// language filters replication and `_changes`, which is what Sebaran leans on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, createDb, isErrorShape, type BareNodes, type Bare } from './nodes.ts';

let env: BareNodes;
let n: Bare;
const PRODUCTS = Array.from({ length: 7 }, (_, i) => ({
  _id: `product:${i}`,
  type: 'product',
  name: `P${i}`,
  price: [50, 10, 70, 30, 20, 60, 40][i],
  region: i % 2 ? 'BDG' : 'JKT',
}));
const find = (body: unknown) => n.admin.request('POST', '/mango/_find', body);
const ids = (docs: any[]) => docs.map((d) => d._id);

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  await createDb(n.admin, 'mango');
  await n.admin.bulk('mango', [...PRODUCTS, { _id: 'order:1', type: 'order', total: 5 }]);
});
afterAll(async () => env?.stop());

describe('_find', () => {
  it('a selector finds the matching documents, in a docs list', async () => {
    const r = await find({ selector: { type: 'product', region: 'BDG' } });
    expect(r.status).toBe(200);
    expect(ids(r.json.docs).sort()).toEqual(['product:1', 'product:3', 'product:5']);
  });

  it('operators ($gt, $in, $and) work', async () => {
    const r = await find({ selector: { $and: [{ price: { $gt: 30 } }, { region: { $in: ['JKT'] } }] } });
    expect(ids(r.json.docs).sort()).toEqual(['product:0', 'product:2', 'product:6']);
  });

  it('fields keeps only the named fields', async () => {
    const r = await find({ selector: { _id: 'product:2' }, fields: ['_id', 'price'] });
    expect(r.json.docs).toEqual([{ _id: 'product:2', price: 70 }]);
  });

  it('without an index answers anyway, with a warning', async () => {
    const r = await find({ selector: { type: 'order' } });
    expect(ids(r.json.docs)).toEqual(['order:1']);
    expect(typeof r.json.warning).toBe('string');
  });

  it('sort on a field with no index is 400 no_usable_index', async () => {
    const r = await find({ selector: { type: 'product' }, sort: [{ price: 'asc' }] });
    expect([r.status, r.json]).toEqual([400, { error: 'no_usable_index', reason: 'No index exists for this sort, try indexing by the sort fields.' }]);
  });

  it('an index without fields is 400 missing_required_key', async () => {
    const r = await n.admin.request('POST', '/mango/_index', { index: {} });
    expect([r.status, r.json]).toEqual([400, { error: 'missing_required_key', reason: 'Missing required key: fields' }]);
  });

  it('a missing selector is 400 missing_required_key; a selector that is not an object is 400 invalid_selector_json', async () => {
    const none = await find({ limit: 1 });
    expect([none.status, none.json]).toEqual([400, { error: 'missing_required_key', reason: 'Missing required key: selector' }]);
    const arr = await find({ selector: [1] });
    expect([arr.status, arr.json.error]).toEqual([400, 'invalid_selector_json']);
  });

  it('an unknown operator is 400 not_supported', async () => {
    const r = await find({ selector: { price: { $near: 3 } } });
    expect([r.status, r.json]).toEqual([400, { error: 'not_supported', reason: 'Unsupported operator: $near' }]);
  });

  it('a bookmark that is not one we gave is 400 invalid_bookmark', async () => {
    const r = await find({ selector: { type: 'product' }, bookmark: 'zzz' });
    expect([r.status, r.json.error]).toEqual([400, 'invalid_bookmark']);
    expect(isErrorShape(r.json)).toBe(true);
  });
});

describe('_index, then sorted and paged queries', () => {
  it('POST _index creates an index once ("created", then "exists")', async () => {
    const body = { index: { fields: ['price'] }, name: 'by-price', ddoc: 'idx' };
    const first = await n.admin.request('POST', '/mango/_index', body);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ result: 'created', id: '_design/idx', name: 'by-price' });
    const again = await n.admin.ok('POST', '/mango/_index', body);
    expect(again).toEqual({ result: 'exists', id: '_design/idx', name: 'by-price' });
  });

  it('GET _index lists it beside the special _all_docs index', async () => {
    const r = await n.admin.ok('GET', '/mango/_index');
    const names = r.indexes.map((i: any) => i.name);
    expect(names).toContain('_all_docs');
    const mine = r.indexes.find((i: any) => i.name === 'by-price');
    expect(mine).toMatchObject({ ddoc: '_design/idx', type: 'json', def: { fields: [{ price: 'asc' }] } });
  });

  it('with the index, sort works in both directions', async () => {
    const asc = await find({ selector: { price: { $gt: 0 } }, sort: [{ price: 'asc' }], fields: ['price'] });
    expect(asc.status).toBe(200);
    expect(asc.json.docs.map((d: any) => d.price)).toEqual([10, 20, 30, 40, 50, 60, 70]);
    const desc = await find({ selector: { price: { $gt: 0 } }, sort: [{ price: 'desc' }], fields: ['price'], limit: 2 });
    expect(desc.json.docs.map((d: any) => d.price)).toEqual([70, 60]);
  });

  it('limit and the returned bookmark page through the results without repeats', async () => {
    const query = { selector: { price: { $gt: 0 } }, sort: [{ price: 'asc' }], fields: ['_id', 'price'], limit: 3 };
    const seen: number[] = [];
    let bookmark: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const r = await find(bookmark ? { ...query, bookmark } : query);
      expect(r.status).toBe(200);
      expect(typeof r.json.bookmark).toBe('string');
      expect(r.json.docs.length).toBeLessThanOrEqual(3);
      if (r.json.docs.length === 0) break;
      seen.push(...r.json.docs.map((d: any) => d.price));
      bookmark = r.json.bookmark;
    }
    expect(seen).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('anonymous cannot create an index: 401', async () => {
    const r = await n.anon.request('POST', '/mango/_index', { index: { fields: ['name'] } });
    expect(r.status).toBe(401);
    expect(isErrorShape(r.json)).toBe(true);
  });
});
