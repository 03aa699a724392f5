// Feed positions as the sweep compares them (server/region/sweep.ts).
import { describe, expect, it } from 'vitest';
import { rng } from './random-text.ts';
import { seqNumber } from '../../server/region/sweep.ts';

describe('seqNumber', () => {
  it('reads the embedded node\'s counts and CouchDB\'s opaque sequences by their leading sum', () => {
    expect(seqNumber(12)).toBe(12);
    expect(seqNumber('12')).toBe(12);
    expect(seqNumber('37-g1AAAACLeJzLYWBgYMpgTmHgzcvPy09JdcjLz8gvLsnJTE7NS9ZLzs_NSUzOSc3LTUxP1cvMK0ktLk1RqS0G')).toBe(37);
    expect(seqNumber('0')).toBe(0);
  });

  it('gives NaN for anything else, so the sweep reads the database rather than trust it', () => {
    for (const x of [null, undefined, {}, [], 'now', '-3', 'abc-1', '', '12x']) expect(seqNumber(x)).toBeNaN();
  });

  it('keeps the order of any two positions of one database', () => {
    const next = rng(20261203);
    const nat = () => Math.floor(next() * 2 ** (1 + Math.floor(next() * 52)));
    for (let k = 0; k < 2000; k++) {
      const [a, b] = [nat(), nat()];
      const tail = Array.from({ length: Math.floor(next() * 40) }, () => 'g1AAAA_-xyz0'[Math.floor(next() * 12)]).join('');
      const opaque = (n: number) => `${n}-${tail}`;
      expect(Math.sign(seqNumber(opaque(a)) - seqNumber(opaque(b))), `${a} ${b}`).toBe(Math.sign(a - b));
      expect(Math.sign(seqNumber(a) - seqNumber(b))).toBe(Math.sign(a - b));
    }
  });
});
