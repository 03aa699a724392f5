// `npm run test:couchdb`: every integration and end-to-end test again, with
// each throwaway node an Apache CouchDB 3 process instead of the embedded node.
// The release comes from SEBARAN_COUCHDB, else the cache `.ci/run` builds into.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

const release = process.env.SEBARAN_COUCHDB || join(homedir(), '.cache', 'sebaran', 'couchdb-3.4.3');
if (!existsSync(join(release, 'bin', 'couchdb'))) {
  console.error(
    `No Apache CouchDB release at ${release}.\n` +
      'Point SEBARAN_COUCHDB at one (a directory with bin/couchdb), or build one with\n' +
      '  ../shared/tools/build-couchdb ../shared/vendor/apache-couchdb-3.4.3-with-deps.tar.gz ~/.cache/sebaran/couchdb-3.4.3',
  );
  process.exit(2);
}
const env = { ...process.env, SEBARAN_COUCHDB: release };
const extra = process.argv.slice(2);
console.log(`CouchDB pass: ${release}`);
// SEBARAN_COUCHDB_PART=vitest or =e2e runs one half (CI runs the end-to-end half beside the soaks).
const part = process.env.SEBARAN_COUCHDB_PART;
if (part && part !== 'vitest' && part !== 'e2e') {
  console.error(`SEBARAN_COUCHDB_PART must be vitest or e2e, not ${part}`);
  process.exit(2);
}
const parts = [
  ['vitest', 'npx', ['vitest', 'run', 'tests/integration', 'tests/conformance', 'tests/redteam', ...extra]],
  ['e2e', 'npx', ['playwright', 'test']],
] as const;
for (const [, cmd, args] of parts.filter(([name]) => !part || name === part)) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
