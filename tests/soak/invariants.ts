// The invariants a soak checks at the end, as a list of problems in words
// (empty when all hold): each request answered once, stock equals its ledger
// and never goes below zero, each item's sales tally equals its orders,
// central holds exactly what the regions hold, and no region holds another
// region's documents.
import type { TestCluster } from '../integration/harness.ts';
import type { Couch } from '../../server/couch-client.ts';
import { ids, userDbName } from '../../src/lib/model/index.ts';
import { regionSelector } from '../../server/ops/init.ts';

export interface Request {
  region: string;
  shopper: string;
  id: string;
}

const docsOf = async (node: Couch, db: string) =>
  (await node.allDocs(db, 'include_docs=true')).map((r) => r.doc).filter((d: any) => !d._id.startsWith('_design/'));

const ownBy = (code: string) => new RegExp(regionSelector(code)._id.$regex);

/** Stock snapshots against the fold of the ledger entries beside them. */
function stockProblems(where: string, inventory: any[], ops: any[]) {
  const fold = new Map<string, { sum: number; n: number }>();
  for (const e of ops.filter((d) => d.type === 'ledger')) {
    const f = fold.get(e.stock_id) ?? { sum: 0, n: 0 };
    fold.set(e.stock_id, { sum: f.sum + e.delta, n: f.n + 1 });
  }
  const problems: string[] = [];
  for (const s of inventory.filter((d) => d.type === 'warehouse_item')) {
    const f = fold.get(s._id) ?? { sum: 0, n: 0 };
    if (s.quantity < 0) problems.push(`${where}: ${s._id} oversold, quantity ${s.quantity}`);
    if (s.quantity !== f.sum || s.ledger_count !== f.n) {
      problems.push(`${where}: ${s._id} snapshot ${s.quantity} (${s.ledger_count} entries) but ledger folds to ${f.sum} (${f.n} entries)`);
    }
  }
  return problems;
}

/** Sales tallies against the orders beside them: each item's units and revenue, net of cancels. */
function tallyProblems(where: string, ops: any[]) {
  const sold = new Map<string, [number, number]>();
  for (const o of ops.filter((d) => d.type === 'order' && d.status !== 'canceled')) {
    for (const l of o.items) {
      const [u, r] = sold.get(l.stock_id) ?? [0, 0];
      sold.set(l.stock_id, [u + l.qty, r + l.subtotal]);
    }
  }
  const tallies = new Map(ops.filter((d) => d.type === 'sales_tally').map((t) => [t.stock_id as string, [t.units, t.revenue] as [number, number]]));
  const problems: string[] = [];
  for (const id of new Set([...sold.keys(), ...tallies.keys()])) {
    const [want, got] = [sold.get(id) ?? [0, 0], tallies.get(id) ?? [0, 0]];
    if (want[0] !== got[0] || want[1] !== got[1]) problems.push(`${where}: ${id} tallied ${got.join(' / ')} but its orders sold ${want.join(' / ')}`);
  }
  return problems;
}

/** id -> rev of the documents in `docs` that belong to `code`. */
const revs = (docs: any[], code: string) => new Map(docs.filter((d) => ownBy(code).test(d._id)).map((d) => [d._id as string, d._rev as string]));

function compare(label: string, region: Map<string, string>, central: Map<string, string>) {
  const missing = [...region.keys()].filter((id) => !central.has(id));
  const extra = [...central.keys()].filter((id) => !region.has(id));
  const stale = [...region.keys()].filter((id) => central.has(id) && central.get(id) !== region.get(id));
  if (!missing.length && !extra.length && !stale.length) return null;
  const eg = (xs: string[]) => (xs.length ? ` (e.g. ${xs[0]})` : '');
  return `${label}: central misses ${missing.length}${eg(missing)}, has ${extra.length} extra${eg(extra)}, ${stale.length} at another rev${eg(stale)}`;
}

