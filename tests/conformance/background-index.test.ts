// View indexes brought up to date without a query waiting for it. `update=false` never updates an
// index itself, so what it shows proves who did:
// - `update=lazy` (both engines, documented by CouchDB): answers at once from the index as it stands
//   and updates it afterwards. The shop's first page reads a view this way.
// - the embedded node's background indexer (auto-index.ts, after CouchDB's ken): a write alone brings
//   the index up to date within its delay. CouchDB's ken works per shard on its own schedule (here:
//   17 of 35 rows after 30 s), so that part is the embedded node's promise, not a shared contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../server/couch-client.ts';
import { startNodes, createDb, type BareNodes, type Bare } from './nodes.ts';

let env: BareNodes;
let n: Bare;
const design = { views: { by_n: { map: 'function (doc) { if (typeof doc.n === "number") emit(doc.n, null); }', reduce: '_count' } } };
const count = async (db: string, ddoc: string, update: string) => (await n.admin.ok('GET', `/${db}/_design/${ddoc}/_view/by_n?update=${update}`)).rows[0]?.value ?? 0;
const write = (db: string, from: number, k: number) => n.admin.ok('POST', `/${db}/_bulk_docs`, { docs: Array.from({ length: k }, (_, i) => ({ n: from + i })) });

beforeAll(async () => {
  env = await startNodes(1);
  n = env.nodes[0];
  for (const db of ['lazy', 'ken']) {
    await createDb(n.admin, db);
    await n.admin.ok('PUT', `/${db}/_design/d`, design);
  }
});
afterAll(async () => env?.stop());

describe('view indexes brought up to date in the background', () => {
  it('update=lazy answers without waiting for new writes, then the index catches up', async () => {
    await write('lazy', 0, 5);
    expect(await count('lazy', 'd', 'true')).toBe(5);
    await write('lazy', 100, 30);
    expect(await count('lazy', 'd', 'lazy')).toBeGreaterThanOrEqual(5);
    expect(await waitFor(async () => (await count('lazy', 'd', 'false')) === 35, 30_000, 250)).toBe(true);
  });

  it.skipIf(!!process.env.SEBARAN_COUCHDB)('embedded: writes alone bring an index up to date, a new design document\'s too', async () => {
    await write('ken', 0, 5);
    expect(await count('ken', 'd', 'true')).toBe(5);
    await write('ken', 100, 20);
    for (let i = 0; i < 10; i++) await n.admin.ok('POST', '/ken', { n: 200 + i });
    expect(await waitFor(async () => (await count('ken', 'd', 'false')) === 35, 30_000, 250)).toBe(true);
    await n.admin.ok('PUT', '/ken/_design/e', design);
    await write('ken', 300, 1);
    expect(await waitFor(async () => (await count('ken', 'e', 'false')) === 36, 30_000, 250)).toBe(true);
  });
});

describe('/_active_tasks', () => {
  it('lists an index being built as an indexer task, with its database and design document, and drops it when done', async () => {
    await createDb(n.admin, 'big');
    for (let k = 0; k < 4; k++) await write('big', k * 5000, 5000);
    await n.admin.ok('PUT', '/big/_design/d', design);
    const seen: any[] = [];
    let done = false;
    const build = count('big', 'd', 'true').finally(() => (done = true));
    while (!done) {
      const tasks = (await n.admin.ok('GET', '/_active_tasks')) as any[];
      seen.push(...tasks.filter((t) => t.type === 'indexer' && String(t.database).includes('big')));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await build).toBe(20_000);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ type: 'indexer', design_document: '_design/d' });
    expect(typeof seen[0].progress).toBe('number');
    expect(typeof seen[0].changes_done).toBe('number');
    expect(typeof seen[0].total_changes).toBe('number');
    const after = (await n.admin.ok('GET', '/_active_tasks')) as any[];
    expect(after.filter((t) => t.type === 'indexer' && String(t.database).includes('big'))).toEqual([]);
  });
});
