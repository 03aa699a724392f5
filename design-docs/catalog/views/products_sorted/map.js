// Products in three orders, over the whole catalog ('all') and per category (its id), so the admin
// lists page by key: [scope, 'name', name, sku], [scope, 'sku', sku], [scope, 'price', price, name].
function (doc) {
  if (doc.type !== 'product') return;
  var name = String(doc.name).toLowerCase();
  var scopes = ['all', doc.category_id];
  for (var i = 0; i < scopes.length; i++) {
    emit([scopes[i], 'name', name, doc.sku], null);
    emit([scopes[i], 'sku', doc.sku], null);
    emit([scopes[i], 'price', doc.price, name], null);
  }
}
