// Which design document holds each view, for the app, the services, the nodes' setup and the tests.
// Every view shares `_design/sebaran`, one index file, built in one pass over the database. The best
// sellers (product_sales) had one of their own while they were read from every order's lines: Apache
// CouchDB reads an index file through one process, and that slow read held up the overview's other
// queries (a probe at 100,000 orders, the four together, p95: one file 286-361 ms, apart 190-192 ms).
// They now read the sales tallies, one row a warehouse item, a few milliseconds; a design document of
// their own would only cost a second pass over every order when the indexes are built.
export const MAIN_DESIGN = 'sebaran';

/** view name -> its own design document's name, per database kind: none today (see above). */
export const OWN_DESIGN: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

/** Design documents an earlier version made and `init` removes, per database kind (names without `_design/`). */
export const RETIRED_DESIGNS: Readonly<Record<string, readonly string[]>> = { ops: ['product-sales'] };

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
