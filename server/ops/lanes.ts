// The replication lanes (docs/design.md section 3) and the databases they
// reach. A region's credential reaches only its own region's data anywhere:
// at central, a region's lanes end in databases of its own (`ops-bdg`,
// `inventory-bdg`, `catalog-bdg`) that only its replication account and
// central's lane account may read; central's own lanes (central's
// `_replicator`, node-local) merge each region's share into `ops`/`inventory`,
// which the dashboards read, and copy the catalog into each region's
// `catalog-<code>`. A region pulls that copy, not the catalog itself: whoever
// may read a database may write `_local` documents into it, and a region that
// could reach the shared catalog could rewrite another region's checkpoint
// there and make its lane skip changes.
// Central writes what it sends a region into that region's database, never
// into the merged ones, so no lane reads the merged feeds: central's cost per
// region stays flat as regions are added. The region drives its own lanes,
// so it resumes by itself.
import type { Credentials } from '../couch-client.ts';
import type { Secrets } from '../config.ts';
import type { RegionSpec, Topology } from '../../src/lib/model/topology.ts';

import { REGIONAL_DBS, centralDbOf } from '../../src/lib/model/topology.ts';
export { REGIONAL_DBS, centralDbOf, type RegionalDb } from '../../src/lib/model/topology.ts';

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
    lane('sebaran-catalog-pull', central(centralDbOf('catalog', region.code)), here('catalog'), CATALOG_SELECTOR),
    ...REGIONAL_DBS.flatMap((db) => [
      lane(`sebaran-${db}-pull`, central(centralDbOf(db, region.code)), here(db), own),
      lane(`sebaran-${db}-push`, here(db), central(centralDbOf(db, region.code)), own),
    ]),
  ];
}

/**
 * Central's node-local lanes, with central's lane account: each region's database into the merged one
 * (what the region sent, and what central wrote there for the region), then the catalog into each
 * region's copy. They never cross the network, so a region away for long costs them nothing. Nothing
 * flows back out of the merged databases: each such lane would read the whole merged feed, once per
 * region. The catalog's feed is read once per region, as the regions' own pulls of it did before.
 */
export function centralLaneDocs(t: Topology, secrets: Secrets) {
  const acct = secrets.central.replicator;
  const at = (db: string) => endpoint(t.central.url, db, acct);
  const code = (r: RegionSpec) => r.code.toLowerCase();
  return [
    ...t.regions.flatMap((r) =>
      REGIONAL_DBS.map((db) => lane(`sebaran-${code(r)}-${db}-in`, at(centralDbOf(db, r.code)), at(db), regionSelector(r.code), NODE_LOCAL)),
    ),
    ...t.regions.map((r) => lane(`sebaran-${code(r)}-catalog-out`, at('catalog'), at(centralDbOf('catalog', r.code)), CATALOG_SELECTOR, NODE_LOCAL)),
  ];
}

/** Lanes earlier versions declared at central and `init` now removes: merged -> region's database. */
export const RETIRED_CENTRAL_LANE = /^sebaran-[a-z0-9]+-(ops|inventory)-out$/;
