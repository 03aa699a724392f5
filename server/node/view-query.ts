// A view's query side: the rows of a key range, a page of them, their documents, and
// reductions by group, read from the view's b-tree (view-tree.ts) as CouchDB answers them.
import { collate, toIndexableString } from 'pouchdb-collate';
import { groupPrefix, keyOf, parse } from './view-keys.ts';
import { JsReducers, type Key, type ViewDef } from './view-sandbox.ts';
import { badError, combine, isBad } from './view-reduce.ts';
import type { Entry, Tree } from './view-tree.ts';
import { winners } from './point-reads.ts';
import { HttpError } from './http.ts';

export interface ViewQuery {
  key?: Key;
  keys?: Key[];
  startkey?: Key;
  endkey?: Key;
  startkey_docid?: string;
  endkey_docid?: string;
  inclusive_end?: boolean;
  descending?: boolean;
  limit?: number;
  skip?: number;
  include_docs?: boolean;
  reduce?: boolean;
  group?: boolean;
  group_level?: number;
  stale?: 'ok' | 'update_after';
  update_seq?: boolean;
}

/** The rows in range as positions [lo, hi) in ascending order (descending swaps the bounds' roles). */
export async function range(tree: Tree, q: ViewQuery): Promise<[number, number]> {
  const desc = !!q.descending;
  const start = q.key !== undefined ? q.key : q.startkey;
  const end = q.key !== undefined ? q.key : q.endkey;
  const inclusiveEnd = q.key !== undefined || q.inclusive_end !== false;
  // Bounds as sort keys: [k] sorts before every row of key k, [k, {}] after all of them,
  // [k, docid] exactly where that row would be.
  const lowKey = desc ? end : start;
  const lowId = desc ? q.endkey_docid : q.startkey_docid;
  const highKey = desc ? start : end;
  const highId = desc ? q.startkey_docid : q.endkey_docid;
  const lowInclusive = desc ? inclusiveEnd : true;
  const highInclusive = desc ? true : inclusiveEnd;
  const at = (key: Key, docid: string | undefined, edge: 'before' | 'after') =>
    toIndexableString(docid !== undefined ? [key, docid] : edge === 'before' ? [key] : [key, {}]);
  // A row emitted twice by one document sorts just after its first sort key: an edge at that
  // exact row takes its twins along.
  const twins = (docid: string | undefined) => (docid !== undefined ? '\u0001\uffff' : '');
  const lo = lowKey === undefined ? 0 : lowInclusive ? await tree.rank(at(lowKey, lowId, 'before'), false) : await tree.rank(at(lowKey, lowId, 'after') + twins(lowId), true);
  const hi = highKey === undefined ? await tree.count() : highInclusive ? await tree.rank(at(highKey, highId, 'after') + twins(highId), true) : await tree.rank(at(highKey, highId, 'before'), false);
  return [lo, Math.max(lo, hi)];
}

/** The most rows one `keys` answer holds (it is built in memory; CouchDB streams it). */
export const MAX_KEYS_ROWS = 1_000_000;

/** A map query's rows: `total_rows`, `offset` and the page, as CouchDB answers. */
export async function mapped(tree: Tree, q: ViewQuery) {
  const skip = q.skip ?? 0;
  const limit = q.limit ?? Infinity;
  const total = await tree.count();
  let rows: Entry[] = [];
  let offset = 0;
  if (q.keys) {
    // Counted first, read only where the page is: a few keys that each match many rows, asked again
    // and again in one request, would otherwise build an answer far larger than the index.
    let toSkip = skip;
    let left = limit;
    for (const key of q.keys) {
      if (left <= 0) break;
      const [lo, hi] = await range(tree, { key });
      const n = hi - lo;
      if (toSkip >= n) {
        toSkip -= n;
        continue;
      }
      const take = Math.min(n - toSkip, left);
      const part = q.descending ? (await tree.slice(hi - toSkip - take, hi - toSkip)).reverse() : await tree.slice(lo + toSkip, lo + toSkip + take);
      rows.push(...part);
      if (rows.length > MAX_KEYS_ROWS) throw new HttpError(400, 'query_parse_error', `More than ${MAX_KEYS_ROWS} rows for these keys: ask a page at a time (limit)`);
      toSkip = 0;
      left -= take;
    }
  } else {
    const [lo, hi] = await range(tree, q);
    if (q.descending) {
      offset = total - hi + skip;
      const top = hi - skip;
      rows = (await tree.slice(Math.max(lo, top - limit), top)).reverse();
    } else {
      offset = lo + skip;
      rows = await tree.slice(lo + skip, Math.min(hi, lo + skip + limit));
    }
  }
  const out = rows.map(([sk, value]) => {
    const [key, id] = parse(sk);
    return { id, key, value };
  });
  return { total_rows: total, offset: Math.min(offset, total), rows: out };
}

