// The view b-tree against a sorted array, on generated operations: small
// nodes grow deep trees from a few hundred rows, so splits, emptied nodes,
// collapsing roots and every edge of a range are walked. After each round
// the stored counts and reductions are checked against the rows below them.
import { describe, expect, it } from 'vitest';
import { REMOVE, Tree, type Child, type Entry, type Op, type TreeNode } from '../../server/node/view-tree.ts';
import { MemoryKV, NodeBatch, NodeCache, reader } from '../../server/node/view-store.ts';
import { combine, single, type Builtin } from '../../server/node/view-reduce.ts';

let seed = 11;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
const key = () => `${'abcdef'[rnd(6)]}${String(rnd(400)).padStart(3, '0')}\u0000`;

async function check(tree: Tree, store: ReturnType<typeof reader>, builtin: Builtin, rows: Entry[]) {
  expect(await tree.count()).toBe(rows.length);
  // Each child's first and last key, count and reduction agree with the rows under it.
  const walk = async (node: TreeNode): Promise<Entry[]> => {
    if ('l' in node) return node.l;
    const all: Entry[] = [];
    for (const [lo, hi, n, r, id] of node.c as Child[]) {
      const below = await walk(await store.read(id));
      expect([below[0][0], below[below.length - 1][0], below.length]).toEqual([lo, hi, n]);
      expect(r).toEqual(below.map((e) => single(builtin, e[0], e[1])).reduce((a, b) => combine(builtin, a, b)));
      all.push(...below);
    }
    return all;
  };
  expect(await walk(await store.read(tree.root))).toEqual(rows);
  for (let probe = 0; probe < 30; probe++) {
    const sk = key();
    for (const orEqual of [false, true]) {
      expect(await tree.rank(sk, orEqual)).toBe(rows.filter((e) => (orEqual ? e[0] <= sk : e[0] < sk)).length);
    }
    const from = rnd(rows.length + 2);
    const to = from + rnd(80);
    expect(await tree.slice(from, to)).toEqual(rows.slice(from, to));
    // Grouped by the first letter, in both directions, as a grouped view query folds.
    for (const descending of [false, true]) {
      const parts: Array<[string, unknown]> = [];
      await tree.fold(from, to, descending, (lo, hi) => lo[0] === hi[0], (sk, r) => {
        const last = parts[parts.length - 1];
        if (last && last[0] === sk[0]) last[1] = combine(builtin, last[1], r);
        else parts.push([sk[0], r]);
      });
      const want: Array<[string, unknown]> = [];
      const range = rows.slice(from, to);
      for (const [sk, v] of descending ? range.reverse() : range) {
        const last = want[want.length - 1];
        if (last && last[0] === sk[0]) last[1] = combine(builtin, last[1], single(builtin, sk, v));
        else want.push([sk[0], single(builtin, sk, v)]);
      }
      expect(parts).toEqual(want);
    }
  }
}

