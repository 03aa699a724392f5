// Test doubles around the embedded node's view engine: a database whose changes feed runs a hook
// after each call (to change documents while an index builds), and an index store that reports
// what it is asked to read and write.
import type PouchDB from 'pouchdb-node';
import { LevelKV, type KV } from '../../server/node/view-store.ts';

/** The database as `changes` calls see it, with `hook(k)` run after the k-th call returned (1-based). */
export function hooked(db: PouchDB.Database, hook: (k: number) => Promise<void>) {
  let k = 0;
  return new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop !== 'changes') return typeof v === 'function' ? v.bind(target) : v;
      return async (o: any) => {
        const res = await v.call(target, o);
        await hook(++k);
        return res;
      };
    },
  }) as PouchDB.Database;
}

/** A LevelDB index store at `location` that shows each read's keys and each write's operations first. */
export function spiedStore(location: string, spy: { reads?: (keys: string[]) => void; writes?: (ops: Parameters<KV['batch']>[0]) => void }) {
  return (): KV => {
    const kv = new LevelKV(location);
    return {
      getMany: (keys) => (spy.reads?.(keys), kv.getMany(keys)),
      batch: (ops) => (spy.writes?.(ops), kv.batch(ops)),
      clear: (p) => kv.clear(p),
      list: (p) => kv.list(p),
      scan: (p) => kv.scan(p),
      close: () => kv.close(),
    };
  };
}
