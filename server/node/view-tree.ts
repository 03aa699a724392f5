// A view's rows as a B+ tree whose inner entries carry their subtree's row
// count and reduction, as CouchDB's view b-trees do. With counts, a row's
// position (offset, skip, total_rows) is found in a walk from the root; with
// stored reductions, reducing a million rows reads the few nodes at the
// edges of the range, not the rows. Nodes live in a NodeStore (view-index.ts
// keeps them in LevelDB with a cache), so an index outgrows memory and
// survives a restart.
//
// Nodes are never changed in place: a change writes new node objects (a
// modified node keeps its id), so a reader holding an old object sees a
// consistent old node.
import { combine, single, type Builtin } from './view-reduce.ts';

/** A row: its sort key (toIndexableString([key, doc id]), see view-keys.ts) and its value. */
export type Entry = [sk: string, value: unknown];
/** A child pointer: first and last sort key below it, row count, reduction, node id. */
export type Child = [lo: string, hi: string, n: number, r: unknown, id: number];
export type TreeNode = { l: Entry[] } | { c: Child[] };

export interface NodeStore {
  read(id: number): Promise<TreeNode>;
  /** Loads these nodes in one read, so the `read`s that follow find them (a batch's hand-offs: one a level, not one a node). */
  prefetch?(ids: number[]): Promise<void>;
  /** Lets go of what `prefetch` read (one view's update is done: memory). */
  dropPrefetched?(): void;
  write(id: number, node: TreeNode): void;
  free(id: number): void;
  alloc(): number;
}

/** An operation on one sort key: set its value, or remove it (REMOVE). */
export const REMOVE = Symbol('remove');
export type Op = [sk: string, value: unknown];

const MAX_ROWS = 32;
const MAX_KIDS = 48;

const isLeaf = (n: TreeNode): n is { l: Entry[] } => 'l' in n;

