// Units and revenue per product and region (key [product, region]); value [units, revenue], net of
// cancels. Read from the sales tallies (one per warehouse item, written by the region service from
// the ledger fold), not from the orders: on Apache CouchDB a grouped read costs about 1 ms a group
// whatever the size of the index, and over a million orders' lines the overview's best sellers took
// 231 ms at p95 for 200 products; over one row an item the whole index is a few nodes.
// Product first: the best sellers across regions are group_level=1, and a product's split by region
// is one range.
function (doc) {
  if (doc.type !== 'sales_tally') return;
  emit([doc.product_id, doc.region_code], [doc.units, doc.revenue]);
}
