// Central as a 3-node Apache CouchDB cluster (n=3): a member killed in the
// middle of a checkout burst at BDG costs nothing, and catches up after it
// comes back.
import { createServer, connect, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, type TestCluster } from './harness.ts';
import { engineName, freePort, type NodeHandle } from '../../server/cluster.ts';
import { initAll } from '../../server/ops/init.ts';
import { clusterStatus, formatStatus } from '../../server/ops/status.ts';
import { seed } from '../../server/ops/seed.ts';
import { defaultDemoOptions, type DemoData } from '../../server/ops/demo-data.ts';
import { DEMO } from '../../server/config.ts';
import { Couch } from '../../server/couch-client.ts';
import { ids, ulid, userDbName } from '../../src/lib/model/index.ts';
import { viewPath } from '../../src/lib/model/design.ts';

const R = 'BDG';
const BURST = 400;

describe.skipIf(engineName() !== 'couchdb')('central as a 3-node cluster (needs Apache CouchDB: a multi-node central is a CouchDB cluster)', () => {
  let c: TestCluster;
  let data: DemoData;
  let victim: NodeHandle;
  beforeAll(async () => {
    c = await startCluster([R], { centralNodes: 3 });
    data = await seed(c.topology, c.secrets, {
      ...defaultDemoOptions(), products: 30, usersPerRegion: 20, ordersPerRegion: 60, photos: false, anchor: new Date('2026-11-01T00:00:00Z'),
    });
    // The member killed is not the one the topology names: BDG replicates to that one.
    victim = c.centralMembers[2];
    expect(victim.url).not.toBe(c.topology.central.url);
  });
  afterAll(async () => c?.stop());

  const opsIds = async (node: Couch) => (await node.allDocs('ops', '')).map((r) => r.id as string);
  /** The documents of `db` in the shard copies a member holds on its own disk (not through the cluster). */
  const localCopies = async (member: NodeHandle, db: string) => {
    const local = new Couch(member.url, c.secrets.admin);
    const shards = ((await local.ok('GET', '/_node/_local/_all_dbs')) as string[]).filter((s) => new RegExp(`^shards/[0-9a-f]+-[0-9a-f]+/${db}\\.\\d+$`).test(s));
    const idsHeld = new Set<string>();
    for (const s of shards) for (const r of await local.allDocs(`_node/_local/${encodeURIComponent(s)}`, '')) idsHeld.add(r.id);
    return { shards, ids: idsHeld };
  };
  /** N checkout requests from the demo shoppers of BDG, written as their devices would, once their databases exist. */
  const burst = (n: number) => {
    const bdg = c.admin(R);
    const shoppers = data.regions[R].accounts.map((a) => a.name);
    const items = data.regions[R].inventory.filter((d: any) => d.type === 'warehouse_item' && d.quantity > 0) as any[];
    const requests = Array.from({ length: n }, (_, k) => {
      const it = items[k % items.length];
      const id = ulid();
      const shopper = shoppers[k % shoppers.length];
      return {
        shopper, id,
        doc: { _id: ids.checkout(id), type: 'checkout_request', region_code: R, request_id: id, items: [{ stock_id: it._id, product_id: it.product_id, qty: 1 + (k % 3) }], address: 'Jl. Asia Afrika 1, Bandung', created_at: new Date().toISOString() },
      };
    });
    const answer = (r: (typeof requests)[number]) => bdg.getDoc(userDbName(r.shopper), ids.orderCopy(ids.order(R, r.shopper, r.id)));
    return {
      requests, answer,
      orderIds: requests.map((r) => ids.order(R, r.shopper, r.id)),
      /** Writes the requests from index `from` up to `to`. */
      async write(from = 0, to = n) {
        const ready = await until(async () => (await Promise.all(shoppers.map((s) => bdg.request('GET', `/${userDbName(s)}`)))).every((r) => r.status === 200), 60_000);
        if (!ready) throw new Error('the region service did not create every shopper database');
        await Promise.all(requests.slice(from, to).map((r) => c.anon(R).as({ name: r.shopper, password: DEMO.shopperPassword }).ok('PUT', `/${userDbName(r.shopper)}/${r.doc._id}`, r.doc)));
      },
      allAnswered: async () => (await Promise.all(requests.map(answer))).every(Boolean),
      /** The ids of the orders the service placed (the rest were rejected, e.g. out of stock). */
      async placed() {
        const answers = await Promise.all(requests.map(answer));
        return requests.filter((_, k) => answers[k]?.status === 'placed').map((r) => ids.order(R, r.shopper, r.id));
      },
    };
  };
  const overview = (node: Couch) =>
    Promise.all([
      node.request('GET', `${viewPath('ops', 'orders_by_day')}?group_level=1`),
      node.request('GET', `${viewPath('ops', 'orders_by_day')}?group=true`),
      node.request('GET', `${viewPath('ops', 'orders_by_week')}?group=true`),
      node.request('GET', `${viewPath('ops', 'product_sales')}?group=true`),
    ]);

  it('the three members form one cluster, set up through /_cluster_setup, each holding a copy of every shard', async () => {
    const names = await Promise.all(c.centralMembers.map(async (m) => (await new Couch(m.url, c.secrets.admin).ok('GET', '/_node/_local')).name));
    for (const m of c.centralMembers) {
      const node = new Couch(m.url, c.secrets.admin);
      expect((await node.ok('GET', '/_cluster_setup')).state).toBe('cluster_finished');
      expect([...(await node.ok('GET', '/_membership')).cluster_nodes].sort()).toEqual([...names].sort());
    }
    const shards = (await c.admin('PUSAT').ok('GET', '/ops/_shards')).shards as Record<string, string[]>;
    for (const holders of Object.values(shards)) expect([...holders].sort()).toEqual([...names].sort());
    expect((await localCopies(victim, 'ops')).shards.length).toBe(Object.keys(shards).length);
  });

  it('a member killed mid-burst loses nothing: every order reaches central, the dashboards answer, and the member catches up after restart', async () => {
    const bdg = c.admin(R);
    const central = c.admin('PUSAT');
    const wantSeed = data.regions[R].ops.length;
    expect(await until(async () => (await opsIds(central)).filter((id) => !id.startsWith('_design/')).length >= wantSeed, 60_000)).toBe(true);

    const service = await c.service(R);
    const { requests, write, answer, orderIds, allAnswered } = burst(BURST);
    const burstOrders = async (node: Couch) => {
      const mine = new Set(orderIds);
      return (await opsIds(node)).filter((id) => mine.has(id));
    };

    // The burst: each shopper writes their checkouts into their own database at BDG, as devices do.
    const victimName = (await new Couch(victim.url, c.secrets.admin).ok('GET', '/_node/_local')).name as string;
    // The burst's first quarter, then (once its first orders have reached central) kill -9 one member,
    // then the rest: the rest cannot have reached central before the kill, however fast the first part went.
    const firstPart = write(0, BURST / 4);
    expect(await until(async () => (await burstOrders(central)).length >= 20, 60_000)).toBe(true);
    await victim.kill('SIGKILL');
    const atKill = new Set(await burstOrders(central));
    await firstPart;
    await write(BURST / 4, BURST);
    // `sebaran status` names the member that is gone.
    const centralStatus = async () => (await clusterStatus(c.topology, c.secrets)).find((n) => n.code === 'PUSAT')!;
    expect(await until(async () => (await centralStatus()).members?.find((m) => m.name === victimName)?.connected === false)).toBe(true);
    expect(formatStatus([await centralStatus()])).toContain(`cluster of 3 nodes, NOT CONNECTED: ${victimName}`);

    // While the member is down: the dashboards answer, at the named member and at the other live one.
    const admin = c.admin('PUSAT').as(DEMO.centralAdmin);
    const otherLive = new Couch(c.centralMembers[1].url, DEMO.centralAdmin);
    for (const node of [admin, otherLive]) expect((await overview(node)).map((r) => r.status)).toEqual([200, 200, 200, 200]);

    // Every checkout is answered exactly once, and every order and ledger entry reaches central.
    expect(await until(allAnswered, 120_000)).toBe(true);
    const answers = await Promise.all(requests.map(answer));
    expect(answers.every((a: any) => a.status === 'placed' || a.status === 'rejected')).toBe(true);
    const placed = new Set(orderIds.filter((_, k) => answers[k].status === 'placed'));
    expect(placed.size).toBeGreaterThan(0);
    const bdgIds = await opsIds(bdg);
    const bdgOrders = bdgIds.filter((id) => id.startsWith('order:'));
    const bdgLedger = bdgIds.filter((id) => id.startsWith('ledger:'));
    expect(new Set(await burstOrders(bdg))).toEqual(placed);
    const reached = async () => {
      const at = new Set(await opsIds(central));
      return [...bdgOrders, ...bdgLedger].every((id) => at.has(id));
    };
    expect(await until(reached, 60_000), 'every BDG order and ledger entry at central').toBe(true);
    expect(victim.proc, 'still down while central catches up').toBe(null);
    // Mid-burst: some of the burst's orders reached central only after the kill.
    const missed = [...placed].filter((id) => !atKill.has(id));
    expect(missed.length, 'orders that reached central while the member was down').toBeGreaterThan(0);

    // The dashboards count every order while the member is still down.
    const bdgOrderDocs = (await bdg.allDocs('ops', `include_docs=true&startkey=${encodeURIComponent('"order:"')}&endkey=${encodeURIComponent('"order:\uffff"')}`)).map((r) => r.doc);
    const live = bdgOrderDocs.filter((o: any) => o.status !== 'canceled').length;
    const perRegion = async (node: Couch) => (await node.ok('GET', `${viewPath('ops', 'orders_by_day')}?group_level=1`)).rows.find((r: any) => r.key[0] === R)?.value.count;
    expect(await until(async () => (await perRegion(admin)) === live, 30_000)).toBe(true);
    expect(await perRegion(otherLive)).toBe(live);

    // Nothing doubled: one order per placed request, at BDG and at central; stock equals the ledger fold.
    const orderDocs = bdgOrderDocs.filter((o: any) => placed.has(o._id));
    expect(new Set(orderDocs.map((o: any) => o.request_id)).size).toBe(placed.size);
    expect((await burstOrders(central)).length).toBe(placed.size);
    const ledger = (await central.allDocs('ops', `include_docs=true&startkey=${encodeURIComponent('"ledger:"')}&endkey=${encodeURIComponent('"ledger:\uffff"')}`)).map((r) => r.doc);
    const fold = new Map<string, { sum: number; n: number }>();
    for (const e of ledger) {
      const f = fold.get(e.stock_id) ?? { sum: 0, n: 0 };
      fold.set(e.stock_id, { sum: f.sum + e.delta, n: f.n + 1 });
    }
    const sales = ledger.filter((e: any) => e.reason === 'sale' && placed.has(e.ref));
    expect(sales.length).toBe(orderDocs.reduce((n: number, o: any) => n + o.items.length, 0));
    const snapshotsMatch = async () => {
      const stock = (await central.allDocs('inventory', `include_docs=true&startkey=${encodeURIComponent(`"stock:${R}:"`)}&endkey=${encodeURIComponent(`"stock:${R}:\uffff"`)}`)).map((r) => r.doc);
      return stock.length > 0 && stock.every((s: any) => s.quantity === (fold.get(s._id)?.sum ?? 0) && s.ledger_count === (fold.get(s._id)?.n ?? 0));
    };
    // Central's merge lanes may have to be restarted by CouchDB after the kill: a job that gives up after its
    // connection_timeout (30 s) is started again only after the scheduler's back-off (30 s), and then catches up.
    if (!(await until(snapshotsMatch, 150_000))) {
      // Say which snapshots differ, what BDG holds for them and what central's lanes report.
      const stock = (await central.allDocs('inventory', `include_docs=true&startkey=${encodeURIComponent(`"stock:${R}:"`)}&endkey=${encodeURIComponent(`"stock:${R}:\uffff"`)}`)).map((r) => r.doc);
      const off = stock.filter((s: any) => s.quantity !== (fold.get(s._id)?.sum ?? 0) || s.ledger_count !== (fold.get(s._id)?.n ?? 0)).slice(0, 5);
      const atBdg = await Promise.all(off.map((s: any) => bdg.getDoc('inventory', s._id)));
      const inRegionDb = await Promise.all(off.map((s: any) => central.getDoc(`inventory-${R.toLowerCase()}`, s._id)));
      const tasks = await Promise.all(c.centralMembers.filter((m) => m.proc).map((m) => new Couch(m.url, c.secrets.admin).ok('GET', '/_active_tasks').catch((e) => String(e))));
      const jobs = await Promise.all([bdg, ...c.centralMembers.filter((m) => m.proc).map((m) => new Couch(m.url, c.secrets.admin))].map((n) => n.ok('GET', '/_scheduler/docs/_replicator').catch((e) => String(e))));
      expect.fail(JSON.stringify({
        victim: victimName,
        off: off.map((s: any, k) => ({ id: s._id, central: [s.quantity, s.ledger_count, s._rev], inventoryBdg: inRegionDb[k]?._rev, bdg: [atBdg[k]?.quantity, atBdg[k]?.ledger_count, atBdg[k]?._rev], fold: fold.get(s._id) })),
        lanes: jobs.map((j: any) => j.docs?.filter((d: any) => /inventory/.test(d.doc_id)).map((d: any) => [d.doc_id, d.node, d.state, d.error_count, d.last_updated, d.info])),
        tasks: tasks.map((t: any) => (Array.isArray(t) ? t.filter((x: any) => /inventory/.test(x.doc_id ?? '')).map((x: any) => [x.node, x.doc_id, x.through_seq, x.source_seq, x.docs_read, x.docs_written, x.updated_on]) : t)),
      }));
    }
    await service.kill();

    // The member comes back and its own shard copies catch up with what it missed.
    await victim.start();
    const want = [...bdgOrders, ...bdgLedger];
    expect(await until(async () => {
      const held = (await localCopies(victim, 'ops')).ids;
      return want.every((id) => held.has(id));
    }, 120_000), 'the restarted member holds every order and ledger entry on its own disk').toBe(true);
    const held = (await localCopies(victim, 'ops')).ids;
    expect(missed.every((id) => held.has(id))).toBe(true);
    // And it serves the same dashboard figures as the member that never went down.
    const back = new Couch(victim.url, DEMO.centralAdmin);
    expect(await until(async () => (await perRegion(back)) === live, 30_000)).toBe(true);
    expect(formatStatus([await centralStatus()])).toContain('cluster of 3 nodes, all connected');
  }, 420_000);

  it('while the member the topology names is down, BDG keeps confirming checkouts; its orders reach central once that member is back', async () => {
    const named = c.centralMembers[0];
    expect(named.url).toBe(c.topology.central.url);
    const other = new Couch(c.centralMembers[1].url, c.secrets.admin);
    const service = await c.service(R);
    const b = burst(60);
    await named.kill('SIGKILL');
    await b.write();
    expect(await until(b.allAnswered, 60_000), 'the region answers every checkout without central').toBe(true);
    // BDG replicates to the one URL the topology names, so its push lane stops working.
    const push = async () => (await c.admin(R).ok('GET', '/_scheduler/docs/_replicator/sebaran-ops-push')).state;
    expect(await until(async () => (await push()) !== 'running', 60_000), 'BDG\'s ops push notices central is gone').toBe(true);
    const placed = await b.placed();
    expect(placed.length).toBeGreaterThan(0);
    await named.start();
    expect(await until(async () => {
      const at = new Set((await other.allDocs('ops', '')).map((r) => r.id));
      return placed.every((id) => at.has(id));
    }, 180_000), 'the orders reach central after the named member is back').toBe(true);
    await service.kill();
  }, 300_000);

  it('behind a proxy that fails over across the members, BDG\'s orders reach central while the first member is down', async () => {
    const proxy = await failoverProxy(c.centralMembers.map((m) => m.port));
    try {
      // What an operator does: the topology names the load balancer, and init re-points every region's replications.
      c.topology.central.url = proxy.url;
      writeFileSync(c.topologyPath, JSON.stringify(c.topology));
      await initAll(c.topology, c.secrets);
      const push = await c.admin(R).ok('GET', '/_replicator/sebaran-ops-push');
      // A region's lanes end in its own database at central; central's own lanes merge it into `ops`.
      expect(push.target.url).toBe(`${proxy.url}/ops-${R.toLowerCase()}`);
      const merge = await c.admin('PUSAT').ok('GET', `/_replicator/sebaran-${R.toLowerCase()}-ops-in`);
      expect([merge.source.url, merge.target.url]).toEqual([`${proxy.url}/ops-${R.toLowerCase()}`, `${proxy.url}/ops`]);
      const service = await c.service(R);
      const b = burst(60);
      await c.centralMembers[0].kill('SIGKILL');
      await b.write();
      expect(await until(b.allAnswered, 60_000)).toBe(true);
      const placed = await b.placed();
      expect(placed.length).toBeGreaterThan(0);
      const other = new Couch(c.centralMembers[1].url, c.secrets.admin);
      expect(await until(async () => {
        const at = new Set((await other.allDocs('ops', '')).map((r) => r.id));
        return placed.every((id) => at.has(id));
      }, 120_000), 'every order at central while its first member is still down').toBe(true);
      expect(c.centralMembers[0].proc).toBe(null);
      // The dashboards answer through the proxy too.
      expect((await overview(new Couch(proxy.url, DEMO.centralAdmin))).map((r) => r.status)).toEqual([200, 200, 200, 200]);
      await service.kill();
      await c.centralMembers[0].start();
    } finally {
      proxy.server.close();
    }
  }, 300_000);
});

/** A TCP proxy that sends each connection to the first member that accepts it: a stand-in for a load balancer. */
async function failoverProxy(ports: number[]): Promise<{ url: string; server: Server }> {
  const server = createServer((client) => {
    client.pause();
    client.on('error', () => {});
    const attempt = (i: number) => {
      if (i >= ports.length) return client.destroy();
      const upstream = connect(ports[i], '127.0.0.1');
      upstream.once('error', () => attempt(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, server };
}