/** Splits `xs` into even pieces of at most `max`. */
function chunks<T>(xs: T[], max: number): T[][] {
  if (xs.length <= max) return [xs];
  const pieces = Math.ceil(xs.length / max);
  const size = Math.ceil(xs.length / pieces);
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export class Tree {
  constructor(
    public root: number,
    private nodes: NodeStore,
    private builtin: Builtin | null,
    /** Node sizes (small ones in tests, to grow deep trees from few rows). */
    private max = { rows: MAX_ROWS, kids: MAX_KIDS },
  ) {}

  private leafReduction(l: Entry[]): unknown {
    if (!this.builtin || !l.length) return null;
    let r = single(this.builtin, l[0][0], l[0][1]);
    for (let i = 1; i < l.length; i++) r = combine(this.builtin, r, single(this.builtin, l[i][0], l[i][1]));
    return r;
  }

  private innerReduction(c: Child[]): unknown {
    if (!this.builtin || !c.length) return null;
    let r = c[0][3];
    for (let i = 1; i < c.length; i++) r = combine(this.builtin, r, c[i][3]);
    return r;
  }

  /** Writes `parts` as nodes, the first under `id`: the children that replace node `id`. */
  private emit(id: number, parts: TreeNode[]): Child[] {
    return parts.map((node, i) => {
      const nid = i === 0 ? id : this.nodes.alloc();
      this.nodes.write(nid, node);
      if (isLeaf(node)) return [node.l[0][0], node.l[node.l.length - 1][0], node.l.length, this.leafReduction(node.l), nid];
      const c = node.c;
      return [c[0][0], c[c.length - 1][1], c.reduce((n, x) => n + x[2], 0), this.innerReduction(c), nid];
    });
  }

  /**
   * Which children take which operations: [child index, first op, end] for each child that takes any.
   * Child j takes the operations below child j+1's first key (the first one also those below its own).
   */
  private static route(c: Child[], ops: Op[]): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    let o = 0;
    for (let j = 0; j < c.length && o < ops.length; j++) {
      const bound = j + 1 < c.length ? c[j + 1][0] : null;
      let end = o;
      while (end < ops.length && (bound === null || ops[end][0] < bound)) end++;
      if (end > o) out.push([j, o, end]);
      o = end;
    }
    return out;
  }

  /** Reads every node `ops` will change, a level at a time (when the store can read many at once). */
  private async warm(ops: Op[]) {
    if (!this.nodes.prefetch) return;
    let level: Array<[number, Op[]]> = [[this.root, ops]];
    while (level.length) {
      await this.nodes.prefetch(level.map(([id]) => id));
      const next: Array<[number, Op[]]> = [];
      for (const [id, o] of level) {
        const node = await this.nodes.read(id);
        if (isLeaf(node)) continue;
        for (const [j, a, b] of Tree.route(node.c, o)) next.push([node.c[j][4], o.slice(a, b)]);
      }
      level = next;
    }
  }

  /** Applies `ops` (sorted by sort key, one per key); a new root results. */
  async apply(ops: Op[]) {
    if (!ops.length) return;
    let kids: Child[];
    try {
      await this.warm(ops);
      kids = await this.modify(this.root, ops);
    } finally {
      this.nodes.dropPrefetched?.();
    }
    if (!kids.length) {
      this.nodes.write(this.root, { l: [] });
      return;
    }
    while (kids.length > 1) {
      const id = this.nodes.alloc();
      kids = this.emit(id, chunks(kids, this.max.kids).map((c) => ({ c })));
    }
    let root = kids[0][4];
    // A root with one child adds a level for nothing.
    for (;;) {
      const node = await this.nodes.read(root);
      if (isLeaf(node) || node.c.length !== 1) break;
      this.nodes.free(root);
      root = node.c[0][4];
    }
    this.root = root;
  }

  private async modify(id: number, ops: Op[]): Promise<Child[]> {
    const node = await this.nodes.read(id);
    if (isLeaf(node)) {
      const out: Entry[] = [];
      const l = node.l;
      let i = 0;
      for (const [sk, v] of ops) {
        while (i < l.length && l[i][0] < sk) out.push(l[i++]);
        const here = i < l.length && l[i][0] === sk;
        if (here) i++;
        if (v !== REMOVE) out.push([sk, v]);
      }
      while (i < l.length) out.push(l[i++]);
      if (!out.length) {
        this.nodes.free(id);
        return [];
      }
      return this.emit(id, chunks(out, this.max.rows).map((e) => ({ l: e })));
    }
    const c = node.c;
    const next: Child[] = [];
    let j = 0;
    for (const [k, a, b] of Tree.route(c, ops)) {
      while (j < k) next.push(c[j++]);
      next.push(...(await this.modify(c[k][4], ops.slice(a, b))));
      j = k + 1;
    }
    while (j < c.length) next.push(c[j++]);
    if (!next.length) {
      this.nodes.free(id);
      return [];
    }
    return this.emit(id, chunks(next, this.max.kids).map((k) => ({ c: k })));
  }

  /**
   * A tree built bottom-up from rows already in order (a build from nothing): full leaves, then full
   * inner nodes, one write each, where inserting row by row rewrites a leaf per row. Returns the
   * root's id, or null for no rows. `rows` must be strictly ascending by sort key.
   */
  static async build(rows: AsyncIterable<Entry>, nodes: Pick<NodeStore, 'alloc' | 'write'>, builtin: Builtin | null, max = { rows: MAX_ROWS, kids: MAX_KIDS }): Promise<number | null> {
    const t = new Tree(-1, nodes as NodeStore, builtin, max);
    /** Children waiting for their parent, per level above the leaves. */
    const levels: Child[][] = [];
    const up = (level: number, child: Child) => {
      (levels[level] ??= []).push(child);
      if (levels[level].length === max.kids) flush(level);
    };
    const flush = (level: number) => {
      const c = levels[level];
      if (!c?.length) return;
      levels[level] = [];
      up(level + 1, t.emit(nodes.alloc(), [{ c }])[0]);
    };
    let leaf: Entry[] = [];
    let last: string | null = null;
    for await (const row of rows) {
      if (last !== null && !(last < row[0])) throw new Error(`view index: rows out of order at ${JSON.stringify(row[0])}`);
      last = row[0];
      leaf.push(row);
      if (leaf.length === max.rows) {
        up(0, t.emit(nodes.alloc(), [{ l: leaf }])[0]);
        leaf = [];
      }
    }
    if (leaf.length) up(0, t.emit(nodes.alloc(), [{ l: leaf }])[0]);
    // Upwards, each level's rest into one more node, until one child is left: the root.
    for (let level = 0; ; level++) {
      const c = levels[level] ?? [];
      const above = levels.slice(level + 1).some((l) => l?.length);
      if (!above && c.length <= 1) return c.length ? c[0][4] : null;
      flush(level);
    }
  }

  async count(): Promise<number> {
    const node = await this.nodes.read(this.root);
    return isLeaf(node) ? node.l.length : node.c.reduce((n, x) => n + x[2], 0);
  }

  /** How many rows sort before `sk` (with `orEqual`, before or at it). */
  async rank(sk: string, orEqual: boolean): Promise<number> {
    const before = (x: string) => (orEqual ? x <= sk : x < sk);
    let node = await this.nodes.read(this.root);
    let n = 0;
    for (;;) {
      if (isLeaf(node)) {
        let lo = 0;
        let hi = node.l.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (before(node.l[mid][0])) lo = mid + 1;
          else hi = mid;
        }
        return n + lo;
      }
      let into: Child | null = null;
      for (const c of node.c) {
        if (before(c[1])) n += c[2];
        else {
          into = c;
          break;
        }
      }
      if (!into || !before(into[0])) return n;
      node = await this.nodes.read(into[4]);
    }
  }

  /** The rows at positions [from, to), in ascending order. */
  async slice(from: number, to: number): Promise<Entry[]> {
    const out: Entry[] = [];
    if (to <= from) return out;
    const walk = async (node: TreeNode, base: number): Promise<void> => {
      if (isLeaf(node)) {
        for (let i = Math.max(0, from - base); i < node.l.length && base + i < to; i++) out.push(node.l[i]);
        return;
      }
      for (const c of node.c) {
        if (base >= to) return;
        if (base + c[2] > from) await walk(await this.nodes.read(c[4]), base);
        base += c[2];
      }
    };
    await walk(await this.nodes.read(this.root), 0);
    return out;
  }

  /**
   * Reduces the rows at positions [from, to) in query order, calling `part(sk, reduction)` for
   * runs whose rows all share one group: a whole subtree when `oneGroup(lo, hi)` says its first
   * and last row do, else its rows one by one. The caller merges consecutive parts of one group.
   */
  async fold(from: number, to: number, descending: boolean, oneGroup: (lo: string, hi: string) => boolean, part: (sk: string, r: unknown) => void) {
    const builtin = this.builtin!;
    const walk = async (node: TreeNode, base: number): Promise<void> => {
      if (isLeaf(node)) {
        const a = Math.max(0, from - base);
        const b = Math.min(node.l.length, to - base);
        if (descending) for (let i = b - 1; i >= a; i--) part(node.l[i][0], single(builtin, node.l[i][0], node.l[i][1]));
        else for (let i = a; i < b; i++) part(node.l[i][0], single(builtin, node.l[i][0], node.l[i][1]));
        return;
      }
      const bases: number[] = [];
      let at = base;
      for (const c of node.c) bases.push(at), (at += c[2]);
      for (let k = 0; k < node.c.length; k++) {
        const j = descending ? node.c.length - 1 - k : k;
        const c = node.c[j];
        const s = bases[j];
        const e = s + c[2];
        if (e <= from || s >= to) continue;
        if (s >= from && e <= to && oneGroup(c[0], c[1])) part(descending ? c[1] : c[0], c[3]);
        else await walk(await this.nodes.read(c[4]), s);
      }
    };
    if (to > from) await walk(await this.nodes.read(this.root), 0);
  }
}
