// The region service: the one writer of a region's stock snapshot, orders
// and order copies (DESIGN section 2). It
//  - gives every shopper a per-user database (if the sign-up did not) and a profile in ops,
//  - turns checkout requests into orders (or rejections) exactly once,
//  - folds ledger entries (sales, cancels, goods received, counts) into stock,
//  - applies admin requests (order status through the state machine, stock
//    counts, low-stock thresholds) and mirrors order status to the shopper.
// Every write has a deterministic id, so a crash between any two writes is
// finished on restart by doing the same work again.
import { Couch, CouchError, docPath, type Credentials } from '../couch-client.ts';
import { provisionUserDb } from '../ops/userdb.ts';
import {
  AdminRequest, CheckoutRequest, decideCheckout, foldLedger, ids, moveProblem, userDbName,
  type LedgerEntry, type Order, type OrderCopy, type Product, type WarehouseItem,
} from '../../src/lib/model/index.ts';

export interface ServiceOptions {
  region: string;
  url: string;
  admin: Credentials;
  service: Credentials;
  log?: (line: string) => void;
}

const nowIso = () => new Date().toISOString();

function ownerOf(db: string): string {
  const hex = db.slice('userdb-'.length);
  return Buffer.from(hex, 'hex').toString('utf8');
}

export class RegionService {
  private admin: Couch;
  private svc: Couch;
  private R: string;
  private log: (l: string) => void;
  private stopped = false;
  private aborts = new Set<AbortController>();
  /** Folded ledger: the truth about stock, kept in memory by the only writer. */
  private folded = new Map<string, { quantity: number; count: number }>();
  private appliedLedger = new Set<string>();
  private snapshots = new Map<string, WarehouseItem>();
  private orders = new Set<string>();
  private profiles = new Set<string>();
  private checkpoints = new Map<string, any>();
  private healthTimer: ReturnType<typeof setInterval> | null = null;
  private health: { key: string; at: number; rev?: string } = { key: '', at: 0 };
  private flushTimer: ReturnType<typeof setInterval> | null = null;
  private unsaved = new Set<string>();
  private answered = new Map<string, Set<string>>();
  private dirtyDbs = new Set<string>();
  private working: Promise<void> | null = null;
  private opsSince: string | number = 0;
  private products = new Map<string, Product>();
  readonly stats = { confirmed: 0, rejected: 0, statusChanges: 0, provisioned: 0 };

  constructor(private o: ServiceOptions) {
    this.admin = new Couch(o.url, o.admin);
    this.svc = new Couch(o.url, o.service);
    this.R = o.region;
    this.log = o.log ?? (() => {});
  }

  async start() {
    await this.loadState();
    await this.provisionAll();
    const dbs = (await this.admin.ok('GET', '/_all_dbs')) as string[];
    for (const db of dbs) if (db.startsWith('userdb-')) this.dirtyDbs.add(db);
    await this.work();
    void this.followDbUpdates();
    void this.followOps();
    void this.reportHealth();
    this.healthTimer = setInterval(() => void this.reportHealth(), 15_000);
    this.flushTimer = setInterval(() => void this.flushCheckpoints().catch(() => {}), 3000);
    this.log(`[${this.R}] region service running: ${this.snapshots.size} stock items, ${this.orders.size} orders`);
  }

  async stop() {
    this.stopped = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.flushCheckpoints().catch(() => {});
    for (const a of this.aborts) a.abort();
    await this.working;
  }

  /** Rebuilds the in-memory truth from the ledger and repairs snapshots a crash left behind. */
  private async loadState() {
    const info = await this.svc.ok('GET', '/ops');
    this.opsSince = info.update_seq;
    const range = (prefix: string) => `include_docs=true&startkey=${encodeURIComponent(JSON.stringify(prefix))}&endkey=${encodeURIComponent(JSON.stringify(prefix + '\uffff'))}`;
    const ledger = (await this.svc.allDocs('ops', range(`ledger:${this.R}:`))).map((r: any) => r.doc as LedgerEntry);
    this.folded = foldLedger(ledger);
    this.appliedLedger = new Set(ledger.map((e) => e._id));
    const orderRows = await this.svc.allDocs('ops', `startkey=${encodeURIComponent(JSON.stringify(`order:${this.R}:`))}&endkey=${encodeURIComponent(JSON.stringify(`order:${this.R}:\uffff`))}`);
    this.orders = new Set(orderRows.map((r: any) => r.id));
    const stock = (await this.svc.allDocs('inventory', range(`stock:${this.R}:`))).map((r: any) => r.doc as WarehouseItem);
    this.snapshots = new Map(stock.map((s) => [s._id, s]));
    const repairs = [...this.snapshots.keys()].filter((id) => this.snapshotStale(id));
    if (repairs.length) {
      this.log(`[${this.R}] repairing ${repairs.length} stock snapshot(s) from the ledger`);
      await this.writeSnapshots(repairs);
    }
  }

