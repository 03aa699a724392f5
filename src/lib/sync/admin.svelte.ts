// Regional admin mode: signed in at the region node as a region-admin. Reads
// come from the node's views (figures, orders) and the shop's local stock
// replica; writes (goods received, counts, thresholds, status changes) go
// into a local outbox that is pushed to the region's `ops`, so they can be
// made offline and show as pending until they land.
import PouchDB from 'pouchdb-browser';
import { NodeClient } from './node-client.ts';
import { RequestError } from './request-error.ts';
import { AdminRequest, LedgerEntry, ids, ulid, type OrderStatus, type ResultCode } from '../model/index.ts';

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

  private node: NodeClient | null = null;

  /** Is a regional admin of `region` signed in there (or, offline, was one last time)? */
  async restore(region: string) {
    if (this.user && this.region === region) return;
    const node = new NodeClient(region);
    const s = await node.session();
    if (s === 'offline') {
      const remembered = localStorage.getItem(`sebaran.admin.${region}`);
      if (remembered) this.open(region, remembered);
    } else if (s && s.roles.includes('region-admin') && s.roles.includes(`region:${region}`)) this.open(region, s.name);
  }

  async signIn(region: string, name: string, password: string): Promise<'ok' | 'wrong' | 'not-admin' | 'offline'> {
    const s = await new NodeClient(region).signIn(name, password);
    if (s === 'wrong' || s === 'offline') return s;
    if (!s.roles.includes('region-admin') || !s.roles.includes(`region:${region}`)) return 'not-admin';
    this.open(region, s.name);
    return 'ok';
  }

  /** Forgets the signed-in admin on this device (the session at the node is the shop's to end: `shop.signOut`, one cookie). */
  forget(region = this.region) {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.push?.cancel();
    this.push = null;
    this.user = null;
    if (region) localStorage.removeItem(`sebaran.admin.${region}`);
  }

  private open(region: string, name: string) {
    this.node = new NodeClient(region);
    this.region = region;
    this.user = name;
    localStorage.setItem(`sebaran.admin.${region}`, name);
    this.outbox = new PouchDB(`sebaran-${region}-admin-outbox`);
    const remote = new PouchDB(`${this.node.url}/ops`, {
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
      const ids = all.map((d) => d._id);
      const answers = ids.map((id) => id.replace(/^request:/, 'result:'));
      const [held, found] = await Promise.all([this.node!.has('ops', ids), this.node!.docs('ops', answers)]);
      landed = held;
      for (const r of found) results.set(r.request_id, { ok: r.ok, code: r.code, args: r.args, message: r.message });
    } catch {
      /* offline: everything not confirmed stays pending */
    }
    this.pending = all.filter((d) => !landed.has(d._id)).sort((a, b) => b.at.localeCompare(a.at));
    this.results = results;
    const dismissed = this.dismissed();
    this.refused = all
      .filter((d) => d.type === 'admin_request' && results.get(d._id)?.ok === false && !dismissed.includes(d._id))
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 10)
      .map((d) => ({ request: d, answer: results.get(d._id)! }));
    this.unanswered = all.some((d) => d.type === 'admin_request' && !results.has(d._id));
  }


  /** Refusals the admin has read and closed, on this device (the requests themselves stay, immutable). */
  private dismissed(): string[] {
    try {
      const v = JSON.parse(localStorage.getItem(`sebaran.admin.dismissed.${this.region}`) ?? '[]');
      return Array.isArray(v) ? v : [];
    } catch {
      return [];
    }
  }

  dismissRefusal(requestId: string) {
    // The newest 200 are enough: only the newest 10 refusals are ever shown.
    const kept = [requestId, ...this.dismissed().filter((id) => id !== requestId)].slice(0, 200);
    localStorage.setItem(`sebaran.admin.dismissed.${this.region}`, JSON.stringify(kept));
    this.refused = this.refused.filter((r) => r.request._id !== requestId);
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
    const [reqs, results] = await Promise.all([this.node!.allDocs('ops', `request:${R}:`), this.node!.allDocs('ops', `result:${R}:`)]);
    const done = new Map(results.map((r: any) => [r.request_id, r]));
    return (reqs as any[]).filter((d) => d.kind === 'restock').map((d) => ({ req: d, done: done.get(d._id) ?? null }));
  }

  setStatus(orderId: string, status: Exclude<OrderStatus, 'placed'>) {
    return this.request({ kind: 'order_status', order_id: orderId, status });
  }

  /** A view of the region's `ops`, e.g. view('orders_by_day', { group: true }). */
  view(name: string, params: Record<string, unknown> = {}) {
    return this.node!.view('ops', name, params);
  }

  doc(id: string) {
    return this.node!.get('ops', id);
  }

  /** Documents of the region's `ops` by id (a page of a list). */
  docs(ids: string[]) {
    return this.node!.docs('ops', ids);
  }
}

export const regionAdmin = new RegionAdmin();
