// scratch: per-batch costs of central's ingest pieces, in process
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../server/node/store.ts';
import { designDoc } from '../server/design.ts';
import { defaultDemoOptions, generateDemo } from '../server/ops/demo-data.ts';
const dir = mkdtempSync(join(tmpdir(), 'sebaran-y-'));
const store = new Store(dir);
await store.ensureSystemDbs();
const admin = { name: 'admin', roles: ['_admin'] } as any;
const topo: any = { central: { code: 'PUSAT', url: 'x' }, regions: ['JKT', 'BDG', 'SBY'].map((code) => ({ code, name: code, url: 'x', warehouses: [{ code: code + '-A', name: 'A', city: code, delivery_days: { min: 1, max: 2 } }, { code: code + '-B', name: 'B', city: code, delivery_days: { min: 2, max: 4 } }] })) };
const data = generateDemo(topo, { ...defaultDemoOptions(), ordersPerRegion: 6000, photos: false });
const docs = data.regions.BDG.ops.map((d: any) => ({ ...d, _rev: '1-' + 'a'.repeat(32), _revisions: { start: 1, ids: ['a'.repeat(32)] } }));
for (const db of ['src', 'dst']) {
  await store.create(db);
  await store.write(db, [designDoc('ops', 'BDG', true, false)], admin, true);
}
const B = 500;
const t = async (label: string, f: () => Promise<unknown>, n = 8) => {
  const ms: number[] = [];
  for (let k = 0; k < n; k++) { const t0 = performance.now(); await f(); ms.push(performance.now() - t0); }
  ms.sort((a, b) => a - b);
  console.log(label.padEnd(50), (ms[Math.floor(n / 2)] / B * 1000).toFixed(0), 'µs/doc');
};
let i = 0;
await t('write new_edits=false (with VDU)', () => store.write('src', docs.slice(i, (i += B)), admin, false));
const src = (await store.get('src')).pouch as any;
const dst = (await store.get('dst')).pouch as any;
let since = 0;
await t('changes limit 500', async () => { const r = await src.changes({ since, limit: B }); since = r.last_seq; }, 4);
since = 0;
await t('changes limit 500 include_docs', async () => { const r = await src.changes({ since, limit: B, include_docs: true }); since = r.last_seq; }, 4);
since = 0;
const sel = { _id: { $regex: '^[a-z_]+:BDG:' } };
await t('changes limit 500 selector', async () => { const r = await src.changes({ since, limit: B, selector: sel }); since = r.last_seq; }, 4);
const ids = docs.slice(0, 2000).map((d: any) => d._id);
let j = 0;
await t('revsDiff 500 (missing)', () => dst.revsDiff(Object.fromEntries(ids.slice(j, (j += B) % 2000 || 2000).map((id: string) => [id, ['1-' + 'a'.repeat(32)]]))), 4);
j = 0;
await t('allDocs keys 500 include_docs (missing)', () => dst.allDocs({ keys: ids.slice(j, (j += B) % 2000 || 2000), include_docs: true, conflicts: true }), 4);
j = 0;
await t('allDocs keys 500 include_docs (present)', () => src.allDocs({ keys: ids.slice(j, (j += B) % 2000 || 2000), include_docs: true, conflicts: true }), 4);
j = 0;
await t('get x500 revs:true rev (present)', () => Promise.all(ids.slice(j, (j += B) % 2000 || 2000).map((id: string) => src.get(id, { revs: true, rev: '1-' + 'a'.repeat(32) }))), 4);
j = 0;
await t('get x500 (present, parallel)', () => Promise.all(ids.slice(j, (j += B) % 2000 || 2000).map((id: string) => src.get(id))), 4);
let m = 0;
await t('raw pouch bulkDocs new_edits=false (dst)', () => dst.bulkDocs(docs.slice(m, (m += B)), { new_edits: false }));
await t('store.write new_edits=false (dst, VDU)', () => store.write('dst', docs.slice(m, (m += B)), admin, false));
await t('JSON.stringify+parse 500', async () => JSON.parse(JSON.stringify(docs.slice(0, B))));

j = 0;
await t('get x500 conflicts (missing, parallel)', () => Promise.all(ids.slice(j, (j += B) % 2000 || 2000).map((id: string) => dst.get(id + 'x', { conflicts: true }).catch(() => null))), 4);
j = 0;
await t('get x500 conflicts (present, parallel)', () => Promise.all(ids.slice(j, (j += B) % 2000 || 2000).map((id: string) => src.get(id, { conflicts: true }).catch(() => null))), 4);
import { compileValidators } from '../server/node/validate.ts';
import { validateSource } from '../server/design.ts';
const vs = compileValidators([{ id: '_design/sebaran', source: validateSource('ops' as any, 'BDG', true) }]);
let q = 0;
await t('validators.run 500', () => vs.run(docs.slice(q, (q += B)).map((d: any) => ({ doc: d, old: null })), admin, {}));
process.exit(0);
