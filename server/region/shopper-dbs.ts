// What the service knows of each shopper database it answers in: which
// incarnation of its name it is (its `_design/account` mark), which order
// copies it holds, and the writes of those copies. Read once per run and kept
// up to date by the service's own writes.
import { Couch, CouchError, docPath } from '../couch-client.ts';
import { ids, userDbName, type Order, type OrderCopy } from '../../src/lib/model/index.ts';
import { range } from './stock.ts';
import { orderCopyOf } from './order-copy.ts';

export function ownerOf(db: string): string {
  return Buffer.from(db.slice('userdb-'.length), 'hex').toString('utf8');
}

export class ShopperDbs {
  /** Each database's `_design/account` mark (null: none). */
  private marks = new Map<string, any>();
  /** Each database's order copy ids. */
  private answered = new Map<string, Set<string>>();

  constructor(private svc: Couch, private R: string) {}

  forget(db: string) {
    this.answered.delete(db);
    this.marks.delete(db);
  }

  async markOf(db: string) {
    if (!this.marks.has(db)) this.marks.set(db, await this.svc.getDoc(db, '_design/account'));
    return this.marks.get(db);
  }

  /** Which database of its name a shopper database is (see Checkpoints). */
  async incarnation(db: string): Promise<string | null> {
    const mark = await this.markOf(db);
    return typeof mark?.account_id === 'string' ? mark.account_id : typeof mark?.made_at === 'string' ? `made:${mark.made_at}` : null;
  }

  /** The ids of the order copies in a database, read once per run. */
  async answeredIn(db: string) {
    if (this.answered.has(db)) return this.answered.get(db)!;
    // Order copies are the service's alone (the shopper cannot write or delete one), so their ids can be trusted.
    const rows = (await this.svc.ok('GET', `/${db}/_all_docs?${range('my-order:')}`)).rows as any[];
    const set = new Set(rows.map((r) => r.id as string));
    this.answered.set(db, set);
    return set;
  }

  /** Known answered, if the database's copies were read this run. */
  isAnswered(db: string, copyId: string) {
    return this.answered.get(db)?.has(copyId) ?? false;
  }

  copyOf(order: Order, existing: { _rev?: string } | null): OrderCopy {
    return orderCopyOf(order, this.R, existing);
  }

  /** New answers in one request; an existing copy (written before a crash) is left as it is. */
  async putCopies(db: string, docs: OrderCopy[]) {
    const res = (await this.svc.ok('POST', `/${db}/_bulk_docs`, { docs })) as any[];
    const refused = res.filter((r) => r.error && r.error !== 'conflict');
    if (refused.length) throw new Error(`answer ${refused[0].id} refused: ${refused[0].reason}`);
    for (const d of docs) this.answered.get(db)?.add(d._id);
  }

  /** The order's live status in the shopper's copy (after an admin's status change). */
  async updateCopy(order: Order) {
    const db = userDbName(order.user_name);
    const current = await this.svc.getDoc(db, ids.orderCopy(order._id)).catch((e) => {
      if (e instanceof CouchError && (e.status === 404 || e.status === 403)) return null;
      throw e;
    });
    const r = await this.svc.request('PUT', `/${db}/${docPath(ids.orderCopy(order._id))}`, this.copyOf(order, current));
    if (r.status === 404) return; // the shopper's database is gone (account deleted)
    if (r.status >= 300) throw new CouchError(r.status, r.json, `copy of ${order._id}`);
  }
}
