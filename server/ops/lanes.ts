// The replication lanes (docs/design.md section 3) and the databases they
// reach. A region's credential reaches only its own region's data anywhere:
// at central, a region's lanes end in databases of its own (`ops-bdg`,
// `inventory-bdg`) that only its replication account and central's lane
// account may read; central's own lanes (central's `_replicator`, node-local)
// merge each region's share into `ops`/`inventory`, which the dashboards read.
// The region still drives its own lanes, so it resumes by itself.
import type { Credentials } from '../couch-client.ts';
import type { Secrets } from '../config.ts';
import type { RegionSpec, Topology } from '../../src/lib/model/topology.ts';

/** The databases a region shares with central (catalog is central's own, pulled by every region). */
export const REGIONAL_DBS = ['inventory', 'ops'] as const;
export type RegionalDb = (typeof REGIONAL_DBS)[number];

/** A region's own database at central: `ops-bdg`, `inventory-bdg`. */
export const centralDbOf = (db: RegionalDb, code: string) => `${db}-${code.toLowerCase()}`;

/** Every regional document id reads `<kind>:<REGION>:...` (checked by the write rules). */
export const regionSelector = (code: string) => ({ _id: { $regex: `^[a-z_]+:${code}:` } });

const CATALOG_SELECTOR = { _id: { $regex: '^(category|product):' } };

function endpoint(base: string, db: string, who: Credentials) {
  return { url: `${base.replace(/\/+$/, '')}/${db}`, auth: { basic: { username: who.name, password: who.password } } };
}

// Selectors match on _id, not on body fields: a deletion's tombstone keeps only _id, and it must
// travel the same lane as the document did. They also keep design documents off every lane.
const lane = (id: string, source: object, target: object, selector: object, extra: object = {}) => ({
  _id: id, source, target, selector, continuous: true, owner: 'sebaran-init', ...extra,
});

/**
 * Central's own lanes never cross the network: a silence there is a node in trouble (in a cluster, a
 * member gone mid-request), not a slow link, so they keep CouchDB's default of 30 s instead of the 45 s
 * that local.ini gives the lanes across the WAN. A job that gives up is restarted by CouchDB only after
 * a back-off of 30 s, so each second here counts.
 */
const NODE_LOCAL = { connection_timeout: 30000 };

/** The lanes a region node drives (its `_replicator`), with its replication account on both ends. */
export function replicationDocs(t: Topology, region: RegionSpec, secrets: Secrets) {
  const repl = secrets.regions[region.code].replicator;
  const central = (db: string) => endpoint(t.central.url, db, repl);
  const here = (db: string) => endpoint(region.url, db, repl);
  const own = regionSelector(region.code);
  return [
    lane('sebaran-catalog-pull', central('catalog'), here('catalog'), CATALOG_SELECTOR),
    ...REGIONAL_DBS.flatMap((db) => [
      lane(`sebaran-${db}-pull`, central(centralDbOf(db, region.code)), here(db), own),
      lane(`sebaran-${db}-push`, here(db), central(centralDbOf(db, region.code)), own),
    ]),
  ];
}

/**
 * Central's node-local lanes, with central's lane account: each region's database into the merged one
 * (what the region sent) and the merged one back into the region's (what central wrote for the region,
 * e.g. a restock request). They never cross the network, so a region away for long costs them nothing.
 */
export function centralLaneDocs(t: Topology, secrets: Secrets) {
  const acct = secrets.central.replicator;
  const at = (db: string) => endpoint(t.central.url, db, acct);
  return t.regions.flatMap((r) =>
    REGIONAL_DBS.flatMap((db) => {
      const own = centralDbOf(db, r.code);
      const lc = r.code.toLowerCase();
      return [
        lane(`sebaran-${lc}-${db}-in`, at(own), at(db), regionSelector(r.code), NODE_LOCAL),
        lane(`sebaran-${lc}-${db}-out`, at(db), at(own), regionSelector(r.code), NODE_LOCAL),
      ];
    }),
  );
}
