// The standard `npm run bench` run on one throwaway cluster (central + JKT, BDG, SBY with the demo
// data): the central overview, replication lag both ways, filtered replication, a device's first
// pull, the region service through a device, and idle memory. Figures for a table and the JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import PouchDB from 'pouchdb-node';
import { startCluster, until } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
import { regionSelector } from '../server/ops/init.ts';
import { DEMO, projectRoot } from '../server/config.ts';
import { Couch } from '../server/couch-client.ts';
import { createAppServer, readersOf } from '../server/app-server.ts';
import { freePort } from '../server/cluster.ts';
import { pullChanges } from '../src/lib/sync/pull.ts';
import { ids, ulid, userDbName } from '../src/lib/model/index.ts';
import { dataDocCount, follow, median, percentile, nodeMemoryMb, verdict } from './lib.ts';
import { centralOverview, timed } from './overview.ts';

export async function standardBench(engine: string, quick: boolean, log: (l: string) => void) {
  const LAG_SAMPLES = quick ? 30 : 100;
  const REPEATS = quick ? 1 : 3;
  const os = await import('node:os');
  const results: Record<string, any> = { at: new Date().toISOString(), engine, quick, machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30) } };
  const rows: Array<[string, string, string, string]> = [];

  const memory = (nodes: Record<string, { proc: { pid?: number } | null }>) =>
    Object.fromEntries(Object.entries(nodes).map(([code, n]) => [code, n.proc?.pid ? nodeMemoryMb(n.proc.pid) : null]));

  log(`bench: starting a throwaway cluster (central + JKT, BDG, SBY) on the ${engine} engine and loading the demo data…`);
  const c = await startCluster(['JKT', 'BDG', 'SBY']);
  try {
    results.engineVersion = (await c.admin('PUSAT').ok('GET', '/')).version;
    // Idle memory of fresh nodes (init applied, no data yet).
    await new Promise((r) => setTimeout(r, 3000));
    results.freshMemory = memory(c.nodes);
    const demo = await seed(c.topology, c.secrets, defaultDemoOptions(), (l) => log(l));
    const wantOps = Object.values(demo.regions).reduce((n, r) => n + r.ops.length, 0);
    await until(async () => (await dataDocCount(c.admin('PUSAT'), 'ops')) >= wantOps, 180_000);
    const bdgUrl = c.topology.regions.find((r) => r.code === 'BDG')!.url;

    // 0. The central overview page: its four view queries with the demo data, warm.
    log('bench: central overview queries (demo data)…');
    {
      const central = c.admin('PUSAT').as(DEMO.centralAdmin);
      const regions = c.topology.regions.map((r) => r.code);
      const t0 = performance.now();
      await centralOverview(central, regions);
      const firstMs = performance.now() - t0;
      const o = await timed(() => centralOverview(central, regions), LAG_SAMPLES);
      results.centralOverviewMs = { first: firstMs, ...o };
      rows.push(['central overview (4 view queries, demo data), p50 / p95', `${o.p50.toFixed(1)} / ${o.p95.toFixed(1)} ms (first ${firstMs.toFixed(0)} ms)`, '-', 'info']);
    }

    // 1. Replication lag, central -> region, for a catalog change.
    log(`bench: catalog lag central -> BDG over ${LAG_SAMPLES} changes…`);
    {
      const feed = await follow(c.admin('BDG'), 'catalog');
      const pusat = c.admin('PUSAT').as(DEMO.centralAdmin);
      const lags: number[] = [];
      for (let i = 0; i < LAG_SAMPLES; i++) {
        const doc = await pusat.getDoc('catalog', 'product:SEM-00001');
        const t0 = performance.now();
        const r = await pusat.ok('PUT', '/catalog/product:SEM-00001', { ...doc, price: doc.price + 500, updated_at: new Date().toISOString() });
        lags.push((await feed.arrival('product:SEM-00001', r.rev)) - t0);
      }
      feed.stop();
      results.catalogLagMs = { p50: median(lags), p95: percentile(lags, 95), samples: lags.length };
      rows.push(['catalog change central -> BDG, p50 / p95', `${median(lags).toFixed(0)} / ${percentile(lags, 95).toFixed(0)} ms`, 'p95 < 1000 ms', verdict(percentile(lags, 95) < 1000)]);
    }

    // 2. Replication lag, region -> central, for a new order.
    log(`bench: order lag BDG -> central over ${LAG_SAMPLES} orders…`);
    {
      const feed = await follow(c.admin('PUSAT'), 'ops');
      const svc = c.admin('BDG').as(c.secrets.regions.BDG.service);
      const template = demo.regions.BDG.ops.find((d) => d.type === 'order')!;
      const lags: number[] = [];
      for (let i = 0; i < LAG_SAMPLES; i++) {
        const rid = `01JB${String(i).padStart(22, '0')}`;
        const id = ids.order('BDG', (template as any).user_name, rid);
        const t0 = performance.now();
        const r = await svc.ok('PUT', `/ops/${encodeURIComponent(id)}`, { ...template, _id: id, request_id: rid });
        lags.push((await feed.arrival(id, r.rev)) - t0);
      }
      feed.stop();
      results.orderLagMs = { p50: median(lags), p95: percentile(lags, 95), samples: lags.length };
      rows.push(['new order BDG -> central, p50 / p95', `${median(lags).toFixed(0)} / ${percentile(lags, 95).toFixed(0)} ms`, 'p95 < 1000 ms', verdict(percentile(lags, 95) < 1000)]);
    }

    // 3. One-shot filtered replication throughput: 10,000 docs at central, half of them BDG's.
    log('bench: one-shot replication of 10,000 documents (filtered to BDG, and unfiltered)…');
    {
      const central = c.admin('PUSAT');
      const bdg = c.admin('BDG');
      await central.ok('PUT', '/bench-src');
      const docs = Array.from({ length: 10_000 }, (_, i) => {
        const region = i % 2 ? 'BDG' : 'JKT';
        return { _id: `bench:${region}:${String(i).padStart(5, '0')}`, type: 'bench', region_code: region, n: i, pad: 'x'.repeat(200) };
      });
      for (let i = 0; i < docs.length; i += 2000) await central.bulk('bench-src', docs.slice(i, i + 2000));
      const auth = { basic: { username: c.secrets.admin.name, password: c.secrets.admin.password } };
      const run = async (target: string, selector: object | undefined, expected: number) => {
        await bdg.ok('PUT', `/${target}`);
        const t0 = performance.now();
        await bdg.ok('PUT', `/_replicator/${target}`, {
          source: { url: `${c.topology.central.url}/bench-src`, auth }, target: { url: `${bdgUrl}/${target}`, auth: { basic: { username: c.secrets.regions.BDG.admin.name, password: c.secrets.regions.BDG.admin.password } } },
          ...(selector ? { selector } : {}),
        });
        await until(async () => (await bdg.ok('GET', `/${target}`)).doc_count >= expected, 300_000);
        return (performance.now() - t0) / 1000;
      };
      const filtered = await run('bench-dst-bdg', regionSelector('BDG'), 5000);
      const all = await run('bench-dst-all', undefined, 10_000);
      results.oneShotReplication = { filteredSeconds: filtered, filteredDocsPerSec: 5000 / filtered, allSeconds: all, allDocsPerSec: 10_000 / all };
      rows.push(['one-shot 10k -> BDG share (5k), selector', `${filtered.toFixed(2)} s, ${(5000 / filtered).toFixed(0)} docs/s (${(10_000 / filtered).toFixed(0)} scanned/s)`, '-', 'info']);
      rows.push(['one-shot 10k -> all 10k, no filter', `${all.toFixed(2)} s, ${(10_000 / all).toFixed(0)} docs/s`, '-', 'info']);
    }

    // 4. A fresh device's first pull: catalog + BDG inventory, vs. the raw copy of the same documents.
    log('bench: first pull of a fresh device (catalog + BDG stock)…');
    {
      const dbs = ['catalog', 'inventory'];
      // Devices read a region's catalog and stock through the app server (its reader account; no
      // database is open to anonymous), so the pull is measured on that path.
      const app = createAppServer(c.topology, join(projectRoot, 'build'), { readers: readersOf(c.secrets) });
      const appPort = await freePort();
      await new Promise<void>((ok) => app.listen(appPort, '127.0.0.1', ok));
      const viaApp = `http://127.0.0.1:${appPort}/db/bdg`;
      const anon = new Couch(viaApp);
      const docCount = (await Promise.all(dbs.map((d) => dataDocCount(c.admin('BDG'), d)))).reduce((a, b) => a + b, 0);
      const fresh = () => mkdtempSync(join(tmpdir(), 'sebaran-pull-'));
      const time = async (fn: (dir: string) => Promise<void>) => {
        const times: number[] = [];
        for (let i = 0; i < REPEATS; i++) {
          const dir = fresh();
          const t0 = performance.now();
          await fn(dir);
          times.push((performance.now() - t0) / 1000);
          rmSync(dir, { recursive: true, force: true });
        }
        return median(times);
      };
      const raw = await time(async (dir) => {
        for (const d of dbs) {
          const all = await anon.ok('GET', `/${d}/_all_docs?include_docs=true&attachments=true`);
          const local = new PouchDB(join(dir, d));
          await local.bulkDocs(all.rows.map((r: any) => r.doc).filter((x: any) => !x._id.startsWith('_design/')), { new_edits: false });
          await local.close();
        }
      });
      const ours = await time(async (dir) => {
        for (const d of dbs) {
          const local = new PouchDB(join(dir, d));
          await pullChanges({ url: `${viaApp}/${d}`, local });
          await local.close();
        }
      });
      const plain = await time(async (dir) => {
        for (const d of dbs) {
          const local = new PouchDB(join(dir, d));
          await PouchDB.replicate(new PouchDB(`${viaApp}/${d}`), local, { batch_size: 500 } as any);
          await local.close();
        }
      });
      app.closeAllConnections();
      app.close();
      results.firstPull = { docs: docCount, rawSeconds: raw, pullSeconds: ours, plainReplicationSeconds: plain, ratio: ours / raw, plainRatio: plain / raw };
      rows.push([`first pull, ${docCount} docs (catalog with photos + BDG stock)`, `${ours.toFixed(2)} s, ${(docCount / ours).toFixed(0)} docs/s`, '< 2 s', verdict(ours < 2)]);
      rows.push(['first pull / raw copy', `${(ours / raw).toFixed(2)}x (raw ${raw.toFixed(2)} s)`, '<= 1.5x', verdict(ours / raw <= 1.5)]);
      rows.push(['plain PouchDB replicate / raw copy (reference)', `${(plain / raw).toFixed(2)}x (${plain.toFixed(2)} s)`, '-', 'info']);
    }

    // 5. The region service: confirmed orders per second, and device-to-confirmation latency.
    log('bench: region service throughput (BDG)…');
    {
      const service = await c.service('BDG', { settled: true });
      const shoppers = demo.regions.BDG.accounts.map((a) => a.name);
      const items = demo.regions.BDG.inventory.filter((d: any) => d.type === 'warehouse_item' && d.quantity >= 20) as any[];
      const N = quick ? 200 : 500;
      const requests = Array.from({ length: N }, (_, k) => {
        const it = items[k % items.length];
        const id = ulid();
        return {
          shopper: shoppers[k % shoppers.length],
          doc: { _id: ids.checkout(id), type: 'checkout_request', region_code: 'BDG', request_id: id, items: [{ stock_id: it._id, product_id: it.product_id, qty: 1 }], address: 'Jl. Bench 1, Bandung', created_at: new Date().toISOString() },
        };
      });
      const bdg = c.anon('BDG');
      const countCopies = async () => {
        const counts = await Promise.all(shoppers.map(async (sh) =>
          (await c.admin('BDG').ok('GET', `/${userDbName(sh)}/_all_docs?startkey=%22my-order%3A%22&endkey=%22my-order%3A%EF%BF%BF%22`)).rows.length));
        return counts.reduce((a, b) => a + b, 0);
      };
      // Devices hold session cookies (as the app does), so sign every shopper in before the clock starts.
      const cookies = new Map<string, string>();
      for (const sh of shoppers) {
        const login = await bdg.request('POST', '/_session', { name: sh, password: DEMO.shopperPassword });
        cookies.set(sh, login.headers.get('set-cookie')!.split(';')[0]);
      }
      // Done when every shopper database holds its answers (what the shopper sees). To keep the
      // watching from loading the node, follow /_db_updates and count only databases that changed.
      const expected = new Map<string, number>();
      for (const r of requests) expected.set(userDbName(r.shopper), (expected.get(userDbName(r.shopper)) ?? 0) + 1);
      const admin = c.admin('BDG');
      let since = (await admin.ok('GET', '/_db_updates?since=now')).last_seq;
      const answered = async (db: string) =>
        (await admin.ok('GET', `/${db}/_all_docs?startkey=%22my-order%3A%22&endkey=%22my-order%3A%EF%BF%BF%22`)).rows.length >= expected.get(db)!;
      const complete = new Set<string>();
      const watch = (async () => {
        const deadline = Date.now() + 300_000;
        while (complete.size < expected.size && Date.now() < deadline) {
          const upd = await admin.ok('GET', `/_db_updates?feed=longpoll&timeout=2000&since=${encodeURIComponent(since)}`);
          since = upd.last_seq;
          const changed = new Set<string>((upd.results as any[]).map((u) => u.db_name).filter((db: string) => expected.has(db) && !complete.has(db)));
          for (const db of changed) if (await answered(db)) complete.add(db);
        }
        return performance.now();
      })();
      const t0 = performance.now();
      await Promise.all(requests.map(async (r) => {
        const res = await bdg.request('PUT', `/${userDbName(r.shopper)}/${r.doc._id}`, r.doc, { Cookie: cookies.get(r.shopper)! });
        if (res.status !== 201) throw new Error(`checkout write refused: ${res.status} ${res.json?.reason}`);
      }));
      const writeDone = performance.now();
      const finished = await watch;
      if ((await countCopies()) < N) throw new Error(`not every checkout was answered: ${await countCopies()} of ${N}`);
      const seconds = (finished - t0) / 1000;
      const serviceSeconds = (finished - writeDone) / 1000;
      results.serviceThroughput = { requests: N, seconds, ordersPerSec: N / seconds, writeSeconds: (writeDone - t0) / 1000, afterWritesSeconds: serviceSeconds };
      rows.push([`region service: ${N} checkouts from ${shoppers.length} shoppers`, `${(N / seconds).toFixed(0)} confirmed orders/s (${seconds.toFixed(2)} s)`, '>= 100 /s', verdict(N / seconds >= 100)]);

      // A device: its local database synced live with the node, a checkout written locally, the confirmation seen locally.
      const dir = mkdtempSync(join(tmpdir(), 'sebaran-device-'));
      const shopper = shoppers[0];
      const local = new PouchDB(join(dir, 'user'));
      const remote = new PouchDB(`${bdgUrl}/${userDbName(shopper)}`, { auth: { username: shopper, password: DEMO.shopperPassword }, skip_setup: true } as any);
      const sync = PouchDB.sync(local, remote, { live: true, retry: true } as any);
      await new Promise((r) => setTimeout(r, 1500));
      const lat: number[] = [];
      for (let k = 0; k < LAG_SAMPLES / 2; k++) {
        const it = items[(k * 7) % items.length];
        const id = ulid();
        const copyId = ids.orderCopy(ids.order('BDG', shopper, id));
        const seen = new Promise<number>((resolve) => {
          const feed = local.changes({ since: 'now', live: true }).on('change', (ch) => {
            if (ch.id === copyId) {
              feed.cancel();
              resolve(performance.now());
            }
          });
        });
        const t1 = performance.now();
        await local.put({ _id: ids.checkout(id), type: 'checkout_request', region_code: 'BDG', request_id: id, items: [{ stock_id: it._id, product_id: it.product_id, qty: 1 }], address: 'Jl. Bench 2, Bandung', created_at: new Date().toISOString() });
        lat.push((await seen) - t1);
      }
      sync.cancel();
      await local.destroy();
      rmSync(dir, { recursive: true, force: true });
      results.deviceConfirmationMs = { p50: median(lat), p95: percentile(lat, 95), samples: lat.length };
      rows.push(['checkout on a device -> confirmation on it, p50 / p95', `${median(lat).toFixed(0)} / ${percentile(lat, 95).toFixed(0)} ms`, 'p95 < 1000 ms', verdict(percentile(lat, 95) < 1000)]);
      await service.kill();
    }

    // 6. Idle memory per node: the node process (node for the embedded node, beam.smp for CouchDB),
    // and with the processes it started (CouchDB's QuickJS query servers).
    await new Promise((r) => setTimeout(r, 3000));
    const loaded = memory(c.nodes);
    results.idleRssMb = Object.fromEntries(Object.entries(loaded).map(([code, m]) => [code, m?.rssMb ?? null]));
    results.idleMemory = loaded;
    for (const [code, m] of Object.entries(loaded)) {
      const fresh = results.freshMemory[code];
      rows.push([
        `idle memory, node ${code}: fresh / with demo data`,
        `${fresh?.rssMb.toFixed(0) ?? '?'} / ${m?.rssMb.toFixed(0) ?? '?'} MB RSS (${m?.process}; with child processes ${m?.withChildrenMb.toFixed(0) ?? '?'} MB)`,
        '-', 'info',
      ]);
    }
  } finally {
    await c.stop();
  }
  return { results, rows };
}
