// `npm run bench -- --throughput`: the region service under the load of the
// scale targets: 500 shoppers (signed in, as their devices are), 5,000
// checkouts. Two rounds:
//  - a burst: every checkout written as fast as the node takes them; the
//    figure is answered checkouts per second, first write to last answer;
//  - paced: checkouts written at a steady rate (the engine's target), each
//    timed from its write to its answer in the shopper's database.
// Some items are asked for more than they hold, so rejections happen; at the
// end the soak's invariants (tests/soak/invariants.ts) check that nothing was
// oversold, lost or doubled, against the ledger, at the region and at central.
import { startCluster, until, type TestCluster } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
import { DEMO } from '../server/config.ts';
import { ids, ulid, userDbName } from '../src/lib/model/index.ts';
import { invariantReport, type Request } from '../tests/soak/invariants.ts';
import { median, percentile } from './lib.ts';

const R = 'BDG';

interface Planned extends Request {
  stockId: string;
  productId: string;
}

/** Checkouts of one unit each: most of them fit the stock, and a few items are asked for more than they hold. */
function plan(items: any[], shoppers: string[], n: number, scarce = 10): Planned[] {
  const left = new Map(items.map((it) => [it._id as string, it.quantity as number]));
  const out: Planned[] = [];
  const ask = (it: any) => {
    out.push({ region: R, shopper: shoppers[out.length % shoppers.length], id: ulid(), stockId: it._id, productId: it.product_id });
    left.set(it._id, left.get(it._id)! - 1);
  };
  // Contention: a few items get five more requests than they have units.
  for (const it of items.slice(0, scarce)) for (let k = 0; k < it.quantity + 5 && out.length < n / 4; k++) ask(it);
  const rest = items.slice(scarce);
  for (let k = 0; out.length < n && rest.length; k++) {
    const it = rest[k % rest.length];
    if (left.get(it._id)! > 0) ask(it);
    else rest.splice(k % rest.length, 1);
  }
  return out;
}

/**
 * Watches answers appear in the shoppers' databases as their devices do: `_db_updates` says which
 * database changed, and that database's changes feed is read from where the last read ended (one
 * read at a time per database). Asking for every pending answer by id instead (`_all_docs` with
 * keys, at each change) cost the node more than the service's own reads.
 */
