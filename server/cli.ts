// The operator's CLI. Works against any CouchDB 3 URLs the topology names
// (embedded or Apache CouchDB): `npm run sebaran -- <command>`.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSecrets, loadTopology, projectRoot } from './config.ts';
import { initAll } from './ops/init.ts';
import { isSeeded, seed } from './ops/seed.ts';
import { defaultDemoOptions } from './ops/demo-data.ts';
import { clusterStatus, formatStatus } from './ops/status.ts';
import { rebuildRegion } from './ops/rebuild.ts';
import { deleteShopper } from './region/accounts.ts';
import { regionOf } from './config.ts';
import { RegionSpec, Topology } from '../src/lib/model/topology.ts';
import { join } from 'node:path';

const HELP = `Sebaran operator CLI

Usage: npm run sebaran -- <command> [options]

Commands:
  init                         create databases, _security, design docs, accounts and replications on every node (idempotent)
  seed [--orders N] [--products N] [--users N] [--seed N] [--force]
                               load the demo data (once, unless --force); --scale N = N orders in total across regions
  status [--json]              every node up or down; every replication's state, pending changes and last error
  add-region --code C --name N --url U --warehouse CODE:Name:City:min-max [--warehouse ...]
                               add a region to the topology file, then init
  rebuild-region <CODE>        empty a region node's shared databases and refill them from central; put its
                               shopper accounts and databases back from central's backup
  delete-shopper <CODE> <NAME> delete a shopper account, its database and its backup (a later account of the
                               same name starts empty); its orders stay in ops

Environment: SEBARAN_TOPOLOGY (topology file), SEBARAN_SECRETS (secrets file), SEBARAN_DATA (data dir).`;

const log = (l: string) => console.log(l);

async function main(argv: string[]) {
  const [cmd, ...rest] = argv;
  const topologyPath = process.env.SEBARAN_TOPOLOGY ?? join(projectRoot, 'couchdb', 'topology.json');
  switch (cmd) {
    case 'init': {
      const t = loadTopology(topologyPath);
      await initAll(t, loadSecrets(t), log);
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({
        args: rest,
        options: {
          orders: { type: 'string' }, scale: { type: 'string' }, products: { type: 'string' }, users: { type: 'string' },
          seed: { type: 'string' }, force: { type: 'boolean' }, 'no-photos': { type: 'boolean' },
        },
      });
      const t = loadTopology(topologyPath);
      const secrets = loadSecrets(t);
      if (!values.force && (await isSeeded(t, secrets))) {
        log('Demo data is already loaded (use --force to load another set).');
        return 0;
      }
      const o = defaultDemoOptions();
      const num = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`);
        return n;
      };
      o.ordersPerRegion = num(values.orders, 'orders') ?? o.ordersPerRegion;
      const scale = num(values.scale, 'scale');
      if (scale !== undefined) o.ordersPerRegion = Math.ceil(scale / t.regions.length);
      o.products = num(values.products, 'products') ?? o.products;
      o.usersPerRegion = num(values.users, 'users') ?? o.usersPerRegion;
      o.seed = num(values.seed, 'seed') ?? o.seed;
      if (values['no-photos']) o.photos = false;
      await seed(t, secrets, o, log);
      return 0;
    }
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const t = loadTopology(topologyPath);
      const s = await clusterStatus(t, loadSecrets(t));
      log(values.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      return s.every((n) => n.up) ? 0 : 1;
    }
    case 'add-region': {
      const { values } = parseArgs({
        args: rest,
        options: { code: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, warehouse: { type: 'string', multiple: true } },
      });
      const warehouses = (values.warehouse ?? []).map((w) => {
        const [code, name, city, days] = w.split(':');
        const [min, max] = (days ?? '').split('-').map(Number);
        return { code, name, city, delivery_days: { min, max } };
      });
      const spec = RegionSpec.safeParse({ code: values.code, name: values.name, url: values.url, warehouses });
      if (!spec.success) {
        throw new Error(`The new region is not valid: ${spec.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      }
      const raw = JSON.parse(readFileSync(topologyPath, 'utf8'));
      if (raw.regions.some((r: { code: string }) => r.code === spec.data.code)) throw new Error(`Region ${spec.data.code} is already in ${topologyPath}`);
      raw.regions.push(spec.data);
      const t = Topology.parse(raw);
      writeFileSync(topologyPath, JSON.stringify(raw, null, 2) + '\n');
      log(`Added ${spec.data.code} to ${topologyPath}. Initialising…`);
      await initAll(t, loadSecrets(t), log);
      return 0;
    }
    case 'rebuild-region': {
      const code = rest[0];
      if (!code) throw new Error('rebuild-region needs a region code, e.g. rebuild-region BDG');
      const t = loadTopology(topologyPath);
      await rebuildRegion(t, loadSecrets(t), code.toUpperCase(), log);
      return 0;
    }
    case 'delete-shopper': {
      const [code, name] = rest;
      if (!code || !name) throw new Error('delete-shopper needs a region code and a shopper name, e.g. delete-shopper BDG sari.bdg');
      const t = loadTopology(topologyPath);
      const r = await deleteShopper(regionOf(t, code.toUpperCase()).url, loadSecrets(t).regions[code.toUpperCase()].admin, name);
      if (!r.ok) throw new Error(r.reason);
      log(`Deleted ${name} at ${code.toUpperCase()}: account ${r.removed.account ? 'removed' : 'already gone'}, database ${r.removed.db ? 'removed' : 'already gone'}, ${r.removed.backup} backup record(s) removed.`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      log(HELP);
      return 0;
    default:
      console.error(`Unknown command '${cmd}'.\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  },
);