describe('view b-tree', () => {
  // With a cache that holds every node, and with none (every node read from the store, ahead, a level at a time).
  for (const [builtin, cacheBytes] of [['_sum', 1 << 20], ['_stats', 1 << 20], ['_count', 1 << 20], ['_sum', 0], ['_stats', 0]] as const) {
    it(`matches a sorted array through inserts, updates and removals (${builtin}, ${cacheBytes ? 'cached' : 'uncached'})`, async () => {
      const kv = new MemoryKV();
      const cache = new NodeCache(cacheBytes);
      const next = { id: 1 };
      const oracle = new Map<string, unknown>();
      await kv.batch([{ type: 'put', key: 'p/n0', value: '{"l":[]}' }]);
      let root = 0;
      for (let round = 0; round < 12; round++) {
        // Early rounds mostly add, later ones mostly remove, so the tree grows and shrinks again.
        const adds = round < 6 ? 0.8 : 0.25;
        const ops = new Map<string, unknown>();
        for (let i = 0, n = 20 + rnd(200); i < n; i++) {
          const sk = rnd(100) < adds * 100 ? key() : [...oracle.keys()][rnd(Math.max(1, oracle.size))] ?? key();
          ops.set(sk, rnd(100) < adds * 100 ? rnd(1000) - 100 : REMOVE);
        }
        const batch = new NodeBatch(kv, cache, 'p/', next);
        const tree = new Tree(root, batch, builtin, { rows: 4, kids: 3 });
        await tree.apply([...ops].sort((a: Op, b: Op) => (a[0] < b[0] ? -1 : 1)));
        const staged = batch.ops();
        await kv.batch(staged.ops);
        staged.done();
        root = tree.root;
        for (const [sk, v] of ops) v === REMOVE ? oracle.delete(sk) : oracle.set(sk, v);
        const rows = [...oracle].sort((a, b) => (a[0] < b[0] ? -1 : 1)) as Entry[];
        // Read back through a fresh cache too: what is stored is what the tree holds.
        for (const c of [cache, new NodeCache(1 << 20)]) {
          const store = reader(kv, c, 'p/');
          await check(new Tree(root, store, builtin, { rows: 4, kids: 3 }), store, builtin, rows);
        }
      }
      expect(oracle.size).toBeGreaterThan(0);
    });
  }

  it('a tree built bottom-up from sorted rows holds them as one grown row by row, and takes changes the same way', async () => {
    for (const builtin of ['_sum', '_stats', '_count'] as const) {
      // Sizes around the node limits: empty, one leaf, a leaf and one more row, several levels, a level exactly full.
      for (const n of [0, 1, 4, 5, 12, 13, 36, 37, 100, 300]) {
        const kv = new MemoryKV();
        const next = { id: 1 };
        const rows: Entry[] = [];
        const seen = new Set<string>();
        while (rows.length < n) {
          const sk = key() + rnd(1000);
          if (!seen.has(sk)) seen.add(sk), rows.push([sk, rnd(1000) - 100]);
        }
        rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
        const written: Array<[number, TreeNode]> = [];
        async function* stream() {
          yield* rows;
        }
        const root = await Tree.build(stream(), { alloc: () => next.id++, write: (id, node) => void written.push([id, node]) }, builtin, { rows: 4, kids: 3 });
        expect(root === null).toBe(n === 0);
        if (root === null) continue;
        await kv.batch(written.map(([id, node]) => ({ type: 'put', key: `p/n${id}`, value: JSON.stringify(node) })));
        const store = reader(kv, new NodeCache(1 << 20), 'p/');
        await check(new Tree(root, store, builtin, { rows: 4, kids: 3 }), store, builtin, rows);
        // Every node is one write, and every written node is in the tree.
        expect(new Set(written.map(([id]) => id)).size).toBe(written.length);
        // Then changed as any tree: updates, removals and inserts.
        const ops = new Map<string, unknown>();
        for (let i = 0; i < 40; i++) ops.set(rnd(2) && rows.length ? rows[rnd(rows.length)][0] : key() + 'x' + rnd(1000), rnd(3) ? rnd(500) : REMOVE);
        const batch = new NodeBatch(kv, new NodeCache(1 << 20), 'p/', next);
        const tree = new Tree(root, batch, builtin, { rows: 4, kids: 3 });
        await tree.apply([...ops].sort((a: Op, b: Op) => (a[0] < b[0] ? -1 : 1)));
        const staged = batch.ops();
        await kv.batch(staged.ops);
        const oracle = new Map<string, unknown>(rows);
        for (const [sk, v] of ops) v === REMOVE ? oracle.delete(sk) : oracle.set(sk, v);
        const after = [...oracle].sort((a, b) => (a[0] < b[0] ? -1 : 1)) as Entry[];
        const fresh = reader(kv, new NodeCache(1 << 20), 'p/');
        if (after.length) await check(new Tree(tree.root, fresh, builtin, { rows: 4, kids: 3 }), fresh, builtin, after);
      }
    }
  });

  it('refuses rows out of order rather than build a tree that answers wrongly', async () => {
    async function* stream(): AsyncGenerator<Entry> {
      yield ['b', 1];
      yield ['a', 1];
    }
    await expect(Tree.build(stream(), { alloc: () => 1, write: () => {} }, '_count')).rejects.toThrow(/out of order/);
  });

  it('a removal of everything leaves an empty tree that grows again', async () => {
    const kv = new MemoryKV();
    const cache = new NodeCache(1 << 20);
    const next = { id: 1 };
    await kv.batch([{ type: 'put', key: 'p/n0', value: '{"l":[]}' }]);
    const run = async (root: number, ops: Op[]) => {
      const batch = new NodeBatch(kv, cache, 'p/', next);
      const tree = new Tree(root, batch, '_count', { rows: 4, kids: 3 });
      await tree.apply(ops);
      const staged = batch.ops();
      await kv.batch(staged.ops);
      staged.done();
      return tree.root;
    };
    const sks = Array.from({ length: 100 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    let root = await run(0, sks.map((sk) => [sk, 1]));
    root = await run(root, sks.map((sk) => [sk, REMOVE]));
    const store = reader(kv, cache, 'p/');
    expect(await new Tree(root, store, '_count').count()).toBe(0);
    root = await run(root, [['x', 1]]);
    expect(await new Tree(root, store, '_count').slice(0, 5)).toEqual([['x', 1]]);
  });

  it('reads the nodes a batch changes a level at a time: one read of the store per level, not one per node', async () => {
    const kv = new MemoryKV();
    const next = { id: 1 };
    await kv.batch([{ type: 'put', key: 'p/n0', value: '{"l":[]}' }]);
    const sks = Array.from({ length: 2000 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    let batch = new NodeBatch(kv, new NodeCache(1 << 24), 'p/', next);
    const tree = new Tree(0, batch, '_count', { rows: 8, kids: 8 });
    await tree.apply(sks.map((sk) => [sk, 1]));
    const staged = batch.ops();
    await kv.batch(staged.ops);
    // Every 50th row changes (40 leaves) through a cache that holds nothing: all from the store.
    let reads = 0;
    let nodesRead = 0;
    const counting = Object.assign(Object.create(kv), {
      getMany: (keys: string[]) => ((reads++, (nodesRead += keys.length)), kv.getMany(keys)),
    });
    batch = new NodeBatch(counting, new NodeCache(0), 'p/', next);
    const again = new Tree(tree.root, batch, '_count', { rows: 8, kids: 8 });
    await again.apply(sks.filter((_, i) => i % 50 === 0).map((sk) => [sk, 2]));
    const depth = async () => {
      let n = 1;
      for (let node = await batch.read(again.root); 'c' in node; node = await batch.read(node.c[0][4])) n++;
      return n;
    };
    expect(nodesRead).toBeGreaterThanOrEqual(40);
    expect(reads).toBeLessThanOrEqual(await depth());
  });
});