/** Each request's answer in its shopper's database (or null): one read per database, a few at a time. */
async function copiesOf(node: Couch, R: string, reqs: Request[]) {
  const copyId = (q: Request) => ids.orderCopy(ids.order(R, q.shopper, q.id));
  const byDb = new Map<string, string[]>();
  for (const q of reqs) byDb.set(userDbName(q.shopper), [...(byDb.get(userDbName(q.shopper)) ?? []), copyId(q)]);
  const found = new Map<string, any>();
  const dbs = [...byDb];
  for (let i = 0; i < dbs.length; i += 16) {
    await Promise.all(dbs.slice(i, i + 16).map(async ([db, keys]) => {
      const r = await node.request('POST', `/${db}/_all_docs?include_docs=true`, { keys });
      if (r.status !== 200) return; // a database gone: its requests count as unanswered
      for (const row of r.json.rows as any[]) if (row.doc) found.set(row.key, row.doc);
    }));
  }
  return reqs.map((q) => found.get(copyId(q)) ?? null);
}

export async function invariantReport(c: TestCluster, regions: string[], requests: Request[]) {
  const problems: string[] = [];
  const central = c.admin('PUSAT');
  const centralOps = await docsOf(central, 'ops');
  const centralInv = await docsOf(central, 'inventory');
  let placed = 0;
  let rejected = 0;
  let unanswered = 0;
  const mismatches: string[] = [];
  for (const R of regions) {
    const node = c.admin(R);
    const ops = await docsOf(node, 'ops');
    const inventory = await docsOf(node, 'inventory');
    const mine = requests.filter((q) => q.region === R);
    const ordersByRequest = new Map<string, any[]>();
    for (const o of ops.filter((d) => d.type === 'order')) ordersByRequest.set(o.request_id, [...(ordersByRequest.get(o.request_id) ?? []), o]);
    const salesByOrder = new Map<string, number>();
    for (const e of ops.filter((d) => d.type === 'ledger' && d.reason === 'sale')) salesByOrder.set(e.ref, (salesByOrder.get(e.ref) ?? 0) + 1);
    const copies = await copiesOf(node, R, mine);
    mine.forEach((q, k) => {
      const copy = copies[k];
      const orders = ordersByRequest.get(q.id) ?? [];
      if (!copy) unanswered++;
      else if (copy.status === 'rejected') rejected++;
      else placed++;
      if (orders.length > 1) problems.push(`${R}: request ${q.id} has ${orders.length} orders`);
      if (copy?.status === 'rejected' && orders.length) problems.push(`${R}: request ${q.id} rejected yet has an order`);
      if (copy && copy.status !== 'rejected' && orders.length !== 1) problems.push(`${R}: request ${q.id} answered ${copy.status} but has ${orders.length} orders`);
      for (const o of orders) {
        const sales = salesByOrder.get(o._id) ?? 0;
        if (sales !== o.items.length) problems.push(`${R}: order ${o._id} has ${sales} sale entries for ${o.items.length} line(s)`);
      }
    });
    if (unanswered) problems.push(`${R}: ${unanswered} request(s) unanswered so far`);
    problems.push(...stockProblems(R, inventory, ops));
    problems.push(...tallyProblems(R, ops));
    const foreign = [...ops, ...inventory].filter((d) => !ownBy(R).test(d._id));
    if (foreign.length) problems.push(`${R}: holds ${foreign.length} document(s) not its own, e.g. ${foreign[0]._id}`);
    for (const [db, here, there] of [['ops', ops, centralOps], ['inventory', inventory, centralInv]] as const) {
      const m = compare(`${R} ${db}`, revs(here as any[], R), revs(there as any[], R));
      if (m) mismatches.push(m);
    }
  }
  const nobody = [...centralOps, ...centralInv].filter((d) => !regions.some((R) => ownBy(R).test(d._id)));
  if (nobody.length) mismatches.push(`central holds ${nobody.length} regional document(s) of no region, e.g. ${nobody[0]._id}`);
  for (const R of regions) {
    problems.push(...stockProblems(`central (${R})`, centralInv.filter((d) => ownBy(R).test(d._id)), centralOps.filter((d) => ownBy(R).test(d._id))));
    problems.push(...tallyProblems(`central (${R})`, centralOps.filter((d) => ownBy(R).test(d._id))));
  }
  return { placed, rejected, unanswered, centralMatches: mismatches.length === 0, problems: [...problems, ...mismatches] };
}
