// A bulk's documents are validated in chunks (validate.ts): the verdicts must still line up with
// the documents, and a validator that loops in a late chunk still fails the whole write in time.
import { describe, expect, it } from 'vitest';
import { compileValidators } from '../../server/node/validate.ts';

const ctx = { name: 'u', roles: [] };

describe('validate_doc_update over a large bulk', () => {
  it('answers each document with its own verdict across chunks', async () => {
    const set = compileValidators([
      { id: '_design/a', source: 'function (d) { if (d.n % 7 === 0) throw { forbidden: "seven " + d.n }; }' },
      { id: '_design/b', source: 'function (d) { if (d.n % 11 === 0) throw { unauthorized: "eleven " + d.n }; }' },
    ]);
    const items = Array.from({ length: 1234 }, (_, n) => ({ doc: { _id: `d${n}`, n }, old: null }));
    const verdicts = await set.run(items, ctx, {});
    expect(verdicts.length).toBe(items.length);
    verdicts.forEach((v, n) => {
      if (n % 7 === 0) expect([v?.status, v?.reason]).toEqual([403, `seven ${n}`]);
      else if (n % 11 === 0) expect([v?.status, v?.reason]).toEqual([401, `eleven ${n}`]);
      else expect(v).toBeNull();
    });
  });

  it('fails every document of the write when a late document makes a validator loop', async () => {
    const set = compileValidators([{ id: '_design/loop', source: 'function (d) { if (d.n === 950) for (;;) {} }' }], 1500, 50);
    const items = Array.from({ length: 1000 }, (_, n) => ({ doc: { _id: `d${n}`, n }, old: null }));
    const verdicts = await set.run(items, ctx, {});
    expect(new Set(verdicts.map((v) => v?.error))).toEqual(new Set(['os_process_error']));
    // And the set still works afterwards, on a fresh sandbox.
    expect(await set.run([{ doc: { _id: 'x', n: 1 }, old: null }], ctx, {})).toEqual([null]);
  });
});
