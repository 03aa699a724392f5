// The node's ledger fold (design-docs/ledger, the view the region service starts from) against the
// model's foldLedger, through the embedded node's real view engine, with generated ledgers (seeded):
// every region's grouped fold (stock, and units and revenue sold), and a fold read by keys, equal
// foldLedger of that region's entries, also as entries arrive between queries (the index is updated incrementally). Entries are checked
// with the LedgerEntry schema first, so the cases are ones the node's write rules accept.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { ViewEngine } from '../../server/node/views.ts';
import { ledgerDesignDoc } from '../../server/design.ts';
import { LedgerEntry, foldLedger, type Folded } from '../../src/lib/model/index.ts';
import { rng } from './random-text.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-fold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const engine = new ViewEngine();
const REGIONS = ['JKT', 'BDG', 'SBY'];
const REASONS = ['receive', 'sale', 'cancel', 'count', 'seed'] as const;

function ledger(seed: number, from: number, n: number): LedgerEntry[] {
  const r = rng(seed * 7919 + from);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, (_, k) => {
    const region = pick(REGIONS);
    const reason = pick(REASONS);
    const entry = {
      _id: `ledger:${region}:${reason === 'receive' ? 'receive' : reason}:case${seed}:${from + k}`, type: 'ledger', region_code: region,
      stock_id: `stock:${region}:${pick(['WH-A', 'WH-B'])}:${pick(['SEM-00001', 'SEM-00002', 'MIN-00003', 'BUM-00004'])}`,
      delta: Math.round((r() - 0.4) * 50) || 1, reason, ref: `x:${k}`, by: 'svc-bdg', at: '2026-12-01T00:00:00.000Z',
      // Sales and cancels carry their line's subtotal (older ones may not); others never count it.
      ...(r() < 0.8 ? { amount: Math.floor(r() * 2_000_000) } : {}),
    };
    return LedgerEntry.parse(entry);
  });
}

const foldFrom = (rows: any[]) =>
  new Map<string, Folded>(rows.map((r) => [r.key[1], { quantity: r.value[0], count: r.value[1], units: r.value[2], revenue: r.value[3] }]));

describe('the ledger fold view', () => {
  for (let seed = 1; seed <= 6; seed++) {
    it(`equals foldLedger per region, grouped and by keys, as entries arrive (case ${seed})`, async () => {
      const db = new PouchDB(join(dir, `ops-${seed}`), { adapter: 'leveldb' } as any);
      const { _id, ...ddoc } = ledgerDesignDoc();
      // Other kinds share the database: the fold takes none of them.
      await db.bulkDocs([{ _id, ...ddoc }, { _id: 'order:BDG:a:1', type: 'order', region_code: 'BDG', stock_id: 'stock:BDG:WH-A:SEM-00001', delta: 5 }] as any[]);
      const all: LedgerEntry[] = [];
      for (let round = 0; round < 4; round++) {
        const batch = ledger(seed, all.length, 30 + Math.floor(rng(seed + round)() * 200));
        await db.bulkDocs(batch as any[]);
        all.push(...batch);
        for (const region of REGIONS) {
          const want = foldLedger(all.filter((e) => e.region_code === region));
          const grouped: any = await engine.query(db, 'ledger', 'fold', { group: true, startkey: [region], endkey: [region, {}] });
          expect(foldFrom(grouped.rows)).toEqual(want);
          const asked = [...want.keys()].slice(0, 3).concat(`stock:${region}:WH-Z:NONE`);
          const byKeys: any = await engine.query(db, 'ledger', 'fold', { group: true, keys: asked.map((id) => [region, id]) });
          const got = foldFrom(byKeys.rows.filter((r: any) => Array.isArray(r.value)));
          expect(got).toEqual(new Map(asked.filter((id) => want.has(id)).map((id) => [id, want.get(id)!])));
        }
      }
      await db.close();
    });
  }
});
