// Key paging over one or several view ranges: walking every page from the first visits each row of
// the range exactly once, newest first, and the count agrees. Generated cases (seeded): many rows
// share a timestamp, regions differ in size, and page sizes vary. The sources here answer view
// queries as CouchDB does (startkey + startkey_docid inclusive, endkey inclusive, descending); the
// integration and e2e tests run the same module against real nodes.
import { describe, expect, it } from 'vitest';
import { countOf, memorySource, newestFirst, oldestFirst, pageOf, type KeyRow, type KeySource } from '../../src/lib/sync/key-pager.ts';
import { rng } from './random-text.ts';

/** A view range answered like CouchDB (memorySource), checked to be asked as the pager must: descending, never skip. */
function viewSource(prefix: string[], all: KeyRow[], calls: { n: number }): KeySource {
  const view = memorySource(prefix, all);
  const checked = (p: Record<string, unknown>) => {
    expect(p.descending).toBe(true);
    expect(p.skip).toBeUndefined();
  };
  return {
    prefix,
    rows: async (p) => (checked(p), calls.n++, view.rows(p)),
    count: async (p) => (checked(p), view.count(p)),
  };
}

function generated(seed: number) {
  const r = rng(seed);
  const regions = ['BDG', 'JKT', 'SBY'].slice(0, 1 + Math.floor(r() * 3));
  const times = Array.from({ length: 1 + Math.floor(r() * 12) }, (_, i) => new Date(Date.UTC(2026, 10, 1 + i, Math.floor(r() * 24))).toISOString());
  const rows: KeyRow[] = [];
  for (const R of regions) {
    const n = Math.floor(r() * 60);
    for (let i = 0; i < n; i++) {
      const at = times[Math.floor(r() * times.length)];
      rows.push({ id: `order:${R}:u${Math.floor(r() * 5)}:${String(i).padStart(4, '0')}`, key: [R, at], value: { n: i } });
    }
  }
  return { regions, times, rows, perPage: 1 + Math.floor(r() * 25) };
}

describe('key paging', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`case ${seed}: every row once, newest first, and the count agrees`, async () => {
      const { regions, times, rows, perPage } = generated(seed);
      const calls = { n: 0 };
      const sources = regions.map((R) => viewSource([R], rows.filter((x) => x.key[0] === R), calls));
      // Half the cases narrow the time range, as the date filter does.
      const sorted = [...times].sort();
      const range = seed % 2 ? { lo: '', hi: '\uffff' } : { lo: sorted[Math.floor(sorted.length / 3)], hi: sorted[Math.floor((2 * sorted.length) / 3)] };
      const inRange = rows.filter((x) => String(x.key[1]) >= range.lo && String(x.key[1]) <= range.hi).sort(newestFirst);
      const seen: KeyRow[] = [];
      let cursor = null;
      for (let pages = 0; pages < 1000; pages++) {
        const p = await pageOf(sources, range, perPage, cursor);
        expect(p.rows.length).toBeLessThanOrEqual(perPage);
        seen.push(...p.rows);
        if (!p.next) break;
        expect(p.rows.length).toBe(perPage);
        cursor = p.next;
      }
      expect(seen.map((x) => x.id)).toEqual(inRange.map((x) => x.id));
      expect(await countOf(sources, range)).toBe(inRange.length);
    });
  }

  for (let seed = 101; seed <= 130; seed++) {
    it(`case ${seed}: oldest first, every row once, in order`, async () => {
      const { regions, times, rows, perPage } = generated(seed);
      const sources = regions.map((R) => memorySource([R], rows.filter((x) => x.key[0] === R)));
      const sorted = [...times].sort();
      const range = seed % 2 ? { lo: '', hi: '\uffff', oldestFirst: true } : { lo: sorted[Math.floor(sorted.length / 3)], hi: sorted[Math.floor((2 * sorted.length) / 3)], oldestFirst: true };
      const inRange = rows.filter((x) => String(x.key[1]) >= range.lo && String(x.key[1]) <= range.hi).sort(oldestFirst);
      const seen: KeyRow[] = [];
      let cursor = null;
      for (let pages = 0; pages < 1000; pages++) {
        const p = await pageOf(sources, range, perPage, cursor);
        seen.push(...p.rows);
        if (!p.next) break;
        cursor = p.next;
      }
      expect(seen.map((x) => x.id)).toEqual(inRange.map((x) => x.id));
      expect(await countOf(sources, range)).toBe(inRange.length);
    });
  }

  it('a later page asks each source for at most one page and one row more, wherever it is', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: `order:BDG:u:${String(i).padStart(4, '0')}`, key: ['BDG', new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()], value: {} }));
    let asked = 0;
    const source: KeySource = {
      prefix: ['BDG'],
      rows: async (p) => {
        asked = p.limit as number;
        return viewSource(['BDG'], rows, { n: 0 }).rows(p);
      },
      count: async () => rows.length,
    };
    let cursor = null;
    for (let k = 0; k < 20; k++) cursor = (await pageOf([source], { lo: '', hi: '\uffff' }, 20, cursor)).next;
    const last = await pageOf([source], { lo: '', hi: '\uffff' }, 20, cursor);
    expect(asked).toBe(21);
    expect(last.rows[0].id).toBe('order:BDG:u:0099'); // page 21 starts at the 401st newest: 499 - 400
  });
});
