// Regional admin mode: signed in at the region node as a region-admin. Reads
// come from the node's views (figures, orders) and the shop's local stock
// replica; writes (goods received, counts, thresholds, status changes) go
// into a local outbox that is pushed to the region's `ops`, so they can be
// made offline and show as pending until they land.
import PouchDB from 'pouchdb-browser';
import { shop } from './shop.svelte.ts';
import { viewQuery } from './key-pager.ts';
import { RequestError } from './request-error.ts';
import { AdminRequest, LedgerEntry, ids, ulid, type OrderStatus, type ResultCode } from '../model/index.ts';

const nodeUrl = (region: string) => `${location.origin}/db/${region.toLowerCase()}`;
const nowIso = () => new Date().toISOString();

export interface RequestAnswer {
  ok: boolean;
  code?: ResultCode;
  args?: Record<string, string | number>;
  message: string;
}

export interface OutboxDoc {
  _id: string;
  type: 'ledger' | 'admin_request';
  kind?: string;
  stock_id?: string;
  order_id?: string;
  at: string;
  [k: string]: unknown;
}

class RegionAdmin {
  user = $state<string | null>(null);
  region = $state<string | null>(null);
  /** Written here, not yet seen at the node. */
  pending = $state.raw<OutboxDoc[]>([]);
  /** The service's answers to this device's requests, by request id (code + args for the translated text). */
  results = $state.raw<Map<string, RequestAnswer>>(new Map());
  /** This device's requests the service refused, newest first: the admin sees why. */
  refused = $state.raw<Array<{ request: OutboxDoc; answer: RequestAnswer }>>([]);
  private poll: ReturnType<typeof setInterval> | null = null;
  /** Some request of this device still waits for its answer: then the answers are polled. */
  private unanswered = false;
  private outbox: PouchDB.Database | null = null;
  private push: PouchDB.Replication.Replication<{}> | null = null;

  async restore() {
    const region = shop.region;
    if (!region) return;
    try {
      const res = await fetch(`${nodeUrl(region)}/_session`, { credentials: 'include' });
      const body = await res.json();
      const roles: string[] = body?.userCtx?.roles ?? [];
      if (roles.includes('region-admin') && roles.includes(`region:${region}`)) this.open(region, body.userCtx.name);
    } catch {
      const remembered = localStorage.getItem(`sebaran.admin.${region}`);
      if (remembered) this.open(region, remembered);
    }
  }

