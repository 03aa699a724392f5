// The whole system for the browser tests: a throwaway cluster with a small demo data set, the region
// services, and the built app with its /db proxy. One per Playwright worker (fixtures.ts): the tests of
// a worker share it and run one at a time; two workers use this machine's two cores.
import { join } from 'node:path';
import { startCluster } from '../../server/throwaway-cluster.ts';
import { seed } from '../../server/ops/seed.ts';
import { defaultDemoOptions } from '../../server/ops/demo-data.ts';
import { createAppServer, readersOf, regionAdminsOf } from '../../server/app-server.ts';
import { freePort } from '../../server/cluster.ts';
import { projectRoot } from '../../server/config.ts';

export interface System {
  url: string;
  topologyPath: string;
  secretsPath: string;
  stop(): Promise<void>;
}

export async function startSystem(): Promise<System> {
  const c = await startCluster(['JKT', 'BDG', 'SBY']);
  try {
    await seed(c.topology, c.secrets, { ...defaultDemoOptions(), products: 40, usersPerRegion: 3, ordersPerRegion: 45 });
    const services = await Promise.all(c.topology.regions.map((r) => c.service(r.code)));
    const port = await freePort();
    const server = createAppServer(c.topology, join(projectRoot, 'build'), { admins: regionAdminsOf(c.secrets), readers: readersOf(c.secrets) });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${port}`,
      topologyPath: c.topologyPath,
      secretsPath: c.secretsPath,
      async stop() {
        server.closeAllConnections();
        server.close();
        await Promise.all(services.map((s) => s.kill()));
        await c.stop();
      },
    };
  } catch (e) {
    await c.stop();
    throw e;
  }
}
