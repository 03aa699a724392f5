// `npm run bench -- --scale 100000`: the admin dashboards at scale. Loads
// that many orders over the regions, lets replication carry them to central,
// then times central's overview queries and order-list pages (warm).
import { startCluster, until } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
import { DEMO } from '../server/config.ts';
import { rssKb } from './lib.ts';
import { centralOverview, centralView, timed } from './overview.ts';

export async function scaleBench(total: number, log: (s: string) => void, samples = 20) {
  const c = await startCluster(['JKT', 'BDG', 'SBY']);
  try {
    const perRegion = Math.ceil(total / 3);
    const t0 = Date.now();
    const data = await seed(c.topology, c.secrets, { ...defaultDemoOptions(), ordersPerRegion: perRegion, photos: false }, log);
    const seedSeconds = (Date.now() - t0) / 1000;
    const want = Object.values(data.regions).reduce((n, r) => n + r.ops.length, 0);
    log(`bench: waiting for ${want} ops documents to reach central…`);
    const t1 = Date.now();
    await until(async () => (await c.admin('PUSAT').ok('GET', '/ops')).doc_count >= want, 3_600_000);
    const replicateSeconds = (Date.now() - t1) / 1000;
    const central = c.admin('PUSAT').as(DEMO.centralAdmin);
    const view = (name: string, q: string) => centralView(central, name, q);
    const overview = () => centralOverview(central);
    const pid = c.nodes.PUSAT.proc?.pid;
    const rssMb = () => (pid ? Math.round((rssKb(pid) ?? 0) / 1024) : null);
    const centralRssBeforeViewsMb = rssMb();
    log('bench: building the views at central (first query)…');
    const t2 = Date.now();
    await overview();
    await view('orders_by_created', 'limit=1&reduce=false');
    await view('orders_by_status', 'limit=1&reduce=false');
    const indexSeconds = (Date.now() - t2) / 1000;
    const time = (fn: () => Promise<unknown>) => timed(fn, samples);
    const k = (v: unknown) => encodeURIComponent(JSON.stringify(v));
    const overviewMs = await time(overview);
    let page = 0;
    const listMs = await time(() => view('orders_by_created', `reduce=false&descending=true&startkey=${k(['BDG', '\uffff'])}&endkey=${k(['BDG', ''])}&limit=21&skip=${(page++ % 10) * 20}`));
    const statusMs = await time(() => view('orders_by_status', `reduce=false&descending=true&startkey=${k(['JKT', 'delivered', '\uffff'])}&endkey=${k(['JKT', 'delivered', ''])}&limit=21`));
    return {
      orders: perRegion * 3, opsDocs: want, seedSeconds, replicateSeconds, indexSeconds, overviewMs, orderListMs: listMs, orderListByStatusMs: statusMs,
      centralRssBeforeViewsMb, centralRssMb: rssMb(),
    };
  } finally {
    await c.stop();
  }
}
