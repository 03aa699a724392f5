// Which design document holds each view, for the app, the services, the nodes' setup and the tests.
// Most views share `_design/sebaran`, one index file. The best sellers (product_sales) have one of their
// own: Apache CouchDB reads an index file through one process, so the overview's four queries on one
// file waited for each other. A probe at 100,000 orders (with couchdb/local.ini's btree_chunk_size),
// the four together, p50 / p95: one file 245-269 / 286-361 ms; product_sales apart 172-174 / 190-192 ms;
// each of the three overview views apart 197-220 / 260 ms (four queries on two cores contend, and each
// design document is one more pass of the index builder: 110 s to build at that size, against 59 s).
export const MAIN_DESIGN = 'sebaran';

/** view name -> its own design document's name, per database kind. */
export const OWN_DESIGN: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ops: { product_sales: 'product-sales' },
};

/** The design document (name, without `_design/`) that holds `view` in a database of kind `db`. */
export function designOf(db: string, view: string): string {
  return OWN_DESIGN[db]?.[view] ?? MAIN_DESIGN;
}

/** A database's kind from its name: `ops-bdg` (a region's copy at central) is an `ops` database. */
export const dbKindOf = (dbName: string) => dbName.replace(/-[a-z0-9]+$/, '');

/** The path of a view of database `dbName`, e.g. viewPath('ops', 'product_sales'). */
export function viewPath(dbName: string, view: string): string {
  return `/${dbName}/_design/${designOf(dbKindOf(dbName), view)}/_view/${view}`;
}
