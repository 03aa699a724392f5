// Checkout requests -> orders or rejections, exactly once.
//
// The decision protocol. CouchDB's `_bulk_docs` is per document, so a
// decision is ONE document:
//  1. The order (`order:<R>:<shopper>:<request>`) is the decision. It carries
//     its lines, so it says which stock it takes. It is checked with the zod
//     schema the node's validate_doc_update is made from before it is
//     written, so a refusal is found before anything is taken; if the node
//     refuses it anyway, nothing was taken and the shopper gets a rejection.
//  2. Its sale entries (`ledger:<R>:sale:<shopper>:<request>:<k>`) and the
//     snapshots are derived from the order. Their ids are derived too and
//     only the service may write them (access.js), so a write that finds one
//     there means the work was done before.
//  3. The shopper's answer (`my-order:...`, the order's copy, or a rejection
//     under the same id) is written last; the request is read again until it
//     is there (the read checkpoint moves only after the answer is written).
// After a crash between any two writes, `recover` (run on start and after
// any write whose outcome is unknown) writes the missing sale and cancel
// entries of every order and rewrites stale snapshots; the request is read
// again and its answer written from the existing order. Nothing is taken
// without an order, nothing twice, and every request gets one answer.
import { Couch, CouchError } from '../couch-client.ts';
import {
  Order, OrderCopy, cancelEntries, checkoutProblem, decideCheckout, ids, saleEntries,
  type CheckoutRequest, type LedgerEntry, type Product, type Rejection,
} from '../../src/lib/model/index.ts';
import type { Stock } from './stock.ts';
import type { Checkpoints } from './checkpoints.ts';
import { ShopperDbs, ownerOf } from './shopper-dbs.ts';
import { CopyBackfill } from './copy-backfill.ts';

const nowIso = () => new Date().toISOString();
/** A shopper database's feed is read this many changes at a time (memory: ROUND_DBS databases a round). */
const PAGE = 100;
const REQUEST_KEY = /^checkout:([0-9A-HJKMNP-TV-Z]{26})$/;
/** Per-document errors that are the node's rules saying no; any other (a disk or server failure) leaves the outcome unknown. */
const REFUSALS = new Set(['forbidden', 'unauthorized', 'bad_request', 'doc_validation', 'illegal_docid', 'too_large']);