  private snapshotStale(id: string) {
    const s = this.snapshots.get(id);
    const f = this.folded.get(id) ?? { quantity: 0, count: 0 };
    return !!s && (s.quantity !== f.quantity || s.ledger_count !== f.count);
  }

  private async writeSnapshots(idsToWrite: Iterable<string>) {
    const docs: WarehouseItem[] = [];
    for (const id of new Set(idsToWrite)) {
      const s = this.snapshots.get(id);
      if (!s) continue;
      const f = this.folded.get(id) ?? { quantity: 0, count: 0 };
      docs.push({ ...s, quantity: Math.max(0, f.quantity), ledger_count: f.count, updated_at: nowIso() });
    }
    if (!docs.length) return;
    const res = (await this.svc.ok('POST', '/inventory/_bulk_docs', { docs })) as any[];
    res.forEach((r, i) => {
      if (r.ok) this.snapshots.set(docs[i]._id, { ...docs[i], _rev: r.rev });
    });
    const conflicts = res.filter((r) => r.error === 'conflict').map((r) => r.id);
    if (conflicts.length) {
      // Someone (an operator) touched a snapshot: take their rev and write ours again.
      for (const id of conflicts) this.snapshots.set(id, await this.svc.getDoc('inventory', id));
      await this.writeSnapshots(conflicts);
    }
  }

  /**
   * A sign-up (server/region/signup.ts) makes the shopper's database itself; this catches any account
   * made otherwise (by an operator, or a sign-up whose provisioning failed) and writes every profile.
   */
  private async provisionAll() {
    const users = await this.admin.allDocs('_users', 'include_docs=true');
    for (const row of users) {
      const u = row.doc;
      if (u?.type !== 'user' || (u.roles ?? []).length > 0) continue; // staff and services have no shop database
      await this.provision(u.name);
      await this.ensureProfile(u);
    }
  }

  /** The shopper's profile in `ops`, for the regional admin's user list, from what they gave at sign-up. */
  private async ensureProfile(u: any) {
    const id = ids.user(this.R, u.name);
    if (this.profiles.has(id)) return;
    if (await this.svc.getDoc('ops', id)) {
      this.profiles.add(id);
      return;
    }
    const profile = {
      _id: id, type: 'user', region_code: this.R, name: u.name,
      full_name: typeof u.full_name === 'string' && u.full_name.trim() ? u.full_name.trim().slice(0, 120) : u.name,
      email: typeof u.email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(u.email) ? u.email : `${u.name}@belum-diisi.invalid`,
      created_at: nowIso(),
    };
    const r = await this.svc.request('PUT', `/ops/${docPath(id)}`, profile);
    if (r.status < 300 || r.status === 409) this.profiles.add(id);
    else this.log(`[${this.R}] profile for ${u.name} refused: ${r.json?.reason}`);
  }

  private async provision(name: string) {
    const db = userDbName(name);
    const r = await this.admin.request('GET', `/${db}`);
    if (r.status === 200) return;
    await provisionUserDb(this.admin, name, this.R);
    this.stats.provisioned++;
    this.log(`[${this.R}] per-user database for ${name}`);
  }

  /** Serialises all work: stock decisions are taken one at a time, so stock never goes below zero. */
  private work(): Promise<void> {
    if (this.working) return this.working;
    this.working = (async () => {
      try {
        while (this.dirtyDbs.size && !this.stopped) {
          const batch = [...this.dirtyDbs];
          this.dirtyDbs.clear();
          await this.processUserDbs(batch);
        }
      } finally {
        this.working = null;
      }
    })();
    return this.working;
  }

