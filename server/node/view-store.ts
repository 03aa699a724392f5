// Where view indexes keep their trees: one key-value store per node (LevelDB
// under `<dataDir>/_views`, or memory for a node without a data directory),
// shared by every index through a key prefix, with one cache of decoded
// nodes. One LevelDB for all indexes: a region has a view index per shopper
// database, and a LevelDB each would hold hundreds of files and caches.
//
// Keys: `i/<db>/<ddoc>` names an index's prefix P; `P/m` its meta (design
// signature, database incarnation, seq, roots); `P/n<id>` a tree node;
// `P/d<doc id>` the sort keys a document emitted, per view (to take them out
// when it changes). A catch-up batch is one atomic write, so the meta and
// the nodes never disagree, even after a crash; writes are not synced (an
// index can be rebuilt from its database).
import { createRequire } from 'node:module';
import type { NodeStore, TreeNode } from './view-tree.ts';
import { OPEN_TABLE_FILES } from './durable-level.ts';

const fromPouch = createRequire(createRequire(import.meta.url).resolve('pouchdb-node'));
const leveldown: any = fromPouch('leveldown');

export type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export interface KV {
  getMany(keys: string[]): Promise<Array<string | undefined>>;
  batch(ops: BatchOp[]): Promise<void>;
  /** Removes every key that starts with `prefix`. */
  clear(prefix: string): Promise<void>;
  /** The keys that start with `prefix`, and their values. */
  list(prefix: string): Promise<Array<[string, string]>>;
  /** The same, in key order (LevelDB's: UTF-8 bytes), read as they are consumed. */
  scan(prefix: string): AsyncIterable<[string, string]>;
  close(): Promise<void>;
}

