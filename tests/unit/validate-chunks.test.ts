// A bulk's documents are validated in chunks (validate.ts): the verdicts must still line up with
// the documents, and a validator that loops in a late chunk still fails the whole write in time.
// Writes that come in the same turn are checked together, each with its own userCtx and secObj,
// and a write whose documents make a validator loop fails alone.
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

  it('checks the writes of one turn in one sandboxed call, each with its own user and security object', async () => {
    // `__items` is the sandbox's batch: the validator reports its size, and refuses by user and by secObj.
    const set = compileValidators([{
      id: '_design/who',
      source: 'function (d, old, u, s) { if (d.owner !== u.name) throw { forbidden: "not yours " + __items.length }; if (s.tag !== d.tag) throw { unauthorized: "wrong tag " + __items.length }; }',
    }]);
    const writes = Array.from({ length: 20 }, (_, n) => ({
      items: [{ doc: { _id: `d${n}`, owner: `u${n % 3 === 0 ? 'x' : n}`, tag: n % 5 === 0 ? 'other' : `t${n}` }, old: null }],
      user: { name: `u${n}`, roles: [] },
      sec: { tag: `t${n}` },
    }));
    const verdicts = await Promise.all(writes.map((w) => set.run(w.items, w.user, w.sec)));
    verdicts.forEach(([v], n) => {
      if (n % 3 === 0) expect([v?.status, v?.reason]).toEqual([403, 'not yours 20']);
      else if (n % 5 === 0) expect([v?.status, v?.reason]).toEqual([401, 'wrong tag 20']);
      else expect(v).toBeNull();
    });
  });

  it('fails only the write whose document makes a validator loop, not the others of its turn', async () => {
    const set = compileValidators([{ id: '_design/loop', source: 'function (d) { if (d.loop) for (;;) {} if (d.n === 3) throw { forbidden: "three" }; }' }], 800, 50);
    const writes = Array.from({ length: 12 }, (_, n) => [{ doc: { _id: `d${n}`, n, loop: n === 7 }, old: null }]);
    const verdicts = await Promise.all(writes.map((items) => set.run(items, ctx, {})));
    verdicts.forEach(([v], n) => {
      if (n === 7) expect(v?.error).toBe('os_process_error');
      else if (n === 3) expect([v?.status, v?.reason]).toEqual([403, 'three']);
      else expect(v).toBeNull();
    });
  });

  it('gives databases with the same design documents and admins one set, others their own', () => {
    const ddocs = [{ id: '_design/a', source: 'function (d) {}' }];
    const one = compileValidators(ddocs, 5000, 100, '{"names":[],"roles":[]}');
    expect(compileValidators([...ddocs], 5000, 100, '{"names":[],"roles":[]}')).toBe(one);
    expect(compileValidators(ddocs, 5000, 100, '{"names":["mallory"],"roles":[]}')).not.toBe(one);
    expect(compileValidators([{ id: '_design/a', source: 'function (d) { }' }], 5000, 100, '{"names":[],"roles":[]}')).not.toBe(one);
    expect(compileValidators(ddocs)).not.toBe(compileValidators(ddocs));
  });
});
