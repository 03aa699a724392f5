// The stock fold (src/lib/model/stock.ts foldLedger), kept by the node: key [region, stock id],
// value [delta, 1, units sold, revenue], so a grouped _sum is [quantity, entries folded, units, revenue].
// Only entries the fold takes; sales and cancels count as sold (salesOf in stock.ts).
function (doc) {
  if (doc.type !== 'ledger' || typeof doc.region_code !== 'string' || typeof doc.stock_id !== 'string') return;
  if (typeof doc.delta !== 'number' || doc.delta % 1 !== 0) return;
  var sold = doc.reason === 'sale' || doc.reason === 'cancel';
  var amount = sold && typeof doc.amount === 'number' ? doc.amount : 0;
  emit([doc.region_code, doc.stock_id], [doc.delta, 1, sold ? -doc.delta : 0, doc.reason === 'cancel' ? -amount : amount]);
}
