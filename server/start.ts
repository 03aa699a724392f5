// `npm start`: the whole system on one laptop. Starts every embedded node of
// the topology, runs init, seeds the demo data once, builds and serves the
// app, prints where everything is. Ctrl-C stops every child.
import { ensureBuild } from './build-stamp.ts';
import { join } from 'node:path';
import { adminOf, dataDir, DEMO, loadSecrets, loadTopology, projectRoot } from './config.ts';
import { appOrigins, couchdbRelease, engineName, nodeProcess, type NodeHandle } from './cluster.ts';
import { probeNode } from './node-probe.ts';
import { initAll } from './ops/init.ts';
import { isSeeded, seed } from './ops/seed.ts';
import { defaultDemoOptions } from './ops/demo-data.ts';
import { appHandler, readersOf, regionAdminsOf } from './app-server.ts';
import { holdAppPort } from './app-port.ts';
import { superviseService, type ServiceProcess } from './region/supervise.ts';

const log = (line: string) => console.log(line);
const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

// Only what this process started: nodes found already running are left running.
const nodes: NodeHandle[] = [];
const services: ServiceProcess[] = [];
async function stopAll() {
  await Promise.all(services.map((s) => s.stop()));
  await Promise.all(nodes.map((n) => n.stop()));
}

async function main() {
  const topology = loadTopology();
  const secrets = loadSecrets(topology);
  let shuttingDown = false;
  const shutdown = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    log('\nStopping…');
    await stopAll();
    log(nodes.length ? 'All nodes this start began are stopped.' : 'Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  // The app's port is taken first, so a port already in use is reported now rather than after the
  // nodes, init and seeding, and nothing else on the machine can take it in the meantime.
  const app = topology.app ?? { host: '127.0.0.1', port: 5170 };
  const appServer = await holdAppPort(app.host, app.port);

  const all = [{ code: topology.central.code, url: topology.central.url }, ...topology.regions];
  log(`Starting ${all.length} nodes (${engineName() === 'couchdb' ? `Apache CouchDB from ${couchdbRelease()}` : 'embedded'})…`);
  const problems: string[] = [];
  await Promise.all(
    all.map(async (n) => {
      if (!isLoopback(n.url)) {
        log(`  ${n.code}: ${n.url} is not on this machine; expecting it to run there`);
        return;
      }
      // A node that already answers (an Apache CouchDB the operator runs, or one left running) is used as it is.
      const admin = adminOf(secrets, topology, n.code);
      const found = await probeNode(n.url, admin);
      if (found.kind === 'couchdb') {
        if (!found.adminOk) {
          problems.push(`${n.code}: ${n.url} is a CouchDB server (${found.vendor} ${found.version}) that does not accept the server admin "${admin.name}" the secrets file gives for ${n.code}; give it that admin, or set SEBARAN_SECRETS to the secrets it uses`);
          return;
        }
        log(`  ${n.code.padEnd(6)} already running at ${n.url} (${found.vendor} ${found.version}); using it as it is`);
        return;
      }
      if (found.kind === 'other') {
        problems.push(`${n.code}: port ${new URL(n.url).port} (${n.url}) is taken by something that is not a CouchDB server: ${found.detail}. Stop it, or give ${n.code} another url in the topology`);
        return;
      }
      const node = nodeProcess({
        name: n.code, url: n.url, dataDir: join(dataDir(), 'nodes', n.code), admin,
        secret: secrets.cookieSecret, supervise: true, log, corsOrigins: appOrigins(topology),
      });
      nodes.push(node);
      await node.start();
      log(`  ${n.code.padEnd(6)} up at ${n.url}`);
    }),
  );
  if (problems.length) throw new Error(`cannot start:\n  ${problems.join('\n  ')}`);

  log('Initialising databases, security, design documents and replications…');
  await initAll(topology, secrets, log);

  if (await isSeeded(topology, secrets)) log('Demo data already loaded; reusing it.');
  else await seed(topology, secrets, defaultDemoOptions(), log);

  log('Starting the region services…');
  for (const r of topology.regions) services.push(superviseService(r.code, log));
  await Promise.all(services.map((s) => s.ready));

  ensureBuild({ force: !!process.env.SEBARAN_REBUILD, log });
  const buildDir = join(projectRoot, 'build');
  appServer.serve(appHandler(topology, buildDir, { admins: regionAdminsOf(secrets), readers: readersOf(secrets) }));

  const appUrl = `http://${app.host}:${app.port}`;
  log('');
  log('Sebaran is running.');
  log(`  App (shop + admin):   ${appUrl}`);
  log(`  Central node:         ${topology.central.url}   (via app: ${appUrl}/db/${topology.central.code.toLowerCase()})`);
  for (const r of topology.regions) log(`  ${r.name.padEnd(10)} (${r.code}):   ${r.url}   (via app: ${appUrl}/db/${r.code.toLowerCase()})`);
  log('');
  log('Accounts:');
  // Each node has its own server admin, so a regional machine's secrets reach no other node.
  for (const n of all) {
    const a = adminOf(secrets, topology, n.code);
    log(`  server admin of ${n.code.padEnd(6)}:    ${a.name} / ${a.password}`);
  }
  log(`  central admin (central):    ${DEMO.centralAdmin.name} / ${DEMO.centralAdmin.password}`);
  for (const r of topology.regions) {
    const a = DEMO.regionAdmin(r.code);
    log(`  ${r.code} admin (${r.code} only):      ${a.name} / ${a.password}`);
  }
  log(`  shoppers: pembeli.jkt, pembeli.bdg, pembeli.sby (and 49 more per region) / ${DEMO.shopperPassword}`);
  log('');
  log('Press Ctrl-C to stop.');
}

main().catch(async (e) => {
  console.error(`\nnpm start failed: ${e.message}`);
  await stopAll();
  process.exit(1);
});
