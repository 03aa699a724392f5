// Replication checkpoints written at CouchDB's pace. PouchDB's replicator
// writes its checkpoint on both ends after every batch, a GET and a PUT of a
// `_local` document on each. Across a WAN that is two round trips per batch
// on the far end, on top of the two the batch itself needs (revs_diff,
// bulk_docs), and every change waits behind them. CouchDB checkpoints every
// `checkpoint_interval` (5 s) instead. This layer sits in an endpoint's fetch:
// it answers PouchDB's reads of its checkpoint documents from what it last
// wrote, and writes the latest one to the peer at most once an interval, and
// when the job ends. A checkpoint that lags only means that a restart offers
// a few seconds of changes again, which revs_diff then skips.

type Fetch = (url: string, opts: any) => Promise<any>;

interface Entry {
  /** What PouchDB last wrote (or what the peer holds), without `_rev`; null: the peer has none. */
  doc: Record<string, unknown> | null;
  /** The revision the peer holds. */
  rev: string | undefined;
  /** The revision PouchDB was told: it sends it back with its next write. */
  told: string | undefined;
  dirty: boolean;
  writtenAt: number;
}

export const CHECKPOINT_INTERVAL_MS = 5_000;

/** A minimal Response: PouchDB's fetchJSON reads ok, status and json(). */
function answer(status: number, body: unknown) {
  const text = JSON.stringify(body);
  return {
    ok: status < 300,
    status,
    statusText: '',
    headers: new Headers({ 'content-type': 'application/json' }),
    json: async () => JSON.parse(text),
    text: async () => text,
  };
}

/** The `_local/...` id a request is about, or null (only whole-document reads and writes are taken). */
function localId(url: string): string | null {
  const u = new URL(url);
  const m = /\/(_local\/[^/]+)$/.exec(u.pathname);
  return m && !u.search ? decodeURIComponent(m[1]) : null;
}

export class CheckpointCache {
  private entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private base: string | null = null;
  private closed = false;

  constructor(
    private next: Fetch,
    private intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  /** The endpoint's fetch: checkpoint reads and writes are handled here, everything else passes. */
  fetch = async (url: string, opts: any): Promise<any> => {
    const id = localId(url);
    const method = String(opts?.method ?? 'GET').toUpperCase();
    if (!id || (method !== 'GET' && method !== 'PUT')) return this.next(url, opts);
    this.base ??= url.slice(0, url.lastIndexOf('/_local/'));
    return method === 'GET' ? this.read(id, url, opts) : this.write(id, url, opts);
  };

  private async read(id: string, url: string, opts: any) {
    const e = this.entries.get(id);
    if (e) return e.doc ? answer(200, { ...e.doc, _id: id, _rev: e.told }) : answer(404, { error: 'not_found', reason: 'missing' });
    const res = await this.next(url, opts);
    if (res.status !== 200 && res.status !== 404) return res;
    const body = await res.json();
    if (res.status === 200) {
      const { _rev, ...doc } = body;
      this.entries.set(id, { doc, rev: _rev, told: _rev, dirty: false, writtenAt: 0 });
    } else this.entries.set(id, { doc: null, rev: undefined, told: undefined, dirty: false, writtenAt: 0 });
    return answer(res.status, body);
  }

  private async write(id: string, url: string, opts: any) {
    const e = this.entries.get(id);
    let body: any;
    try {
      body = JSON.parse(String(opts.body));
    } catch {
      return this.next(url, opts);
    }
    // A write from a revision this layer did not hand out (or before any read) goes straight through.
    if (!e || body._rev !== e.told || this.closed) {
      this.entries.delete(id);
      return this.next(url, opts);
    }
    const { _rev, ...doc } = body;
    e.doc = doc;
    e.dirty = true;
    e.told = `0-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const wait = e.writtenAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      // Due: written now, and PouchDB hears how the peer answered.
      const r = await this.flushOne(id, e);
      if (r && !r.ok) {
        this.entries.delete(id);
        return answer(r.status, r.body);
      }
    } else this.arm(wait);
    return answer(201, { ok: true, id, rev: e.told });
  }

  private arm(wait: number) {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
    this.timer.unref();
  }

  /** Writes one entry to the peer; on a conflict (somebody else wrote it), once more on the peer's revision. */
  private async flushOne(id: string, e: Entry): Promise<{ ok: boolean; status: number; body: any } | null> {
    if (!e.dirty || !e.doc || !this.base) return null;
    const doc = e.doc;
    const url = `${this.base}/_local/${encodeURIComponent(id.slice('_local/'.length))}`;
    const put = (rev: string | undefined) =>
      this.next(url, {
        method: 'PUT',
        headers: new Headers({ 'content-type': 'application/json', accept: 'application/json' }),
        body: JSON.stringify({ ...doc, _id: id, ...(rev ? { _rev: rev } : {}) }),
      });
    e.dirty = false;
    e.writtenAt = Date.now();
    try {
      let res = await put(e.rev);
      let body = await res.json();
      if (res.status === 409) {
        const cur = await this.next(url, {
          method: 'GET', headers: new Headers({ accept: 'application/json' }),
        });
        const curBody = await cur.json();
        res = await put(cur.status === 200 ? curBody._rev : undefined);
        body = await res.json();
      }
      if (res.status < 300) {
        // PouchDB may have written again meanwhile: its newer checkpoint stays dirty.
        e.rev = body.rev;
        if (e.doc === doc && !e.dirty) e.told = e.rev;
        else e.dirty = true;
      } else e.dirty = true;
      return { ok: res.status < 300, status: res.status, body };
    } catch (err) {
      e.dirty = true;
      throw err;
    } finally {
      if ([...this.entries.values()].some((x) => x.dirty)) this.arm(this.intervalMs);
    }
  }

  /** Writes every checkpoint that waits; errors leave it waiting for the next interval. */
  async flush() {
    for (const [id, e] of this.entries) if (e.dirty) await this.flushOne(id, e).catch(() => {});
  }

  /** The job ends: what waits is written now, and later writes go straight to the peer. */
  async close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    this.closed = true;
  }
}