  private async processUserDbs(dbs: string[]) {
    type Pending = { db: string; req: CheckoutRequest; since: string | number; checkpoint: any };
    const pending: Pending[] = [];
    const checkpoints = new Map<string, { since: string | number; doc: any }>();
    await Promise.all(
      dbs.map(async (db) => {
        try {
          const cp = this.checkpoints.get(db) ?? (await this.svc.getDoc(db, '_local/sebaran-service'));
          const since = cp?.since ?? 0;
          const ch = await this.svc.ok('GET', `/${db}/_changes?since=${encodeURIComponent(String(since))}&include_docs=true`);
          checkpoints.set(db, { since: ch.last_seq, doc: cp });
          for (const c of ch.results as any[]) {
            if (c.deleted || !c.id.startsWith('checkout:')) continue;
            const parsed = CheckoutRequest.safeParse(c.doc);
            if (!parsed.success) {
              this.log(`[${this.R}] ignoring malformed checkout ${c.id} in ${db}`);
              continue;
            }
            pending.push({ db, req: parsed.data, since: ch.last_seq, checkpoint: cp });
          }
        } catch (e) {
          if (e instanceof CouchError && e.status === 404) return; // deleted meanwhile
          this.log(`[${this.R}] cannot read ${db}: ${(e as Error).message}`);
          this.dirtyDbs.add(db); // try again on the next round
        }
      }),
    );
    if (pending.length) await this.decide(pending);
    // Where each shopper database was read up to: kept in memory, written out every few seconds
    // (after a crash the last few requests are read again and recognised as answered).
    for (const [db, { since, doc }] of checkpoints) {
      if (this.dirtyDbs.has(db) || doc?.since === since) continue;
      this.checkpoints.set(db, { ...(doc ?? {}), _id: '_local/sebaran-service', since });
      this.unsaved.add(db);
    }
  }

  private async flushCheckpoints() {
    const dbs = [...this.unsaved];
    this.unsaved.clear();
    await Promise.all(
      dbs.map(async (db) => {
        const cp = this.checkpoints.get(db);
        const r = await this.svc.request('PUT', `/${db}/_local/sebaran-service`, cp);
        if (r.status < 300) this.checkpoints.set(db, { ...cp, _rev: r.json.rev });
        else this.checkpoints.delete(db); // read it back next time
      }),
    );
  }

  private async productsFor(idsWanted: string[]) {
    const missing = [...new Set(idsWanted)].filter((id) => !this.products.has(id));
    if (missing.length) {
      const rows = (await this.svc.ok('POST', '/catalog/_all_docs?include_docs=true', { keys: missing })).rows as any[];
      for (const r of rows) if (r.doc) this.products.set(r.id, r.doc);
    }
    // Prices can change at central: use a fresh copy for every batch.
    const fresh = new Map<string, Product>();
    for (const id of new Set(idsWanted)) {
      const p = this.products.get(id);
      if (p) fresh.set(id, p);
    }
    this.products.clear();
    return fresh;
  }

