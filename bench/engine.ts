// `--engine embedded|couchdb`: which engine the bench's throwaway clusters run.
// Set before any cluster starts; node processes (and child processes) read it from the environment.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { engineName } from '../server/cluster.ts';

export const DEFAULT_RELEASE = '/root/.cache/sebaran/couchdb-3.4.3';

export function chooseEngine(argv: string[]): 'embedded' | 'couchdb' {
  const i = argv.indexOf('--engine');
  const wanted = i > 0 ? argv[i + 1] : engineName();
  if (wanted === 'embedded') {
    delete process.env.SEBARAN_COUCHDB;
    return 'embedded';
  }
  if (wanted !== 'couchdb') throw new Error(`--engine must be embedded or couchdb, not ${JSON.stringify(wanted)}`);
  const release = process.env.SEBARAN_COUCHDB || DEFAULT_RELEASE;
  if (!existsSync(join(release, 'bin', 'couchdb'))) {
    throw new Error(`--engine couchdb needs an Apache CouchDB release: none at ${release} (set SEBARAN_COUCHDB, or build one with ../shared/tools/build-couchdb)`);
  }
  process.env.SEBARAN_COUCHDB = release;
  return 'couchdb';
}
