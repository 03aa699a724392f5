// The whole system for the browser tests: a throwaway cluster with a small
// demo data set, the region services, and the built app with its /db proxy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from '../../server/throwaway-cluster.ts';
import { seed } from '../../server/ops/seed.ts';
import { defaultDemoOptions } from '../../server/ops/demo-data.ts';
import { createAppServer, readersOf, regionAdminsOf } from '../../server/app-server.ts';
import { freePort } from '../../server/cluster.ts';
import { projectRoot } from '../../server/config.ts';
import { ensureBuild } from '../../server/build-stamp.ts';

export default async function setup() {
  if (!existsSync('/usr/bin/chromium')) throw new Error('End-to-end tests need Chromium: apt-get install -y chromium');
  if (!existsSync('/usr/bin/pdftoppm')) throw new Error('The report tests need pdftoppm: apt-get install -y poppler-utils');
  // Always test the current code: build the app (and its service worker) unless build/ is of these sources.
  ensureBuild();
  const c = await startCluster(['JKT', 'BDG', 'SBY']);
  await seed(c.topology, c.secrets, { ...defaultDemoOptions(), products: 40, usersPerRegion: 3, ordersPerRegion: 45 });
  const services = await Promise.all(c.topology.regions.map((r) => c.service(r.code)));
  const port = await freePort();
  const server = createAppServer(c.topology, join(projectRoot, 'build'), { admins: regionAdminsOf(c.secrets), readers: readersOf(c.secrets) });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  process.env.SEBARAN_E2E_URL = `http://127.0.0.1:${port}`;
  // Tests reach the nodes directly too (as an admin would), through these files.
  process.env.SEBARAN_TOPOLOGY = c.topologyPath;
  process.env.SEBARAN_SECRETS = c.secretsPath;
  return async () => {
    server.closeAllConnections();
    server.close();
    await Promise.all(services.map((s) => s.kill()));
    await c.stop();
  };
}
