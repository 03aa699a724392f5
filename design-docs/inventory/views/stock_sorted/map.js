// Stock rows in three orders (SKU, quantity, region), over every region ('all'), one region ('R:BDG')
// and one warehouse ('W:<id>'); each scope again with a 'low|' prefix for rows that are low or out
// (quantity <= 0 or <= low_threshold, as stockStatus in src/lib/model/stock.ts); and one product's
// rows by region ('P:<product id>'). The value is the quantity: the `_stats` reduce gives a range's
// row count and the units it holds.
function (doc) {
  if (doc.type !== 'warehouse_item') return;
  var sku = doc.product_id.slice('product:'.length);
  var q = doc.quantity;
  var low = q <= 0 || q <= doc.low_threshold;
  var scopes = ['all', 'R:' + doc.region_code, 'W:' + doc.warehouse_id];
  if (low) scopes = scopes.concat(['low|all', 'low|R:' + doc.region_code, 'low|W:' + doc.warehouse_id]);
  for (var i = 0; i < scopes.length; i++) {
    emit([scopes[i], 'sku', sku, doc.region_code, doc.warehouse_id], q);
    emit([scopes[i], 'qty', q, sku, doc.warehouse_id], q);
    emit([scopes[i], 'region', doc.region_code, doc.warehouse_id, sku], q);
  }
  emit(['P:' + doc.product_id, 'region', doc.region_code, doc.warehouse_id], q);
}
