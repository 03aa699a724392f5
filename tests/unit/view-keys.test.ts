// Group prefixes of view sort keys against pouchdb-collate's own comparison, on generated keys:
// nested arrays and objects, strings holding the encoding's own control characters, numbers,
// booleans and null. A sort key that starts with a row's group prefix must be in that row's group,
// and rows of one array group (longer than the level) must share it.
import { describe, expect, it } from 'vitest';
import { collate, normalizeKey, toIndexableString } from 'pouchdb-collate';
import { groupPrefix, keyOf } from '../../server/node/view-keys.ts';

let seed = 5;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
const atoms = [null, true, false, 0, -1, 2.5, 1e21, '', 'a', 'a\u0000b', '\u0001', '\u0002x', 'é', 'B'];
function value(depth = 0): unknown {
  const r = rnd(10);
  if (depth < 3 && r === 0) return Array.from({ length: rnd(4) }, () => value(depth + 1));
  if (depth < 3 && r === 1) return Object.fromEntries(Array.from({ length: rnd(3) }, (_, i) => [`k${i}${rnd(2)}`, value(depth + 1)]));
  return atoms[rnd(atoms.length)];
}
const key = () => (rnd(3) ? Array.from({ length: rnd(5) }, () => value(1)) : value());
const groupKey = (k: unknown, level: number) => (level === Infinity || !Array.isArray(k) ? k : k.slice(0, level));

describe('view sort keys', () => {
  it('a row whose sort key starts with another row’s group prefix is in its group, and one group shares it', () => {
    let same = 0;
    for (let n = 0; n < 3000; n++) {
      const k1 = normalizeKey(key());
      // Often a close relative: the same first elements, so groups really meet.
      const k2 = normalizeKey(Array.isArray(k1) && rnd(2) ? [...k1.slice(0, rnd(k1.length + 1)), ...Array.from({ length: rnd(3) }, () => value(1))] : key());
      const sk1 = toIndexableString([k1, `d${rnd(9)}`]);
      const sk2 = toIndexableString([k2, `d${rnd(9)}`]);
      expect(keyOf(sk1)).toEqual(k1);
      for (const level of [1, 2, 3, Infinity]) {
        const inGroup = collate(groupKey(k1, level), groupKey(k2, level)) === 0;
        const shares = sk2.startsWith(groupPrefix(sk1, level));
        if (shares) expect(inGroup, `${JSON.stringify(k1)} ${JSON.stringify(k2)} level ${level}`).toBe(true);
        // Arrays at least `level` long in one group always share the prefix (shorter ones may not).
        if (inGroup && Array.isArray(k1) && Array.isArray(k2) && k1.length >= level && k2.length >= level) expect(shares).toBe(true);
        if (inGroup && shares) same++;
      }
    }
    expect(same).toBeGreaterThan(500);
  });
});