function watchAnswers(c: TestCluster, pending: Map<string, Map<string, (at: number) => void>>) {
  const admin = c.admin(R);
  let stop = false;
  const errors: string[] = [];
  const since = new Map<string, string | number>();
  const reading = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const read = async (db: string) => {
    const ch = await admin.ok('GET', `/${db}/_changes?since=${encodeURIComponent(String(since.get(db) ?? 0))}`);
    since.set(db, ch.last_seq);
    const now = performance.now();
    const waiting = pending.get(db);
    for (const r of ch.results as any[]) if (!r.deleted) (waiting?.get(r.id)?.(now), waiting?.delete(r.id));
  };
  const check = (db: string): Promise<void> => {
    if (!pending.get(db)?.size) return Promise.resolve();
    if (reading.has(db)) return (again.add(db), reading.get(db)!);
    const p = read(db).finally(() => {
      reading.delete(db);
      if (again.delete(db)) void check(db).catch((e) => errors.push(String((e as Error).message).slice(0, 200)));
    });
    reading.set(db, p);
    return p;
  };
  /** The backstop: every pending answer looked up by id. */
  const lookUp = async (db: string) => {
    const waiting = pending.get(db);
    if (!waiting?.size) return;
    const rows = (await admin.ok('POST', `/${db}/_all_docs`, { keys: [...waiting.keys()] })).rows as any[];
    const now = performance.now();
    for (const r of rows) if (r.value && !r.value.deleted) (waiting.get(r.key)?.(now), waiting.delete(r.key));
  };
  const done = (async () => {
    let since = (await admin.ok('GET', '/_db_updates?since=now')).last_seq;
    while (!stop) {
      try {
        const upd = await admin.ok('GET', `/_db_updates?feed=longpoll&timeout=1000&since=${encodeURIComponent(since)}`);
        since = upd.last_seq;
        const changed = new Set<string>((upd.results as any[]).map((u) => u.db_name));
        await Promise.all([...changed].map(check));
      } catch (e) {
        // A node under this load may fail a read: note it and go on (the rescan backstop covers a gap).
        errors.push(String((e as Error).message).slice(0, 200));
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  return { rescan: () => Promise.all([...pending.keys()].map(lookUp)), errors, stop: async () => ((stop = true), await done.catch(() => {})) };
}

/** Writes the checkouts (at `perSecond`, or as fast as `parallel` requests allow) and times each to its answer. */
async function round(c: TestCluster, cookies: Map<string, string>, reqs: Planned[], perSecond: number | null, parallel = 32) {
  const node = c.anon(R);
  const pending = new Map<string, Map<string, (at: number) => void>>();
  const lat: number[] = [];
  let lastAnswer = 0;
  const answers = reqs.map((q) => new Promise<void>((resolve) => {
    const db = userDbName(q.shopper);
    const m = pending.get(db) ?? new Map<string, (at: number) => void>();
    pending.set(db, m);
    m.set(ids.orderCopy(ids.order(R, q.shopper, q.id)), (at: number) => {
      lat.push(at - written.get(q.id)!);
      lastAnswer = Math.max(lastAnswer, at);
      resolve();
    });
  }));
  const written = new Map<string, number>();
  const watch = watchAnswers(c, pending);
  const t0 = performance.now();
  let next = 0;
  const writer = async () => {
    for (let k = next++; k < reqs.length; k = next++) {
      const q = reqs[k];
      if (perSecond) {
        const due = t0 + (k * 1000) / perSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const doc = {
        _id: ids.checkout(q.id), type: 'checkout_request', region_code: R, request_id: q.id,
        items: [{ stock_id: q.stockId, product_id: q.productId, qty: 1 }], address: 'Jl. Bench 1, Bandung', created_at: new Date().toISOString(),
      };
      const sent = performance.now();
      const res = await node.request('PUT', `/${userDbName(q.shopper)}/${doc._id}`, doc, { Cookie: cookies.get(q.shopper)! });
      if (res.status !== 201) throw new Error(`checkout write refused: ${res.status} ${res.json?.reason}`);
      written.set(q.id, sent);
    }
  };
  // Paced: enough writers that a slow answer does not hold the schedule back.
  await Promise.all(Array.from({ length: perSecond ? Math.max(parallel, Math.ceil(perSecond / 10)) : parallel }, writer));
  const writeSeconds = (performance.now() - t0) / 1000;
  // A backstop for an announcement the watcher missed: a full look every 10 s until all are in.
  const all = Promise.all(answers);
  const ok = await until(async () => {
    const settled = await Promise.race([all.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!settled) await watch.rescan();
    return settled;
  }, 600_000);
  await watch.stop();
  if (watch.errors.length) console.error(`bench throughput: the watcher's reads failed ${watch.errors.length} time(s), e.g. ${watch.errors[0]}`);
  if (!ok) throw new Error(`not every checkout was answered: ${lat.length} of ${reqs.length}`);
  return {
    checkouts: reqs.length, offeredPerSecond: perSecond, writeSeconds, watcherErrors: watch.errors.length,
    seconds: (lastAnswer - t0) / 1000, answeredPerSecond: reqs.length / ((lastAnswer - t0) / 1000),
    confirmationMs: { p50: median(lat), p95: percentile(lat, 95), max: Math.max(...lat) },
  };
}

export async function throughputBench(log: (s: string) => void, o: { shoppers?: number; checkouts?: number; pacedPerSecond: number }) {
  const shoppers = o.shoppers ?? 500;
  const checkouts = o.checkouts ?? 5000;
  const c = await startCluster([R]);
  try {
    log(`bench throughput: seeding ${shoppers} shoppers in ${R} on ${c.engine}…`);
    const data = await seed(c.topology, c.secrets, { ...defaultDemoOptions(), usersPerRegion: shoppers, ordersPerRegion: 0, photos: false }, log);
    const names = data.regions[R].accounts.map((a) => a.name);
    const items = (data.regions[R].inventory as any[]).filter((d) => d.type === 'warehouse_item' && d.quantity > 0);
    await c.service(R, { settled: true });
    log(`bench throughput: signing ${names.length} shoppers in…`);
    const cookies = new Map<string, string>();
    for (const name of names) {
      const login = await c.anon(R).request('POST', '/_session', { name, password: DEMO.shopperPassword });
      cookies.set(name, login.headers.get('set-cookie')!.split(';')[0]);
    }
    // Both rounds come from one plan, so the stock covers them together.
    const all = plan(items, names, checkouts * 2);
    // Shuffled (a fixed seed), so the scarce items' requests are spread over both rounds.
    const mixed = [...all];
    let seedState = 42;
    for (let k = mixed.length - 1; k > 0; k--) {
      seedState = (seedState * 1103515245 + 12345) % 2 ** 31;
      const j = seedState % (k + 1);
      [mixed[k], mixed[j]] = [mixed[j], mixed[k]];
    }
    log(`bench throughput: a burst of ${checkouts} checkouts…`);
    const burst = await round(c, cookies, mixed.slice(0, checkouts), null);
    log(`bench throughput: ${checkouts} checkouts paced at ${o.pacedPerSecond}/s…`);
    const paced = await round(c, cookies, mixed.slice(checkouts, checkouts * 2), o.pacedPerSecond);
    log('bench throughput: checking the invariants (region and central)…');
    let report = await invariantReport(c, [R], mixed);
    await until(async () => {
      report = await invariantReport(c, [R], mixed);
      return report.centralMatches && !report.problems.length;
    }, 300_000);
    return {
      engine: c.engine, shoppers: names.length, burst, paced,
      placed: report.placed, rejected: report.rejected, unanswered: report.unanswered, problems: report.problems,
    };
  } finally {
    await c.stop();
  }
}