/** Test hook: `SEBARAN_SERVICE_CRASH_AT=after-order` kills the service right after that write. */
function crashPoint(name: string) {
  if (process.env.SEBARAN_SERVICE_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}

type Answer = { db: string; copy: OrderCopy };

export class Checkout {
  /**
   * Orders decided this run whose answer is not written yet. One decided before (a crash between the order
   * and its answer) is found by its write's conflict, which answers from it and reloads the state.
   */
  private orders = new Set<string>();
  private dbs: ShopperDbs;
  private backfill: CopyBackfill;
  /** Databases read up to a page's end: read again on the next round. */
  readonly more = new Set<string>();
  /** Databases whose feed showed a shopper document change this round (not only design documents). */
  readonly touched = new Set<string>();
  /** Set when a write's outcome is unknown: the service reloads its state before deciding again. */
  stale = false;
  readonly stats = { confirmed: 0, rejected: 0 };

  constructor(
    private svc: Couch, private R: string, private stock: Stock, private checkpoints: Checkpoints,
    private serviceName: string, private log: (l: string) => void,
  ) {
    this.dbs = new ShopperDbs(svc, R);
    this.backfill = new CopyBackfill(svc, R, this.dbs, log);
  }

  /**
   * Finishes the stock movements of orders a crash left without them. Only orders the ops feed showed
   * after the service's checkpoint can be such: the checkpoint moves past an order only once its
   * movements are written (service.ts), so a restart reads the tail, never the whole history.
   */
  async recover() {
    let finished = 0;
    await this.ordersSince(await this.checkpoints.since('ops'), async (tail) => {
      const at = nowIso();
      const wanted = tail.flatMap((o) => [...saleEntries(o, this.serviceName, at), ...(o.status === 'canceled' ? cancelEntries(o, this.serviceName, at) : [])]);
      const have = await this.stock.existing(wanted.map((e) => e._id));
      const missing = wanted.filter((e) => !have.has(e._id));
      for (let i = 0; i < missing.length; i += 500) await this.stock.record(missing.slice(i, i + 500));
      finished += missing.length;
    });
    if (finished) this.log(`[${this.R}] finished ${finished} stock movement(s) of orders a crash left behind`);
    await this.stock.repair();
    this.stale = false;
  }

  /** The region's orders changed since `since` in the ops feed, handed to `each` a page at a time (memory). */
  private async ordersSince(since: string | number, each: (orders: Order[]) => Promise<void>) {
    for (;;) {
      const ch = await this.svc.ok('GET', `/ops/_changes?include_docs=true&limit=2000&since=${encodeURIComponent(String(since))}`);
      const page: Order[] = [];
      for (const c of ch.results as any[]) {
        if (c.deleted || c.doc?.type !== 'order' || !String(c.id).startsWith(`order:${this.R}:`)) continue;
        // Only orders the node would accept now take stock; anything else (an operator's mistake) is logged, never fatal.
        const order = Order.safeParse(c.doc);
        if (order.success) page.push(order.data);
        else this.log(`[${this.R}] order ${c.id} is malformed, its stock is not touched: ${order.error.issues[0].message}`);
      }
      if (page.length) await each(page);
      if ((ch.results as any[]).length < 2000 && !(ch.pending > 0)) return;
      since = ch.last_seq;
    }
  }

  forget(db: string) {
    this.dbs.forget(db);
    this.backfill.forget(ownerOf(db));
  }

  /** Gives each shopper a copy of every order of theirs (copy-backfill.ts). */
  backfillCopies(names: Iterable<string>, stopped: () => boolean = () => false) {
    return this.backfill.run(names, stopped);
  }

  /** The order's live status in the shopper's copy (after an admin's status change). */
  updateCopy(order: Order) {
    return this.dbs.updateCopy(order);
  }

  /** Reads a shopper database's new requests and answers each; throws (checkpoint kept) if one could not be. */
  async process(dbs: string[]) {
    const pending: Array<{ db: string; doc: any; seq: string | number }> = [];
    const reached = new Map<string, string | number>();
    const failed = new Set<string>();
    const incarnations = new Map<string, string | null>();
    await Promise.all(
      dbs.map(async (db) => {
        try {
          const incarnation = await this.dbs.incarnation(db);
          incarnations.set(db, incarnation);
          const since = await this.checkpoints.since(db, incarnation);
          // A page at a time: a shopper with thousands of requests waits for their own, not everybody for them.
          const ch = await this.svc.ok('GET', `/${db}/_changes?since=${encodeURIComponent(String(since))}&include_docs=true&limit=${PAGE}`);
          if ((ch.results as any[]).length >= PAGE) this.more.add(db);
          if ((ch.results as any[]).some((c) => !String(c.id).startsWith('_design/'))) this.touched.add(db);
          const requests = (ch.results as any[]).filter((c) => !c.deleted && c.id.startsWith('checkout:'));
          if (requests.length) await this.dbs.answeredIn(db);
          reached.set(db, ch.last_seq);
          for (const c of requests) pending.push({ db, doc: c.doc, seq: c.seq });
        } catch (e) {
          if (e instanceof CouchError && e.status === 404) return; // deleted meanwhile
          failed.add(db);
          this.log(`[${this.R}] cannot read ${db}: ${(e as Error).message}`);
        }
      }),
    );
    const notDone = await this.answer(pending);
    for (const db of notDone) failed.add(db);
    for (const [db, seq] of reached) if (!failed.has(db)) this.checkpoints.set(db, seq, incarnations.get(db) ?? null);
    return failed;
  }

  private async products(idsWanted: string[]) {
    const out = new Map<string, Product>();
    const wanted = [...new Set(idsWanted)];
    if (!wanted.length) return out;
    // Prices come from the catalog, fresh for every batch.
    const rows = (await this.svc.ok('POST', '/catalog/_all_docs?include_docs=true', { keys: wanted })).rows as any[];
    for (const r of rows) if (r.doc?.type === 'product') out.set(r.id, r.doc);
    return out;
  }

  /** Decides a batch; returns the databases whose answers could not all be written. */
  private async answer(pending: Array<{ db: string; doc: any }>): Promise<Set<string>> {
    const notDone = new Set<string>();
    if (!pending.length) return notDone;
    const lines = pending.flatMap((p) => (Array.isArray(p.doc?.items) ? p.doc.items : []));
    const products = await this.products(lines.map((l: any) => this.stock.snapshots.get(l?.stock_id)?.product_id ?? '').filter(Boolean));
    const decided: Array<{ db: string; order: Order; entries: LedgerEntry[] }> = [];
    const answers: Answer[] = [];
    const existing: Array<{ db: string; id: string }> = [];
    const seen = new Set<string>();
    for (const { db, doc } of pending) {
      const key = REQUEST_KEY.exec(doc?._id ?? '')?.[1];
      if (!key) continue; // not a checkout id: the node refuses these, only an operator could write one
      const owner = ownerOf(db);
      const orderId = ids.order(this.R, owner, key);
      const copyId = ids.orderCopy(orderId);
      if (seen.has(`${db}/${copyId}`) || this.dbs.isAnswered(db, copyId)) continue;
      seen.add(`${db}/${copyId}`);
      if (this.orders.has(orderId)) {
        existing.push({ db, id: orderId }); // decided before a crash: only the answer is missing
        continue;
      }
      const reject = (rejections: Rejection[]) => {
        this.stats.rejected++;
        answers.push({ db, copy: this.rejection(copyId, key, rejections) });
      };
      const problem = checkoutProblem(doc);
      if (problem) {
        reject([problem]);
        continue;
      }
      const req = doc as CheckoutRequest;
      const d = decideCheckout(req, this.R, (id) => {
        const s = this.stock.snapshots.get(id);
        return s ? { item: s, available: this.stock.available(id) } : undefined;
      }, (id) => products.get(id));
      if (!d.ok) {
        reject(d.rejections);
        continue;
      }
      const at = nowIso();
      const order = {
        _id: orderId, type: 'order', region_code: this.R, user_name: owner, request_id: key, items: d.items, total: d.total,
        status: 'placed', address: req.address.trim(), history: [{ status: 'placed', at, by: owner }], created_at: at, updated_at: at,
      };
      // The same schema the node's write rules are made from: what it would refuse is a rejection now.
      const valid = Order.safeParse(order);
      if (!valid.success) {
        const issue = valid.error.issues[0];
        reject([{ stock_id: '*', code: 'order_invalid', reason: `order.${issue.path.join('.')}: ${issue.message}`.slice(0, 300) }]);
        continue;
      }
      const entries = saleEntries(valid.data, this.serviceName, at);
      for (const e of entries) this.stock.take(e); // taken now, so the next request in the batch sees it
      decided.push({ db, order: valid.data, entries });
    }
    // 1. The decisions. Each order is its own document: the node takes or refuses each alone.
    if (decided.length) {
      let res: any[];
      try {
        res = await this.svc.ok('POST', '/ops/_bulk_docs', { docs: decided.map((x) => x.order) });
      } catch (e) {
        this.stale = true; // which orders landed is unknown: reload before deciding again
        throw e;
      }
      const placed: typeof decided = [];
      const unknown: string[] = [];
      res.forEach((r, i) => {
        const x = decided[i];
        if (r.ok) {
          placed.push(x);
          this.orders.add(x.order._id);
          this.stats.confirmed++;
        } else if (r.error === 'conflict') {
          // Decided before, unknown to this run's memory: answer from that order, and reload the fold.
          for (const e of x.entries) this.stock.untake(e);
          this.stale = true;
          existing.push({ db: x.db, id: x.order._id });
        } else if (!REFUSALS.has(r.error)) {
          // Not a refusal by the rules: no answer to the shopper now; the request is read again after a reload.
          for (const e of x.entries) this.stock.untake(e);
          unknown.push(`${x.order._id}: ${r.error} ${r.reason ?? ''}`);
        } else {
          for (const e of x.entries) this.stock.untake(e);
          this.log(`[${this.R}] order ${x.order._id} refused by the node: ${r.reason}`);
          this.stats.rejected++;
          answers.push({ db: x.db, copy: this.rejection(ids.orderCopy(x.order._id), x.order.request_id, [{ stock_id: '*', code: 'order_invalid', reason: String(r.reason ?? r.error).slice(0, 300) }]) });
        }
      });
      if (unknown.length) {
        this.stale = true;
        throw new Error(`order write failed on the node, to be tried again: ${unknown[0]}`);
      }
      crashPoint('after-order');
      // 2. What the orders take, derived from them.
      try {
        await this.stock.record(placed.flatMap((x) => x.entries));
      } catch (e) {
        this.stale = true;
        throw e;
      }
      crashPoint('after-sale');
      for (const x of placed) answers.push({ db: x.db, copy: this.dbs.copyOf(x.order, null) });
    }
    for (const { db, id } of existing) {
      const order = await this.svc.getDoc('ops', id);
      if (order) answers.push({ db, copy: this.dbs.copyOf(order, null) });
    }
    // 3. The answers, one request per shopper database; one database's failure stays its own.
    const byDb = new Map<string, OrderCopy[]>();
    for (const a of answers) byDb.set(a.db, [...(byDb.get(a.db) ?? []), a.copy]);
    await Promise.all(
      [...byDb].map(async ([db, docs]) => {
        try {
          await this.dbs.putCopies(db, docs);
          // Answered: the request is skipped from now on, so its order need not be remembered (memory).
          for (const d of docs) if (d.order_id) this.orders.delete(d.order_id);
        } catch (e) {
          notDone.add(db);
          this.log(`[${this.R}] answers in ${db}: ${(e as Error).message}`);
        }
      }),
    );
    return notDone;
  }

  private rejection(copyId: string, key: string, rejections: Rejection[]): OrderCopy {
    const at = nowIso();
    return {
      _id: copyId, type: 'order_copy', region_code: this.R, request_id: key, order_id: null, status: 'rejected',
      items: [], total: 0, rejections: rejections.map((r) => ({ ...r, reason: r.reason.slice(0, 300) })), history: [], created_at: at, updated_at: at,
    };
  }
}
