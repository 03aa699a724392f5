// Loads the demo data: the catalog at central, each region's documents at
// that region's own node (as its service account), from where replication
// carries them to central, as in real life.
import { Couch, isNodeFailure } from '../couch-client.ts';
import { DEMO, type Secrets } from '../config.ts';
import type { Topology } from '../../src/lib/model/topology.ts';
import { generateDemo, type DemoOptions } from './demo-data.ts';
import { ulid } from '../../src/lib/model/ids.ts';
import type { Log } from './init.ts';
import { hashPasswordAsync } from '../node/auth.ts';

/** The embedded node's own count for the accounts it hashes (store.ts); within CouchDB's default bounds. */
const DEMO_ITERATIONS = 10_000;

export const SEED_MARKER = '_local/sebaran-seed';
const BATCH = 1000;

export async function isSeeded(t: Topology, secrets: Secrets) {
  return (await new Couch(t.central.url, secrets.admin).getDoc('catalog', SEED_MARKER)) !== null;
}

/** Per-document errors that say the node ran out of time or failed, not that it refused the document. */
const TRANSIENT = new Set(['os_process_error', 'timeout', 'unknown_error', 'internal_server_error']);
const ATTEMPTS = 6;

/**
 * Writes one batch; what the node failed to take (its write rules ran out of time on a starved
 * machine, the node restarted) is written again after a pause. A retried document the node reports
 * as a conflict was written by the attempt whose answer was lost. A refusal ends the seed.
 */
export async function writeBatch(node: Couch, db: string, batch: any[], label: string, log: Log) {
  let left = batch;
  for (let attempt = 1; ; attempt++) {
    let res: any[] | null = null;
    try {
      res = (await node.ok('POST', `/${db}/_bulk_docs`, { docs: left })) as any[];
    } catch (e) {
      if (!isNodeFailure(e) || attempt >= ATTEMPTS) throw e;
      log(`  ${label}: ${(e as Error).message}; writing the batch again`);
    }
    let failed = left;
    if (res) {
      const refused = res.filter((r) => r.error && !TRANSIENT.has(r.error) && !(attempt > 1 && r.error === 'conflict'));
      if (refused.length) throw new Error(`${db}: ${refused.length} document(s) refused, first: ${refused[0].id}: ${refused[0].reason}`);
      failed = left.filter((_, i) => TRANSIENT.has(res![i].error));
      if (!failed.length) return;
      log(`  ${label}: the node did not take ${failed.length} document(s) (${res.find((r) => r.error)?.reason}); writing them again`);
    }
    if (attempt >= ATTEMPTS) throw new Error(`${db}: ${failed.length} document(s) not taken after ${ATTEMPTS} attempts`);
    left = failed;
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
  }
}

/**
 * Writes `docs` in batches, `inFlight` at a time (two keep a node busy while the next batch is
 * encoded and sent), saying how far it is.
 */
export async function load(node: Couch, db: string, docs: unknown[], label: string, log: Log, inFlight = 1) {
  let next = 0;
  let done = 0;
  // A batch that fails ends the load: the other writers stop at their next batch.
  let failed = false;
  const worker = async () => {
    while (next < docs.length && !failed) {
      const batch = docs.slice(next, next + BATCH);
      next += BATCH;
      try {
        await writeBatch(node, db, batch, label, log);
      } catch (e) {
        failed = true;
        throw e;
      }
      done += batch.length;
      if (docs.length > BATCH) log(`  ${label}: ${done}/${docs.length}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (docs.length <= BATCH) log(`  ${label}: ${docs.length}`);
}

export async function seed(t: Topology, secrets: Secrets, o: DemoOptions, log: Log = () => {}) {
  const started = Date.now();
  log(`seed: generating (seed ${o.seed}, ${o.products} products, ${o.usersPerRegion} users and ${o.ordersPerRegion} orders per region)`);
  const data = generateDemo(t, o);
  // Every demo shopper has the same published password: hashed here once (CouchDB's pbkdf2/sha256 scheme,
  // the embedded node's count), not once per account by the node: Apache CouchDB spends a fifth of a
  // second of CPU on each at its 600,000 iterations, about 30 s of a first start. A password printed on
  // the start screen gains nothing from more iterations or its own salt. Real sign-ups are hashed by the node.
  const demoCredentials = await hashPasswordAsync(DEMO.shopperPassword, DEMO_ITERATIONS);
  const central = new Couch(t.central.url, secrets.admin);
  await load(central, 'catalog', data.catalog, 'catalog at central', log);
  for (const r of t.regions) {
    const d = data.regions[r.code];
    const admin = new Couch(r.url, secrets.regions[r.code].admin);
    const service = admin.as(secrets.regions[r.code].service);
    await load(
      admin, '_users',
      // The demo accounts are as old as their history: their ids' time precedes every seeded order.
      d.accounts.map((a) => ({ _id: `org.couchdb.user:${a.name}`, type: 'user', name: a.name, roles: [], ...demoCredentials, account_id: ulid(o.anchor.getTime() - (o.days + 400) * 86_400_000) })),
      `${r.code} shopper accounts`, log,
    );
    await load(service, 'inventory', d.inventory, `${r.code} warehouses and stock`, log);
    await load(service, 'ops', d.ops, `${r.code} users, orders and ledger`, log);
  }
  const counts = {
    catalog: data.catalog.length,
    regions: Object.fromEntries(Object.entries(data.regions).map(([k, v]) => [k, { inventory: v.inventory.length, ops: v.ops.length }])),
  };
  await central.ok('PUT', `/catalog/${SEED_MARKER}`, { at: new Date().toISOString(), options: { ...o, anchor: o.anchor.toISOString() }, counts });
  log(`seed: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return data;
}
