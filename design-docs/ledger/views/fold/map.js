// The stock fold (src/lib/model/stock.ts foldLedger), kept by the node: key [region, stock id],
// value [delta, 1], so a grouped _sum is [quantity, entries folded]. Only entries the fold takes.
function (doc) {
  if (doc.type !== 'ledger' || typeof doc.region_code !== 'string' || typeof doc.stock_id !== 'string') return;
  if (typeof doc.delta !== 'number' || doc.delta % 1 !== 0) return;
  emit([doc.region_code, doc.stock_id], [doc.delta, 1]);
}
