// A PouchDB instance that can be retired safely. PouchDB never settles an operation that is in
// flight when its database closes (get, put, bulkDocs hang), nor a one-shot `changes` on a closed
// database: a request caught that way would hang for good. So every instance the store hands out
// counts its operations; retiring it refuses new ones at once (with CouchDB's answer to a failed
// write) and waits for those under way before the instance may be closed.
import { storageError } from './errors.ts';

const ASYNC = new Set([
  'get', 'put', 'post', 'remove', 'bulkDocs', 'bulkGet', 'allDocs', 'changes', 'info', 'revsDiff', 'compact',
  'viewCleanup', 'getAttachment', 'putAttachment', 'removeAttachment', 'find', 'createIndex', 'getIndexes',
  'deleteIndex', 'explain', 'query', 'id',
]);

interface Guard {
  raw: PouchDB.Database;
  retired: boolean;
  inflight: number;
  idle: Array<() => void>;
}

const guards = new WeakMap<object, Guard>();

export function guarded(raw: PouchDB.Database): PouchDB.Database {
  const g: Guard = { raw, retired: false, inflight: 0, idle: [] };
  const settled = () => {
    if (--g.inflight === 0) for (const wake of g.idle.splice(0)) wake();
  };
  const proxy = new Proxy(raw, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof prop !== 'string' || !ASYNC.has(prop) || typeof value !== 'function') return value;
      return (...args: any[]) => {
        if (g.retired) return Promise.reject(storageError());
        const result = value.apply(target, args);
        // A live feed runs until it is cancelled (retiring ends them first); anything else settles.
        const live = prop === 'changes' && args[0]?.live;
        if (!live && result && typeof result.then === 'function') {
          g.inflight++;
          result.then(settled, settled);
        }
        return result;
      };
    },
  });
  guards.set(proxy, g);
  return proxy;
}

/**
 * Refuses the instance's new operations and resolves with the bare PouchDB once those under way have
 * settled (or after `capMs`: a read stuck that long is not worth holding the database down for).
 */
export async function retire(pouch: PouchDB.Database, capMs = 10_000): Promise<PouchDB.Database> {
  const g = guards.get(pouch);
  if (!g) return pouch;
  g.retired = true;
  if (g.inflight > 0) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, capMs);
      g.idle.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  return g.raw;
}