/** `include_docs=true`: each row's document (or the one its value links), null when gone. */
export async function includeDocs(pouch: PouchDB.Database, rows: Array<{ id: string; value: any; doc?: unknown }>) {
  if (!rows.length) return;
  // A value with an _id links another document, as in CouchDB.
  const want = rows.map((r) => (r.value && typeof r.value === 'object' && typeof r.value._id === 'string' ? r.value._id : r.id));
  const docs = new Map((await winners(pouch, want, { docs: true })).map((r) => [r.key, r.doc ?? null]));
  rows.forEach((r, i) => (r.doc = docs.get(want[i]) ?? null));
}

/** A reduce query's rows: one for the whole range, or one a group (`group`, `group_level`), per key of `keys`. */
export async function reduced(tree: Tree, view: ViewDef, q: ViewQuery, reducers: JsReducers) {
  const level = q.group ? Infinity : q.group_level ?? 0;
  const groupKey = (k: Key) => (level === Infinity ? k : Array.isArray(k) ? (level === 0 ? null : k.slice(0, level)) : level === 0 ? null : k);
  const rereduce = (a: unknown, b: unknown) => (view.builtin ? combine(view.builtin, a, b) : reducers.call(view.reduceSrc!, null, [a, b], true));
  const parts: Array<{ key: Key; value: unknown }> = [];
  const push = (key: Key, value: unknown) => {
    const last = parts[parts.length - 1];
    if (last && collate(last.key, key) === 0) last.value = rereduce(last.value, value);
    else parts.push({ key, value });
  };
  const ranges: ViewQuery[] = q.keys ? q.keys.map((key) => ({ key })) : [q];
  for (const r of ranges) {
    const [lo, hi] = await range(tree, { ...r, descending: q.descending });
    if (view.builtin) {
      const builtin = view.builtin;
      const oneGroup = (a: string, b: string) => level === 0 || b.startsWith(groupPrefix(a, level));
      let current: string | null = null;
      await tree.fold(lo, hi, !!q.descending, oneGroup, (sk, value) => {
        if (isBad(value)) throw badError(builtin, parse(value.$bad)[1]);
        const last = parts[parts.length - 1];
        if (last && (level === 0 || (current !== null && sk.startsWith(current)))) {
          last.value = combine(builtin, last.value, value);
          return;
        }
        current = level === 0 ? null : groupPrefix(sk, level);
        push(groupKey(keyOf(sk)), value);
      });
    } else {
      const slice = await tree.slice(lo, hi);
      if (q.descending) slice.reverse();
      let run: Entry[] = [];
      const flush = () => {
        if (run.length) push(groupKey(keyOf(run[0][0])), reducers.call(view.reduceSrc!, run.map(([sk]) => [keyOf(sk), parse(sk)[1]]), run.map((e) => e[1]), false));
        run = [];
      };
      for (const row of slice) {
        if (run.length && collate(groupKey(keyOf(run[0][0])), groupKey(keyOf(row[0]))) !== 0) flush();
        run.push(row);
      }
      flush();
    }
  }
  if (level === 0 && !q.keys) {
    // One row for everything in range (none when the range is empty, as in CouchDB).
    return { rows: parts.length ? [{ key: null, value: parts.map((p) => p.value).reduce(rereduce) }] : [] };
  }
  const skip = q.skip ?? 0;
  return { rows: parts.slice(skip, skip + (q.limit ?? Infinity)) };
}
