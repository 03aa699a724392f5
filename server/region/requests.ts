// Admin requests in `ops` (order status changes, stock counts, low-stock
// thresholds, closing central's restock requests): each is answered once
// with a `request_result` next to it (`result:<R>:<ULID>`), applied or
// refused with a code the admin's screen translates. The result is written
// last, so a crash before it makes the service apply the request again on
// restart; every step before it is idempotent (the order's history names the
// request, ledger ids derive from it).
import { Couch, CouchError, docPath } from '../couch-client.ts';
import {
  AdminRequest, RequestResult, cancelEntries, ids, moveProblem,
  type LedgerEntry, type Order, type ResultCode,
} from '../../src/lib/model/index.ts';
import type { Stock } from './stock.ts';
import type { Checkout } from './checkout.ts';

const nowIso = () => new Date().toISOString();
const REQUEST_ID = /^request:([A-Z]{2,5}):([0-9A-HJKMNP-TV-Z]{26})$/;

type Outcome = { ok: boolean; code: ResultCode; message: string; args?: Record<string, string | number> };
const applied = (message: string, args?: Outcome['args']): Outcome => ({ ok: true, code: 'applied', message, args });
const refused = (code: ResultCode, message: string, args?: Outcome['args']): Outcome => ({ ok: false, code, message, args });

export class AdminRequests {
  readonly stats = { statusChanges: 0, answered: 0 };

  constructor(
    private svc: Couch, private R: string, private stock: Stock, private checkout: Checkout,
    private serviceName: string, private log: (l: string) => void,
  ) {}

  /** Answers every request among `docs` not answered yet; returns false if one must be tried again. */
  async answerAll(docs: any[]): Promise<boolean> {
    // In the order they were made (their ULIDs), not the feed's: on CouchDB a database has several shards, and
    // its changes feed interleaves them, so a count made before a cancel may come after it (and undo it).
    const mine = docs
      .filter((d) => d?.type === 'admin_request' && REQUEST_ID.exec(d._id)?.[1] === this.R && d.kind !== 'restock')
      .sort((a, b) => (REQUEST_ID.exec(a._id)![2] < REQUEST_ID.exec(b._id)![2] ? -1 : 1));
    if (!mine.length) return true;
    const resultIds = mine.map((d) => ids.result(d._id));
    const rows = (await this.svc.ok('POST', '/ops/_all_docs', { keys: resultIds })).rows as any[];
    const done = new Set(rows.filter((r) => r.value && !r.value.deleted).map((r) => r.id));
    let allDone = true;
    for (const d of mine) {
      if (done.has(ids.result(d._id))) continue;
      try {
        const outcome = await this.apply(d);
        await this.writeResult(d._id, outcome);
        this.stats.answered++;
      } catch (e) {
        this.log(`[${this.R}] request ${d._id}: ${(e as Error).message}`);
        if (e instanceof CouchError && [400, 403, 413].includes(e.status)) {
          // The node refuses what the request needs (e.g. an order it no longer accepts): that is the answer.
          const answered = await this.writeResult(d._id, refused('failed', `the node refused it: ${e.body?.reason ?? e.status}`)).then(() => true, () => false);
          if (answered) continue;
        }
        // The node is away or busy: the request stays unanswered and is tried again.
        allDone = false;
      }
    }
    return allDone;
  }

  private async writeResult(requestId: string, o: Outcome, resultId = ids.result(requestId)) {
    const doc: RequestResult = {
      _id: resultId, type: 'request_result', region_code: this.R, request_id: requestId, ok: o.ok, code: o.code,
      ...(o.args ? { args: o.args } : {}), message: o.message.slice(0, 500), at: nowIso(),
    };
    RequestResult.parse(doc);
    const r = await this.svc.request('PUT', `/ops/${docPath(doc._id)}`, doc);
    if (r.status >= 300 && r.status !== 409) throw new CouchError(r.status, r.json, `PUT ops/${doc._id}`);
  }

  private async apply(raw: unknown): Promise<Outcome> {
    const parsed = AdminRequest.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refused('malformed', `${issue.path.join('.') || 'request'}: ${issue.message}`, { field: issue.path.join('.') });
    }
    const req = parsed.data;
    if (req.kind === 'order_status') return this.orderStatus(req);
    if (req.kind === 'count') {
      if (!this.stock.snapshots.has(req.stock_id)) return refused('stock_unknown', `${req.stock_id} is not a warehouse item of ${this.R}`, { stock_id: req.stock_id });
      const delta = req.counted - this.stock.quantity(req.stock_id);
      const ulid = REQUEST_ID.exec(req._id)![2];
      if (delta !== 0) {
        const entry: LedgerEntry = {
          _id: ids.ledger(this.R, `count:${ulid}`), type: 'ledger', region_code: this.R, stock_id: req.stock_id, delta,
          reason: 'count', ref: req._id, ...(req.note ? { note: req.note } : {}), by: req.by, at: nowIso(),
        };
        await this.stock.record([entry]);
      }
      return applied(`stock counted: ${req.counted} (${delta >= 0 ? '+' : ''}${delta})`, { counted: req.counted, delta });
    }
    if (req.kind === 'threshold') {
      if (!(await this.stock.setThreshold(req.stock_id, req.low_threshold))) {
        return refused('stock_unknown', `${req.stock_id} is not a warehouse item of ${this.R}`, { stock_id: req.stock_id });
      }
      return applied(`low-stock threshold is now ${req.low_threshold}`, { threshold: req.low_threshold });
    }
    if (req.kind === 'restock_done') {
      const restock = await this.svc.getDoc('ops', req.restock_id);
      if (restock?.type !== 'admin_request' || restock.kind !== 'restock' || restock.region_code !== this.R) {
        return refused('restock_unknown', `${req.restock_id} is not a restock request of ${this.R}`, { restock_id: req.restock_id });
      }
      // The restock's own answer travels back to central.
      await this.writeResult(req.restock_id, applied(`restocked, marked done by ${req.by}${req.note ? `: ${req.note}` : ''}`, { by: req.by }));
      return applied('restock request closed');
    }
    return refused('not_here', `a ${req.kind} request is not for the region service`);
  }

  private async orderStatus(req: Extract<AdminRequest, { kind: 'order_status' }>): Promise<Outcome> {
    let order: Order | null = await this.svc.getDoc('ops', req.order_id);
    if (!order || order.type !== 'order' || order.region_code !== this.R) {
      return refused('order_unknown', `order ${req.order_id} does not exist in ${this.R}`, { order_id: req.order_id });
    }
    if (!order.history.some((h) => h.request_id === req._id)) {
      const problem = moveProblem(order.status, req.status);
      if (problem) return refused('bad_move', problem, { from: order.status, to: req.status });
      const at = nowIso();
      order = { ...order, status: req.status, updated_at: at, history: [...order.history, { status: req.status, at, by: req.by, request_id: req._id }] };
      await this.svc.ok('PUT', `/ops/${docPath(order._id)}`, order); // a conflict throws: read again on the retry
      this.stats.statusChanges++;
    }
    // The stock goes back through the ledger, with ids derived from the order (so once only).
    if (order.status === 'canceled') await this.stock.record(cancelEntries(order, this.serviceName, nowIso()));
    await this.checkout.updateCopy(order);
    return applied(`order is now ${order.status}`, { status: order.status });
  }
}
