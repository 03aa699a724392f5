// One region service as its own process: `npm run service -- BDG`.
// Works against the node the topology names (embedded or Apache CouchDB).
import { loadSecrets, loadTopology, regionOf } from '../config.ts';
import { RegionService } from './service.ts';

const code = (process.argv[2] ?? '').toUpperCase();
if (!code) {
  console.error('usage: npm run service -- <REGION CODE>');
  process.exit(2);
}
const t = loadTopology();
const secrets = loadSecrets(t);
const region = regionOf(t, code);
const service = new RegionService({
  region: code, url: region.url, admin: secrets.regions[code].admin, service: secrets.regions[code].service,
  log: (l) => console.log(l),
  // Tests shorten the sweep for unannounced changes (sweep.ts) so they need not wait a minute.
  ...(Number(process.env.SEBARAN_SWEEP_MS) > 0 ? { sweepMs: Number(process.env.SEBARAN_SWEEP_MS) } : {}),
});
process.on('unhandledRejection', (e) => console.error(`[${code}] unhandled rejection`, e));
const stop = () => service.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const parent = process.ppid;
if (process.env.SEBARAN_EXIT_WITH_PARENT) setInterval(() => process.ppid !== parent && stop(), 1000).unref();

async function run() {
  for (let attempt = 1; ; attempt++) {
    try {
      await service.start();
      return;
    } catch (e) {
      // The node may still be starting, or be away: keep trying, loudly.
      console.error(`[${code}] service cannot start yet (${(e as Error).message}); retrying`);
      await new Promise((r) => setTimeout(r, Math.min(1000 * attempt, 10_000)));
    }
  }
}
void run();