  private async decide(pending: Array<{ db: string; req: CheckoutRequest }>) {
    // Already answered (a replay, or a second sync of the same request)? Then only make sure the copy exists.
    // Already answered (a replay, or a second sync of the same request)? The service is the only writer
    // of copies, so it remembers their ids per shopper database after one look.
    await Promise.all([...new Set(pending.map((p) => p.db))].map((db) => this.answeredIn(db)));
    const products = await this.productsFor(
      pending.flatMap((p) => p.req.items.map((l) => this.snapshots.get(l.stock_id)?.product_id ?? l.product_id)),
    );
    const orders: Order[] = [];
    const ledger: LedgerEntry[] = [];
    const copyWrites: Array<{ db: string; doc: OrderCopy }> = [];
    const touched = new Set<string>();
    const seen = new Set<string>();
    for (const { db, req } of pending) {
      const orderId = ids.order(this.R, req.request_id);
      const copyId = ids.orderCopy(orderId);
      const key = `${db}/${copyId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (this.answered.get(db)?.has(copyId)) continue; // answered before
      const owner = ownerOf(db);
      if (this.orders.has(orderId)) {
        // The order was made but the crash came before the copy: finish the work.
        const order = await this.svc.getDoc('ops', orderId);
        if (order) copyWrites.push({ db, doc: this.copyOf(order, null) });
        continue;
      }
      const d = decideCheckout(
        req,
        this.R,
        (id) => {
          const s = this.snapshots.get(id);
          return s ? { item: s, available: Math.max(0, this.folded.get(id)?.quantity ?? 0) } : undefined;
        },
        (id) => products.get(id),
      );
      const at = nowIso();
      if (!d.ok) {
        this.stats.rejected++;
        copyWrites.push({
          db,
          doc: {
            _id: copyId, type: 'order_copy', region_code: this.R, request_id: req.request_id, order_id: null, status: 'rejected',
            items: [], total: 0, rejections: d.rejections, history: [], created_at: req.created_at, updated_at: at,
          },
        });
        continue;
      }
      const order: Order = {
        _id: orderId, type: 'order', region_code: this.R, user_name: owner, request_id: req.request_id, items: d.items,
        total: d.total, status: 'placed', address: req.address, history: [{ status: 'placed', at, by: owner }],
        created_at: req.created_at, updated_at: at,
      };
      d.items.forEach((line, k) => {
        const entry: LedgerEntry = {
          _id: ids.ledger(this.R, `sale:${req.request_id}:${k}`), type: 'ledger', region_code: this.R, stock_id: line.stock_id,
          delta: -line.qty, reason: 'sale', ref: orderId, by: this.o.service.name, at,
        };
        ledger.push(entry);
        this.applyLedger(entry);
        touched.add(line.stock_id);
      });
      this.orders.add(orderId);
      orders.push(order);
      copyWrites.push({ db, doc: this.copyOf(order, null) });
      this.stats.confirmed++;
    }
    // Order of writes = order of recovery: ledger and orders first (the truth), then snapshots, then copies.
    if (orders.length || ledger.length) await this.bulkIdempotent('ops', [...ledger, ...orders]);
    if (touched.size) await this.writeSnapshots(touched);
    const byDb = new Map<string, OrderCopy[]>();
    for (const w of copyWrites) byDb.set(w.db, [...(byDb.get(w.db) ?? []), w.doc]);
    await Promise.all([...byDb].map(([db, docs]) => this.putCopies(db, docs)));
    for (const w of copyWrites) this.answered.get(w.db)?.add(w.doc._id);
  }

  private async answeredIn(db: string) {
    if (this.answered.has(db)) return this.answered.get(db)!;
    const q = `startkey=${encodeURIComponent(JSON.stringify('my-order:'))}&endkey=${encodeURIComponent(JSON.stringify('my-order:\uffff'))}`;
    const rows = (await this.svc.ok('GET', `/${db}/_all_docs?${q}`)).rows as any[];
    const set = new Set(rows.map((r) => r.id as string));
    this.answered.set(db, set);
    return set;
  }

  /** New copies in one request per shopper database; an existing copy is updated with its rev. */
  private async putCopies(db: string, docs: OrderCopy[]) {
    const res = (await this.svc.ok('POST', `/${db}/_bulk_docs`, { docs })) as any[];
    const retry = res.map((r, i) => (r.error === 'conflict' ? docs[i] : null)).filter((d): d is OrderCopy => d !== null);
    for (const d of retry) await this.putCopy(db, d);
    const failed = res.filter((r) => r.error && r.error !== 'conflict');
    if (failed.length) throw new Error(`${db}: order copy refused: ${failed[0].reason}`);
  }

  private copyOf(order: Order, existing: OrderCopy | null): OrderCopy {
    return {
      ...(existing?._rev ? { _rev: existing._rev } : {}),
      _id: ids.orderCopy(order._id), type: 'order_copy', region_code: this.R, request_id: order.request_id, order_id: order._id,
      status: order.status, items: order.items, total: order.total, rejections: [], history: order.history,
      created_at: order.created_at, updated_at: order.updated_at,
    };
  }

  private async putCopy(db: string, doc: OrderCopy) {
    const r = await this.svc.request('PUT', `/${db}/${docPath(doc._id)}`, doc);
    if (r.status === 409) {
      const current = await this.svc.getDoc(db, doc._id);
      await this.svc.ok('PUT', `/${db}/${docPath(doc._id)}`, { ...doc, _rev: current._rev });
    } else if (r.status >= 300) throw new CouchError(r.status, r.json, `copy ${doc._id} into ${db}`);
  }

  /** Writes documents whose ids are deterministic: an existing one means the work was done before. */
  private async bulkIdempotent(db: string, docs: unknown[]) {
    const res = (await this.svc.ok('POST', `/${db}/_bulk_docs`, { docs })) as any[];
    const failed = res.filter((r) => r.error && r.error !== 'conflict');
    if (failed.length) throw new Error(`${db}: ${failed.length} write(s) refused, first ${failed[0].id}: ${failed[0].reason}`);
  }

  private applyLedger(e: Pick<LedgerEntry, '_id' | 'stock_id' | 'delta'>) {
    if (this.appliedLedger.has(e._id)) return false;
    this.appliedLedger.add(e._id);
    const f = this.folded.get(e.stock_id) ?? { quantity: 0, count: 0 };
    f.quantity += e.delta;
    f.count += 1;
    this.folded.set(e.stock_id, f);
    return true;
  }

  private abortable() {
    const a = new AbortController();
    this.aborts.add(a);
    return a;
  }

  /** Shoppers' databases and sign-ups, as the node announces them. */
  private async followDbUpdates() {
    let since = 'now';
    const a = this.abortable();
    while (!this.stopped) {
      try {
        const res = await fetch(`${this.o.url}/_db_updates?feed=longpoll&timeout=30000&since=${encodeURIComponent(since)}`, {
          headers: this.admin.authHeader, signal: a.signal,
        });
        const body: any = await res.json();
        if (!res.ok) throw new Error(`${res.status} ${body?.reason}`);
        since = body.last_seq;
        let users = false;
        for (const u of body.results as any[]) {
          if (u.db_name.startsWith('userdb-') && u.type !== 'deleted') this.dirtyDbs.add(u.db_name);
          if (u.db_name === '_users') users = true;
        }
        if (users) await this.provisionAll();
        if (this.dirtyDbs.size) await this.work();
      } catch (e) {
        if (this.stopped) return;
        this.log(`[${this.R}] db updates: ${(e as Error).message}; rescanning`);
        await new Promise((r) => setTimeout(r, 1000));
        since = 'now';
        // A gap in the feed: look at every shopper database again.
        try {
          const dbs = (await this.admin.ok('GET', '/_all_dbs')) as string[];
          for (const db of dbs) if (db.startsWith('userdb-')) this.dirtyDbs.add(db);
          await this.provisionAll();
          await this.work();
        } catch {
          /* the node is away; the loop retries */
        }
      }
    }
  }

  /** Ledger entries and requests written by admins (or replicated from central). */
  private async followOps() {
    const a = this.abortable();
    while (!this.stopped) {
      try {
        const res = await fetch(
          `${this.o.url}/ops/_changes?feed=longpoll&timeout=30000&include_docs=true&since=${encodeURIComponent(String(this.opsSince))}`,
          { headers: this.svc.authHeader, signal: a.signal },
        );
        const body: any = await res.json();
        if (!res.ok) throw new Error(`${res.status} ${body?.reason}`);
        const docs = (body.results as any[]).filter((c) => !c.deleted).map((c) => c.doc);
        await this.onOpsDocs(docs);
        this.opsSince = body.last_seq;
      } catch (e) {
        if (this.stopped) return;
        this.log(`[${this.R}] ops feed: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async onOpsDocs(docs: any[]) {
    const touched = new Set<string>();
    for (const d of docs) {
      if (d.type === 'ledger' && d.region_code === this.R && this.applyLedger(d)) touched.add(d.stock_id);
    }
    if (touched.size) await this.serial(() => this.writeSnapshots(touched));
    for (const d of docs) {
      if (d.type !== 'admin_request' || d.region_code !== this.R) continue;
      await this.serial(() => this.applyRequest(d));
    }
  }

  /** Runs `fn` after any checkout batch in flight, so stock decisions never interleave. */
  private async serial<T>(fn: () => Promise<T>): Promise<T> {
    while (this.working) await this.working;
    let out!: T;
    this.working = (async () => {
      try {
        out = await fn();
      } finally {
        this.working = null;
      }
    })();
    await this.working;
    if (this.dirtyDbs.size) void this.work();
    return out;
  }

  private async applyRequest(raw: unknown) {
    const parsed = AdminRequest.safeParse(raw);
    if (!parsed.success) return;
    const req = parsed.data;
    const ulid = req._id.split(':')[2];
    const resultId = `result:${this.R}:${ulid}`;
    if (await this.svc.getDoc('ops', resultId)) return; // applied before
    const result = (ok: boolean, message: string) =>
      this.bulkIdempotent('ops', [{ _id: resultId, type: 'request_result', region_code: this.R, request_id: req._id, ok, message, at: nowIso() }]);
    if (req.kind === 'order_status') {
      const order: Order | null = await this.svc.getDoc('ops', req.order_id);
      if (!order || order.region_code !== this.R) return result(false, `order ${req.order_id} does not exist in ${this.R}`);
      const already = order.history.some((h) => h.request_id === req._id);
      if (!already) {
        const problem = moveProblem(order.status, req.status);
        if (problem) return result(false, problem);
        order.status = req.status;
        order.updated_at = nowIso();
        order.history = [...order.history, { status: req.status, at: order.updated_at, by: req.by, request_id: req._id }];
        await this.svc.ok('PUT', `/ops/${docPath(order._id)}`, order);
      }
      if (order.status === 'canceled') {
        // The stock goes back through the ledger, with ids tied to this request (so once only).
        const back: LedgerEntry[] = order.items.map((line, k) => ({
          _id: ids.ledger(this.R, `cancel:${order.request_id}:${k}`), type: 'ledger', region_code: this.R, stock_id: line.stock_id,
          delta: line.qty, reason: 'cancel', ref: order._id, by: this.o.service.name, at: nowIso(),
        }));
        await this.bulkIdempotent('ops', back);
        const touched = back.filter((e) => this.applyLedger(e)).map((e) => e.stock_id);
        await this.writeSnapshots(touched);
      }
      const db = userDbName(order.user_name);
      const copy = await this.svc.getDoc(db, ids.orderCopy(order._id)).catch(() => null);
      if (copy !== undefined) await this.putCopy(db, this.copyOf(order, copy)).catch((e) => this.log(`[${this.R}] copy of ${order._id}: ${e.message}`));
      this.stats.statusChanges++;
      return result(true, `order is now ${order.status}`);
    }
    if (req.kind === 'count') {
      const current = this.folded.get(req.stock_id)?.quantity ?? 0;
      if (!this.snapshots.has(req.stock_id)) return result(false, `${req.stock_id} is not a warehouse item of ${this.R}`);
      const delta = req.counted - current;
      if (delta !== 0) {
        const entry: LedgerEntry = {
          _id: ids.ledger(this.R, `count:${ulid}`), type: 'ledger', region_code: this.R, stock_id: req.stock_id, delta,
          reason: 'count', ref: req._id, note: req.note, by: req.by, at: nowIso(),
        };
        await this.bulkIdempotent('ops', [entry]);
        if (this.applyLedger(entry)) await this.writeSnapshots([req.stock_id]);
      }
      return result(true, `stock counted: ${req.counted} (${delta >= 0 ? '+' : ''}${delta})`);
    }
    if (req.kind === 'threshold') {
      const s = this.snapshots.get(req.stock_id);
      if (!s) return result(false, `${req.stock_id} is not a warehouse item of ${this.R}`);
      this.snapshots.set(req.stock_id, { ...s, low_threshold: req.low_threshold });
      await this.writeSnapshots([req.stock_id]);
      return result(true, `low-stock threshold is now ${req.low_threshold}`);
    }
    if (req.kind === 'restock_done') {
      // The regional admin closes central's restock request; the answer travels back to central.
      const target = req.restock_id.split(':')[2];
      await this.bulkIdempotent('ops', [{
        _id: `result:${this.R}:${target}`, type: 'request_result', region_code: this.R, request_id: req.restock_id, ok: true,
        message: `restocked, marked done by ${req.by}${req.note ? `: ${req.note}` : ''}`, at: nowIso(),
      }]);
      return result(true, 'restock request closed');
    }
    // Restock requests themselves are for people: the regional admin sees them and marks them done.
  }

  /**
   * Reports this node's replications into `ops`, from where they reach central's sync-health page.
   * Checked every 15 s, written only when something changed or a minute passed (a heartbeat), so an
   * idle region costs a few requests a minute and replicates no churn to central.
   */
  private async reportHealth() {
    try {
      const s = await this.admin.ok('GET', '/_scheduler/docs');
      const replications = (s.docs as any[])
        .filter((d) => String(d.doc_id).startsWith('sebaran-'))
        .map((d) => ({
          id: String(d.doc_id), state: String(d.state), pending: typeof d.info?.changes_pending === 'number' ? d.info.changes_pending : null,
          last_updated: d.last_updated ?? null, error: d.info?.error ? String(d.info.error).slice(0, 500) : null,
        }));
      const key = JSON.stringify(replications);
      if (key === this.health.key && Date.now() - this.health.at < 60_000) return;
      const id = `health:${this.R}:node`;
      const rev = this.health.rev ?? (await this.svc.getDoc('ops', id))?._rev;
      const r = await this.svc.request('PUT', `/ops/${id}`, {
        ...(rev ? { _rev: rev } : {}), _id: id, type: 'health', region_code: this.R, at: nowIso(), replications,
      });
      if (r.status === 409) this.health.rev = undefined; // someone else's rev: read it again next round
      else if (r.status >= 300) throw new CouchError(r.status, r.json, `PUT ops/${id}`);
      else this.health = { key, at: Date.now(), rev: r.json.rev };
    } catch (e) {
      if (!this.stopped) this.log(`[${this.R}] health report: ${(e as Error).message}`);
    }
  }
}
