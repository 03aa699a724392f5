// Where the views live, for the app, the services, the nodes' setup and the tests. Every view of a
// database shares `_design/sebaran`, one index file, built in one pass over the database (the region
// nodes' ledger fold, which only the service reads, is server/design.ts's `_design/ledger`). The best
// sellers (product_sales) had one of their own while they were read from every order's lines: Apache
// CouchDB reads an index file through one process, and that slow read held up the overview's other
// queries (a probe at 100,000 orders, the four together, p95: one file 286-361 ms, apart 190-192 ms).
// They now read the sales tallies, one row a warehouse item, a few milliseconds; a design document of
// their own would only cost a second pass over every order when the indexes are built. A view that
// must not wait on the others would get a design document of its own again.
export const MAIN_DESIGN = 'sebaran';

/** Design documents an earlier version made and `init` removes, per database kind (names without `_design/`). */
export const RETIRED_DESIGNS: Readonly<Record<string, readonly string[]>> = { ops: ['product-sales'] };

/** The path of a view of database `dbName`, e.g. viewPath('ops', 'product_sales'). */
export function viewPath(dbName: string, view: string): string {
  return `/${dbName}/_design/${MAIN_DESIGN}/_view/${view}`;
}
