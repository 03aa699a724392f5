// A design document's index built anew from a database that holds many documents it has not
// indexed: a first build, or a load that outran the background indexer. Built row by row, each of a million orders inserted into six trees rewrites six leaves: at a million orders
// central's build took about forty minutes, its one thread busy throughout. Here the rows are
// written once, unsorted, into the index store under a scratch prefix (LevelDB sorts them), then
// each view's tree is written bottom-up from them in order (Tree.build): a write per node, not per
// row. The changes after the update_seq the build began with are folded in afterwards, as always.
import { toIndexableString } from 'pouchdb-collate';
import type { Key, ViewDef } from './view-sandbox.ts';
import { Tree, type Entry, type TreeNode } from './view-tree.ts';
import { bySortKey } from './view-keys.ts';
import type { BatchOp, KV } from './view-store.ts';

/** toIndexableString builds its result by concatenation; kept as is, each sort key stays a tree
 *  of string pieces (~520 bytes for an 84-character key). A flat copy takes ~115. */
const flat = (s: string): string => JSON.parse(JSON.stringify(s));

/**
 * One document's rows per view as sort keys and values. A key emitted twice by one document gets
 * a suffix on its second row (`\u0001<n>`), so both are kept, as CouchDB keeps both.
 */
export function rowsOf(id: string, emitted: Array<Array<[Key, unknown]>>): Array<Array<[string, unknown]>> {
  return emitted.map((rows) => {
    const seen = new Map<string, number>();
    return rows.map(([key, value]): [string, unknown] => {
      let sk = flat(toIndexableString([key, id]));
      const n = seen.get(sk) ?? 0;
      seen.set(sk, n + 1);
      if (n) sk += `\u0001${n}`;
      return [sk, value];
    });
  });
}

/** Changes behind from which an index is built anew this way (below it, row by row costs little)... */
export const BULK_MIN = 20_000;
/** ...when they are also this many times those it holds: rebuilding from the whole database then
 *  costs at most about as much again as the rows it adds, and over a growing load at most a
 *  constant factor of one build from nothing. */
export const BULK_RATIO = 2;
/** Rows and nodes written per store batch. */
const WRITE_BATCH = 2_000;

interface BulkIndex {
  prefix: string;
  views: Map<string, ViewDef>;
  roots: number[];
  next: number;
}

const scratch = (prefix: string, pos: number) => `${prefix}s${pos}:`;

/**
 * Phase one: maps every change at or below `target` and writes its rows under the scratch prefix and
 * its record (`<prefix>d<id>`: its sort keys per view, for a later update to take them out). Each
 * document is in the feed once, at its latest seq; one changed meanwhile has moved past `target`.
 */
export async function writeScratchRows(
  kv: KV, prefix: string, changes: (since: number) => Promise<{ results: any[]; last_seq: number | string }>,
  target: number, done: (n: number) => void, map: (docs: unknown[]) => Array<Array<Array<[Key, unknown]>>>,
) {
  let since = 0;
  for (;;) {
    const ch = await changes(since);
    const mine = ch.results.filter((c) => Number(c.seq) <= target);
    const live = mine.filter((c) => !c.deleted && !String(c.id).startsWith('_design/'));
    const emitted = map(live.map((c) => c.doc));
    const ops: BatchOp[] = [];
    live.forEach((c, i) => {
      const rows = rowsOf(c.id, emitted[i]);
      if (!rows.some((r) => r.length)) return;
      rows.forEach((r, pos) => r.forEach(([sk, value]) => ops.push({ type: 'put', key: scratch(prefix, pos) + sk, value: JSON.stringify(value ?? null) })));
      ops.push({ type: 'put', key: `${prefix}d${c.id}`, value: JSON.stringify(rows.map((r) => r.map(([sk]) => sk))) });
    });
    await kv.batch(ops);
    done(mine.length);
    if (mine.length < ch.results.length || !ch.results.length) return;
    since = Number(ch.last_seq);
    if (since >= target) return;
  }
}

/**
 * Phase two, per view: its tree written bottom-up from the scratch rows, in the store's order. LevelDB
 * orders UTF-8 bytes and the trees JavaScript's UTF-16 units; the two differ only around characters
 * beyond U+FFFF, so a row that arrives out of JavaScript's order is set aside and inserted into the
 * built tree the ordinary way. Returns the new roots; the scratch rows are removed.
 */
export async function buildTrees(kv: KV, idx: BulkIndex, apply: (view: ViewDef, root: number, rows: Entry[]) => Promise<number>) {
  const roots = [...idx.roots];
  for (const view of idx.views.values()) {
    const pos = view.pos;
    const from = scratch(idx.prefix, pos);
    const stragglers: Entry[] = [];
    // Nodes go to the store in batches, one batch at a time behind the reading (memory stays flat).
    let pending: BatchOp[] = [];
    let written: Promise<void> = Promise.resolve();
    const flush = () => {
      const ops = pending;
      pending = [];
      written = written.then(() => kv.batch(ops));
    };
    const nodes = {
      alloc: () => idx.next++,
      write: (id: number, node: TreeNode) => {
        pending.push({ type: 'put', key: `${idx.prefix}n${id}`, value: JSON.stringify(node) });
        if (pending.length >= WRITE_BATCH) flush();
      },
    };
    async function* ordered(): AsyncGenerator<Entry> {
      let last: string | null = null;
      let n = 0;
      for await (const [key, value] of kv.scan(from)) {
        const sk = key.slice(from.length);
        if (last !== null && !(last < sk)) stragglers.push([sk, JSON.parse(value)]);
        else {
          last = sk;
          yield [sk, JSON.parse(value)];
        }
        if (++n % WRITE_BATCH === 0) await written;
      }
    }
    const root = await Tree.build(ordered(), nodes, view.builtin);
    flush();
    await written;
    if (root !== null) {
      // The empty leaf the index began with is not referenced any more.
      await kv.batch([{ type: 'del', key: `${idx.prefix}n${roots[pos]}` }]);
      roots[pos] = root;
    }
    if (stragglers.length) roots[pos] = await apply(view, roots[pos], stragglers.sort(bySortKey));
    await kv.clear(from);
  }
  return roots;
}
