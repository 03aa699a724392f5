// Shoppers' profiles in two orders, in their region and over every region ('all', at central):
// [scope, 'name', name] and [scope, 'joined', created_at, name]. Lists page by key.
function (doc) {
  if (doc.type !== 'user') return;
  var scopes = [doc.region_code, 'all'];
  for (var i = 0; i < scopes.length; i++) {
    emit([scopes[i], 'name', doc.name], null);
    emit([scopes[i], 'joined', doc.created_at, doc.name], null);
  }
}
