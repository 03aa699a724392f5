// One embedded CouchDB-compatible node: `tsx server/node/main.ts <config.json>`.
// The config names the node, its port, its data directory and its server
// admins; a node never starts without an admin (no admin party).
import './regex-engine.ts';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from './store.ts';
import { Replicator } from './replicator.ts';
import { createHandler } from './couch.ts';
import { ViewEngine } from './views.ts';
import { AutoIndexer } from './auto-index.ts';
import type { StoredCredentials } from './auth.ts';
import { DEFAULT_LIMITS, type WriteLimits } from './limits.ts';

export interface NodeConfig {
  name: string;
  host: string;
  port: number;
  dataDir: string;
  admins: Record<string, StoredCredentials>;
  secret: string;
  sessionTimeoutSec?: number;
  corsOrigins?: string[];
  maxBodyBytes?: number;
  limits?: WriteLimits;
  pbkdf2Iterations?: number;
  /** The least time between two background catch-ups of a database's view indexes (CouchDB's `[ken] delay`). */
  autoIndexDelayMs?: number;
}

export async function startNode(cfg: NodeConfig) {
  if (!cfg.admins || Object.keys(cfg.admins).length === 0) {
    throw new Error(`node ${cfg.name}: no server admin configured; refusing to start in admin party`);
  }
  const store = new Store(cfg.dataDir, cfg.pbkdf2Iterations);
  await store.ensureSystemDbs();
  const replicator = new Replicator(store);
  const views = new ViewEngine({ dir: join(cfg.dataDir, '_views') });
  const handler = createHandler(
    store,
    {
      admins: cfg.admins,
      secret: cfg.secret,
      sessionTimeoutSec: cfg.sessionTimeoutSec ?? 7 * 24 * 3600,
      lookupUser: (n) => store.lookupUser(n),
    },
    replicator,
    { name: cfg.name, maxBodyBytes: cfg.maxBodyBytes ?? 64 * 1024 * 1024, corsOrigins: cfg.corsOrigins ?? [], limits: cfg.limits ?? DEFAULT_LIMITS },
    views,
  );
  const server = createServer((req, res) => void handler(req, res));
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  await replicator.start();
  const indexer = new AutoIndexer(store, views, { delayMs: cfg.autoIndexDelayMs ?? 5000, log: (l) => console.log(`[${cfg.name}] ${l}`) });
  const unwatch = store.updates.watch((db, type) => indexer.changed(db, type));
  void warmViews(indexer);
  return {
    server,
    async stop() {
      // First, while the node still answers: the jobs' last checkpoints may go to this node itself.
      await replicator.stop();
      unwatch();
      await indexer.stop();
      // Stop listening and end open feeds (long-polls, continuous changes) now: waiting for them
      // would keep the process, and its LevelDB locks, alive after SIGTERM.
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
      await store.close();
      await views.close();
    },
  };
}

/** Bring the shared databases' view indexes up to date after a start, before the first dashboard
 *  asks: they are on disk, so this folds in only what changed while the node was down (or builds
 *  an index whose design is new). Later changes are the background indexer's. */
async function warmViews(indexer: AutoIndexer) {
  for (const db of ['catalog', 'inventory', 'ops']) {
    await indexer.catchUp(db).catch(() => {
      /* not there yet (before init), or closing: the first change or query builds it */
    });
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''));
if (isMain) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx server/node/main.ts <node-config.json>');
    process.exit(2);
  }
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as NodeConfig;
  // A stray async failure inside PouchDB must not take the node down with every client on it.
  process.on('unhandledRejection', (e) => console.error(`[${cfg.name}] unhandled rejection`, e));
  // After an uncaught exception the node's state is unknown: exit, and let the supervisor start it clean.
  process.on('uncaughtException', (e) => {
    console.error(`[${cfg.name}] uncaught exception; exiting`, e);
    process.exit(70);
  });
  startNode(cfg).then(
    (n) => {
      console.log(`[${cfg.name}] listening on http://${cfg.host}:${cfg.port}`);
      // SEBARAN_MEMLOG=<ms>: the node's memory by kind, every so often (bench and leak hunting).
      const every = Number(process.env.SEBARAN_MEMLOG ?? 0);
      if (every > 0) {
        setInterval(() => {
          const m = process.memoryUsage();
          const mb = (x: number) => Math.round(x / 1048576);
          console.log(`[${cfg.name}] memory: rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} external ${mb(m.external)} buffers ${mb(m.arrayBuffers)} MB`);
        }, every).unref();
      }
      const stop = () => {
        // A store that will not close must not hold the process (and its port) for ever.
        setTimeout(() => process.exit(1), 5000).unref();
        void n.stop().then(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      // Started by a supervisor or a test: never outlive it as an orphan holding a port.
      const parent = process.ppid;
      if (process.env.SEBARAN_EXIT_WITH_PARENT) {
        setInterval(() => {
          if (process.ppid !== parent) stop();
        }, 1000).unref();
      }
    },
    (e) => {
      console.error(`[${cfg.name}] failed to start: ${e.message}`);
      process.exit(1);
    },
  );
}
