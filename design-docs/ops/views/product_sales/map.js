// Units and revenue per product (key [region, product]); value [units, revenue].
function (doc) {
  if (doc.type !== 'order' || doc.status === 'canceled') return;
  for (var i = 0; i < doc.items.length; i++) {
    emit([doc.region_code, doc.items[i].product_id], [doc.items[i].qty, doc.items[i].subtotal]);
  }
}
