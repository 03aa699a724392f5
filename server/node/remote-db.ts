// A peer database over HTTP for PouchDB's replicator, with the endpoint's credentials and headers,
// and a limit on how long a request may go without a byte (CouchDB's connection_timeout).
import PouchDB from 'pouchdb-node';
import { Transform } from 'node:stream';
import type { Endpoint } from './replication-doc.ts';

export type Fetch = (url: string, opts: any) => Promise<any>;

/** Longer than the 10 s heartbeat of a live changes feed: a healthy peer always says something sooner. */
export const IDLE_LIMIT_MS = 45_000;

/**
 * A remote database; `onSeq` hears every changes feed's last_seq, even for batches the filter emptied;
 * `wrap` may put a layer (the checkpoint cache) between PouchDB and the network.
 */
export function remote(e: Endpoint, onSeq?: (seq: string | number) => void, idleMs = IDLE_LIMIT_MS, wrap?: (send: Fetch) => Fetch): PouchDB.Database {
  const url = typeof e === 'string' ? e : e.url;
  const headers: Record<string, string> = typeof e === 'string' ? {} : { ...(e.headers ?? {}) };
  const basic = typeof e === 'string' ? undefined : e.auth?.basic;
  if (basic) headers.Authorization = 'Basic ' + Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
  const send: Fetch = async (u, opts) => {
    for (const [k, v] of Object.entries(headers)) opts.headers.set(k, v);
    const res = await fetchWithIdleLimit(u, opts, idleMs);
    if (onSeq && res.ok && u.includes('/_changes')) {
      // Read last_seq from PouchDB's own parse, not from a clone: a clone's branches are piped, and
      // pipe does not pass an error on, so a body aborted mid-way would leave PouchDB waiting for good.
      const json = res.json.bind(res);
      res.json = async () => {
        const j = await json();
        if (j?.last_seq !== undefined) onSeq(j.last_seq);
        return j;
      };
    }
    return res;
  };
  return new PouchDB(url, { skip_setup: true, fetch: wrap ? wrap(send) : send } as any);
}

/**
 * PouchDB's http adapter sets no timeout on a request, so a half-open connection (the peer gone
 * silent without closing) would hold a lane for good. As CouchDB's replicator gives up after its
 * connection_timeout, a request here is aborted when no byte has arrived for IDLE_LIMIT_MS (while
 * waiting for the answer or while reading its body); the replication then retries as after any
 * network error.
 */
async function fetchWithIdleLimit(u: string, opts: any, idleMs: number): Promise<any> {
  const ctrl = new AbortController();
  const outer: AbortSignal | undefined = opts.signal;
  // PouchDB gives a live feed one signal for all its polls: the listener goes when this request ends,
  // or a feed running for days would gather one per poll.
  const onAbort = () => ctrl.abort();
  if (outer?.aborted) ctrl.abort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(), idleMs);
  };
  arm();
  let res: any;
  try {
    res = await (PouchDB as any).fetch(u, { ...opts, signal: ctrl.signal });
  } catch (e) {
    done();
    throw e;
  }
  if (!res.body) {
    done();
    return res;
  }
  arm();
  const tap = new Transform({
    transform(chunk, _enc, cb) {
      arm();
      cb(null, chunk);
    },
    flush(cb) {
      done();
      cb();
    },
  });
  res.body.on('error', (e: Error) => {
    done();
    tap.destroy(e);
  });
  res.body.pipe(tap);
  // The same (node-fetch) Response class PouchDB expects, reading through the tap.
  return new res.constructor(tap, { status: res.status, statusText: res.statusText, headers: res.headers, url: res.url });
}
