// Every order of a shopper has its copy in their database, also orders no
// request there asked for (seeded history, orders from before the database):
// "my orders" lists copies, so an order without one would be invisible to
// its shopper. Checked once per shopper per run.
import { Couch, CouchError } from '../couch-client.ts';
import { ids, userDbName, type Order } from '../../src/lib/model/index.ts';
import { deletedAccountAt } from './checkpoints.ts';
import { range } from './stock.ts';
import { ulidTime } from '../../src/lib/model/ids.ts';
import type { ShopperDbs } from './shopper-dbs.ts';

export class CopyBackfill {
  /** Shoppers whose every order has its copy in their database. */
  private copied = new Set<string>();

  constructor(private svc: Couch, private R: string, private dbs: ShopperDbs, private log: (l: string) => void) {}

  forget(name: string) {
    this.copied.delete(name);
  }

  /** Writes the missing copies of each shopper's orders; a database not made yet is tried on the next round. */
  async run(names: Iterable<string>, stopped: () => boolean = () => false) {
    for (const name of names) {
      if (stopped()) return;
      if (this.copied.has(name)) continue;
      const db = userDbName(name);
      try {
        // Ids first (the shopper's orders, their database's copies): only orders without a copy are read,
        // so a start costs ids, not the region's order history.
        const orderIds = (await this.svc.allDocs('ops', range(`order:${this.R}:${name}:`))).map((r: any) => r.id as string);
        const have = orderIds.length ? await this.dbs.answeredIn(db) : new Set<string>();
        const lacking = orderIds.filter((id) => !have.has(ids.orderCopy(id)));
        let orders: Order[] = [];
        for (let i = 0; i < lacking.length; i += 1000) {
          const rows = (await this.svc.ok('POST', '/ops/_all_docs?include_docs=true', { keys: lacking.slice(i, i + 1000) })).rows as any[];
          orders.push(...rows.map((r) => r.doc as Order).filter((d) => d?.type === 'order' && d.user_name === name));
        }
        // Orders are kept by name; an account made after an order (a new account of a deleted name)
        // must not receive it. The account's id is a ULID: its time is when the account was made; an
        // account without one (made straight in _users) is cut off at its name's last deletion. No
        // slack for clock skew: this only repairs missing copies (a new order's copy is written with
        // its decision), and a name re-used within any slack would get the old account's orders.
        if (orders.length) {
          const mark = await this.dbs.markOf(db).catch(() => null);
          const since = (typeof mark?.account_id === 'string' ? ulidTime(mark.account_id) : null) ?? (await deletedAccountAt(this.svc, name));
          orders = orders.filter((d) => since === null || Date.parse(d.created_at) >= since);
        }
        if (orders.length) {
          await this.dbs.putCopies(db, orders.map((o) => this.dbs.copyOf(o, null)));
          this.log(`[${this.R}] ${orders.length} order copies for ${name}`);
        }
        this.copied.add(name);
      } catch (e) {
        if (!(e instanceof CouchError && e.status === 404)) this.log(`[${this.R}] order copies for ${name}: ${(e as Error).message}`);
      }
    }
  }
}
