// scratch: where does the CouchDB seed's time go
import { startCluster } from '../server/throwaway-cluster.ts';
import { seed } from '../server/ops/seed.ts';
import { defaultDemoOptions } from '../server/ops/demo-data.ts';
const c = await startCluster(['JKT', 'BDG', 'SBY']);
const t0 = Date.now();
let last = t0;
try {
  await seed(c.topology, c.secrets, { ...defaultDemoOptions(), ordersPerRegion: Number(process.env.N ?? 5000), photos: false }, (l) => {
    const now = Date.now();
    if (!/: \d+000\//.test(l) || /0000\//.test(l)) console.log(((now - t0) / 1000).toFixed(1), ((now - last) / 1000).toFixed(1), l);
    last = now;
  });
} finally {
  await c.stop();
}