  async signIn(name: string, password: string): Promise<'ok' | 'wrong' | 'not-admin' | 'offline'> {
    const region = shop.region!;
    let res: Response;
    try {
      res = await fetch(`${nodeUrl(region)}/_session`, {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
    } catch {
      return 'offline';
    }
    if (res.status === 401) return 'wrong';
    const body = await res.json();
    if (!body.roles?.includes('region-admin') || !body.roles?.includes(`region:${region}`)) return 'not-admin';
    this.open(region, name);
    return 'ok';
  }

  signOut() {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.push?.cancel();
    this.push = null;
    if (this.region) localStorage.removeItem(`sebaran.admin.${this.region}`);
    this.user = null;
  }

  private open(region: string, name: string) {
    this.region = region;
    this.user = name;
    localStorage.setItem(`sebaran.admin.${region}`, name);
    this.outbox = new PouchDB(`sebaran-${region}-admin-outbox`);
    const remote = new PouchDB(`${nodeUrl(region)}/ops`, {
      skip_setup: true,
      fetch: (u: string | Request, opts: RequestInit = {}) => (PouchDB as any).fetch(u, { ...opts, credentials: 'include' }),
    } as any);
    this.push?.cancel();
    this.push = PouchDB.replicate(this.outbox, remote, {
      live: true, retry: true, back_off_function: (d: number) => (d === 0 ? 500 : Math.min(d * 2, 10_000)),
    } as any)
      .on('change', () => void this.refreshPending())
      .on('paused', () => void this.refreshPending()) as any;
    void this.refreshPending();
    this.watchAnswers();
  }

  /** What the node has not acknowledged yet, and the answers it has. */
  async refreshPending() {
    if (!this.outbox || !this.region) return;
    const all = (await this.outbox.allDocs({ include_docs: true })).rows.map((r: any) => r.doc as OutboxDoc);
    let landed = new Set<string>();
    const results = new Map(this.results);
    try {
      const res = await fetch(`${nodeUrl(this.region)}/ops/_all_docs`, {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ keys: [...all.map((d) => d._id), ...all.map((d) => d._id.replace(/^request:/, 'result:'))] }),
      });
      if (res.ok) {
        const rows = (await res.json()).rows as any[];
        landed = new Set(rows.filter((r) => r.value && !r.value.deleted && !r.id.startsWith('result:')).map((r) => r.id));
        const found = rows.filter((r) => r.value && r.id.startsWith('result:')).map((r) => r.id);
        if (found.length) {
          const docs = await fetch(`${nodeUrl(this.region)}/ops/_all_docs?include_docs=true`, {
            method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ keys: found }),
          }).then((r) => r.json());
          for (const r of docs.rows as any[]) {
            if (r.doc) results.set(r.doc.request_id, { ok: r.doc.ok, code: r.doc.code, args: r.doc.args, message: r.doc.message });
          }
        }
      } else landed = new Set(this.pending.length ? [] : all.map((d) => d._id));
    } catch {
      /* offline: everything not confirmed stays pending */
    }
    this.pending = all.filter((d) => !landed.has(d._id)).sort((a, b) => b.at.localeCompare(a.at));
    this.results = results;
    this.refused = all
      .filter((d) => d.type === 'admin_request' && results.get(d._id)?.ok === false)
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 10)
      .map((d) => ({ request: d, answer: results.get(d._id)! }));
    this.unanswered = all.some((d) => d.type === 'admin_request' && !results.has(d._id));
  }


  private watchAnswers() {
    if (this.poll) return;
    // Answers come after the request has landed, with no replication event of their own: look every few seconds.
    this.poll = setInterval(() => {
      if (!this.unanswered) return;
      void this.refreshPending();
    }, 3000);
  }

  private async write(doc: unknown) {
    if (!this.outbox) throw new RequestError(401, 'unauthorized', 'sign in as the regional admin first');
    await this.outbox.put(doc as any);
    await this.refreshPending();
  }

  /** Goods received: a ledger entry, the truth from the moment it is written. */
  receive(stockId: string, qty: number, note?: string) {
    const R = this.region!;
    return this.write(LedgerEntry.parse({
      _id: ids.ledger(R, `receive:${ulid()}`), type: 'ledger', region_code: R, stock_id: stockId, delta: qty, reason: 'receive',
      ...(note ? { note } : {}), by: this.user, at: nowIso(),
    }));
  }

  /** Writes a request to the outbox; returns its id, under which `results` will hold the service's answer. */
  private async request(body: Record<string, unknown>) {
    const R = this.region!;
    const _id = ids.request(R, ulid());
    await this.write(AdminRequest.parse({ _id, type: 'admin_request', region_code: R, by: this.user, at: nowIso(), ...body }));
    return _id;
  }

  count(stockId: string, counted: number, note?: string) {
    return this.request({ kind: 'count', stock_id: stockId, counted, ...(note ? { note } : {}) });
  }

  threshold(stockId: string, lowThreshold: number) {
    return this.request({ kind: 'threshold', stock_id: stockId, low_threshold: lowThreshold });
  }

  restockDone(restockId: string, note?: string) {
    return this.request({ kind: 'restock_done', restock_id: restockId, ...(note ? { note } : {}) });
  }

  /** Central's restock requests for this region, with whether each is done. */
  async restocks() {
    const R = this.region!;
    const range = (p: string) => `include_docs=true&startkey=${encodeURIComponent(JSON.stringify(p))}&endkey=${encodeURIComponent(JSON.stringify(p + '\uffff'))}`;
    const [reqs, results] = await Promise.all(
      [`request:${R}:`, `result:${R}:`].map((p) =>
        fetch(`${nodeUrl(R)}/ops/_all_docs?${range(p)}`, { credentials: 'include' }).then((r) => r.json()).then((b) => (b.rows ?? []).map((x: any) => x.doc)),
      ),
    );
    const done = new Map(results.map((r: any) => [r.request_id, r]));
    return (reqs as any[]).filter((d) => d.kind === 'restock').map((d) => ({ req: d, done: done.get(d._id) ?? null }));
  }

  setStatus(orderId: string, status: Exclude<OrderStatus, 'placed'>) {
    return this.request({ kind: 'order_status', order_id: orderId, status });
  }

  /** A view of the region's `ops`, e.g. view('orders_by_day', { group: true }). */
  async view(name: string, params: Record<string, unknown> = {}) {
    const res = await fetch(`${nodeUrl(this.region!)}/ops/_design/sebaran/_view/${name}?${viewQuery(params)}`, { credentials: 'include' });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new RequestError(res.status, body?.error, `${name}: ${body?.reason ?? ''}`);
    }
    return (await res.json()).rows as Array<{ key: any; value: any; id?: string; doc?: any }>;
  }

  async doc(id: string) {
    const res = await fetch(`${nodeUrl(this.region!)}/ops/${encodeURIComponent(id)}`, { credentials: 'include' });
    if (!res.ok) throw new RequestError(res.status, '', id);
    return res.json();
  }
}

export const regionAdmin = new RegionAdmin();