export class MemoryKV implements KV {
  private m = new Map<string, string>();
  async getMany(keys: string[]) {
    return keys.map((k) => this.m.get(k));
  }
  async batch(ops: BatchOp[]) {
    for (const op of ops) op.type === 'put' ? this.m.set(op.key, op.value) : this.m.delete(op.key);
  }
  async clear(prefix: string) {
    for (const k of [...this.m.keys()]) if (k.startsWith(prefix)) this.m.delete(k);
  }
  async list(prefix: string) {
    return [...this.m].filter(([k]) => k.startsWith(prefix)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
  async *scan(prefix: string) {
    yield* await this.list(prefix);
  }
  async close() {}
}

/** The first key past every key that starts with `prefix` (LevelDB compares UTF-8 bytes, and a
 *  character above U+FFFF, say an emoji in a document id, sorts after "\uffff" there). */
const after = (prefix: string) => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

export class LevelKV implements KV {
  private db: any;
  private opened: Promise<void>;
  constructor(location: string) {
    this.db = leveldown(location);
    this.opened = new Promise((resolve, reject) => this.db.open({ createIfMissing: true, maxOpenFiles: OPEN_TABLE_FILES }, (e: Error | null) => (e ? reject(e) : resolve())));
  }
  async getMany(keys: string[]) {
    await this.opened;
    if (!keys.length) return [];
    return new Promise<Array<string | undefined>>((resolve, reject) =>
      this.db.getMany(keys, { asBuffer: false }, (e: Error | null, vs: Array<string | undefined>) => (e ? reject(e) : resolve(vs))),
    );
  }
  async batch(ops: BatchOp[]) {
    await this.opened;
    if (!ops.length) return;
    return new Promise<void>((resolve, reject) => this.db.batch(ops, {}, (e: Error | null) => (e ? reject(e) : resolve())));
  }
  async clear(prefix: string) {
    await this.opened;
    return new Promise<void>((resolve, reject) => this.db.clear({ gte: prefix, lt: after(prefix) }, (e: Error | null) => (e ? reject(e) : resolve())));
  }
  async list(prefix: string) {
    const out: Array<[string, string]> = [];
    for await (const kv of this.scan(prefix)) out.push(kv);
    return out;
  }
  async *scan(prefix: string): AsyncGenerator<[string, string]> {
    await this.opened;
    const it = this.db.iterator({ gte: prefix, lt: after(prefix), keyAsBuffer: false, valueAsBuffer: false });
    try {
      for (;;) {
        const kv = await new Promise<[string, string] | null>((resolve, reject) =>
          it.next((e: Error | null, k?: string, v?: string) => (e ? reject(e) : resolve(k === undefined ? null : [k, v!]))),
        );
        if (!kv) return;
        yield kv;
      }
    } finally {
      await new Promise<void>((resolve) => it.end(() => resolve()));
    }
  }
  async close() {
    await this.opened.catch(() => {});
    return new Promise<void>((resolve) => this.db.close(() => resolve()));
  }
}

/**
 * The store a view engine writes through: `current()` is the store of the moment (the engine opens
 * a new one after a failure), and a failed write is handed to `failed`, whose error is thrown.
 */
export function guardedKV(current: () => KV, failed: (e: Error) => Error): KV {
  return {
    getMany: (keys) => current().getMany(keys),
    batch: (ops) => current().batch(ops).catch((e: Error) => Promise.reject(failed(e))),
    clear: (prefix) => current().clear(prefix),
    list: (prefix) => current().list(prefix),
    scan: (prefix) => current().scan(prefix),
    close: () => current().close(),
  };
}

/** Decoded nodes, least recently used first out; sized by their JSON length. */
export class NodeCache {
  private m = new Map<string, { node: TreeNode; size: number }>();
  private size = 0;
  constructor(private budget: number) {}
  get(key: string) {
    const hit = this.m.get(key);
    if (!hit) return undefined;
    this.m.delete(key);
    this.m.set(key, hit);
    return hit.node;
  }
  set(key: string, node: TreeNode, size: number) {
    this.delete(key);
    this.m.set(key, { node, size });
    this.size += size;
    for (const [k, v] of this.m) {
      if (this.size <= this.budget) break;
      this.m.delete(k);
      this.size -= v.size;
    }
  }
  delete(key: string) {
    const had = this.m.get(key);
    if (had) {
      this.m.delete(key);
      this.size -= had.size;
    }
  }
  /** Drops every node under an index prefix (an index removed or rebuilt). */
  dropPrefix(prefix: string) {
    for (const k of [...this.m.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }
}

/**
 * One catch-up batch's view of an index's nodes: reads see the batch's own writes, writes are
 * kept until `commit` writes them (with the caller's other keys) in one atomic batch. A batch
 * that fails leaves the cache as it was.
 */
export class NodeBatch implements NodeStore {
  private staged = new Map<number, TreeNode | null>();
  /** Nodes read ahead for this batch (kept here: the shared cache may let them go before they are used). */
  private fetched = new Map<number, TreeNode>();
  constructor(
    private kv: KV,
    private cache: NodeCache,
    private prefix: string,
    private next: { id: number },
  ) {}

  async read(id: number): Promise<TreeNode> {
    const s = this.staged.get(id);
    if (s) return s;
    if (s === null) throw new Error(`view index: node ${id} read after it was freed`);
    return this.fetched.get(id) ?? readNode(this.kv, this.cache, this.prefix, id);
  }
  dropPrefetched() {
    this.fetched.clear();
  }
  async prefetch(ids: number[]) {
    const wanted = ids.filter((id) => !this.staged.has(id) && !this.fetched.has(id));
    const nodes = await readNodes(this.kv, this.cache, this.prefix, wanted);
    wanted.forEach((id, i) => this.fetched.set(id, nodes[i]));
  }
  write(id: number, node: TreeNode) {
    this.staged.set(id, node);
  }
  free(id: number) {
    this.staged.set(id, null);
  }
  alloc() {
    return this.next.id++;
  }

  /** The staged nodes as batch operations; `done()` then puts them in the cache. */
  ops(): { ops: BatchOp[]; done: () => void } {
    const ops: BatchOp[] = [];
    const sized: Array<[string, TreeNode, number]> = [];
    for (const [id, node] of this.staged) {
      const key = `${this.prefix}n${id}`;
      if (node === null) ops.push({ type: 'del', key });
      else {
        const value = JSON.stringify(node);
        ops.push({ type: 'put', key, value });
        sized.push([key, node, value.length]);
      }
    }
    return {
      ops,
      done: () => {
        for (const [id, node] of this.staged) if (node === null) this.cache.delete(`${this.prefix}n${id}`);
        for (const [key, node, size] of sized) this.cache.set(key, node, size);
      },
    };
  }
}

/** Committed nodes only: what queries read. */
export function reader(kv: KV, cache: NodeCache, prefix: string): NodeStore {
  const no = () => {
    throw new Error('view index: a query does not write');
  };
  return { read: (id) => readNode(kv, cache, prefix, id), write: no, free: no, alloc: no };
}

async function readNode(kv: KV, cache: NodeCache, prefix: string, id: number): Promise<TreeNode> {
  return (await readNodes(kv, cache, prefix, [id]))[0];
}

/** Nodes from the cache, the rest in one read of the store (each read is a hand-off to the thread pool). */
async function readNodes(kv: KV, cache: NodeCache, prefix: string, ids: number[]): Promise<TreeNode[]> {
  const out: TreeNode[] = [];
  const missing: number[] = [];
  ids.forEach((id, i) => {
    const hit = cache.get(`${prefix}n${id}`);
    if (hit) out[i] = hit;
    else missing.push(i);
  });
  if (!missing.length) return out;
  const raws = await kv.getMany(missing.map((i) => `${prefix}n${ids[i]}`));
  missing.forEach((i, k) => {
    const key = `${prefix}n${ids[i]}`;
    const raw = raws[k];
    if (raw === undefined) throw new Error(`view index: node ${key} is missing`);
    const node = JSON.parse(raw) as TreeNode;
    cache.set(key, node, raw.length);
    out[i] = node;
  });
  return out;
}
