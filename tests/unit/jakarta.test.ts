// Asia/Jakarta days at their edges: 00:00 WIB is 17:00 UTC the day before, 06:59 WIB is still
// the UTC day before, 07:00 WIB is the same UTC day. Orders in that first seven hours are the
// ones a UTC filter put on the wrong day.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { addDays, dayEnd, dayRange, dayStart, jakartaDay, jakartaTime, monthStart, periodProblem, weekStart } from '../../src/lib/model/jakarta.ts';

describe('Jakarta days', () => {
  it('puts 00:00-06:59 WIB on the Jakarta day, not the UTC day', () => {
    expect(jakartaDay('2026-11-20T16:59:59.999Z')).toBe('2026-11-20'); // 23:59:59 WIB
    expect(jakartaDay('2026-11-20T17:00:00.000Z')).toBe('2026-11-21'); // 00:00 WIB
    expect(jakartaDay('2026-11-20T23:59:59.999Z')).toBe('2026-11-21'); // 06:59 WIB
    expect(jakartaDay('2026-11-21T00:00:00.000Z')).toBe('2026-11-21'); // 07:00 WIB
    expect(jakartaTime('2026-11-20T17:30:00.000Z')).toBe('00:30');
  });

  it('bounds a Jakarta day in UTC: from 17:00 the day before to the last millisecond before the next', () => {
    expect(dayStart('2026-11-21')).toBe('2026-11-20T17:00:00.000Z');
    expect(dayEnd('2026-11-21')).toBe('2026-11-21T16:59:59.999Z');
    const { lo, hi } = dayRange('2026-11-21', '2026-11-21');
    const inside = (iso: string) => iso >= lo && iso <= hi;
    expect(inside('2026-11-20T17:00:00.000Z')).toBe(true);
    expect(inside('2026-11-20T23:59:59.999Z')).toBe(true);
    expect(inside('2026-11-21T16:59:59.999Z')).toBe(true);
    expect(inside('2026-11-20T16:59:59.999Z')).toBe(false);
    expect(inside('2026-11-21T17:00:00.000Z')).toBe(false);
    expect(dayRange('', '')).toEqual({ lo: '', hi: '\uffff' });
  });

  it('crosses months and years, and starts weeks on Monday', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(dayStart('2027-01-01')).toBe('2026-12-31T17:00:00.000Z');
    expect(weekStart('2026-11-24')).toBe('2026-11-23');
    expect(weekStart('2026-11-01')).toBe('2026-10-26');
    expect(monthStart('2026-11-24')).toBe('2026-11-01');
    expect(() => dayStart('2026-11-2')).toThrow(/YYYY-MM-DD/);
  });

  it("agrees with the node's orders_by_day and orders_by_week views at the day boundaries", () => {
    const run = (view: string, doc: object) => {
      const keys: unknown[] = [];
      const src = readFileSync(`design-docs/ops/views/${view}/map.js`, 'utf8');
      // The map function as CouchDB runs it, with emit collecting keys.
      new Function('emit', `(${src.replace(/^\s*\/\/.*$/gm, '').trim()})(${JSON.stringify(doc)})`)((k: unknown) => keys.push(k));
      return keys[0] as string[];
    };
    for (const at of ['2026-11-22T16:59:59.999Z', '2026-11-22T17:00:00.000Z', '2026-11-22T23:59:59.999Z', '2026-11-23T00:00:00.000Z']) {
      const order = { type: 'order', region_code: 'BDG', status: 'placed', total: 1, created_at: at, items: [] };
      expect(run('orders_by_day', order)[1]).toBe(jakartaDay(at));
      expect(run('orders_by_week', order)[1]).toBe(weekStart(jakartaDay(at)));
    }
  });
});

describe('periodProblem', () => {
  it('a period that ends before it starts is reversed; an open bound is fine unless both are needed', () => {
    expect(periodProblem('2026-12-02', '2026-12-01')).toBe('reversed');
    expect(periodProblem('2026-12-01', '2026-12-01')).toBeNull();
    expect(periodProblem('', '2026-12-01')).toBeNull();
    expect(periodProblem('', '2026-12-01', true)).toBe('missing');
    expect(periodProblem('2026-12-02', '2026-12-01', true)).toBe('reversed');
  });
});
