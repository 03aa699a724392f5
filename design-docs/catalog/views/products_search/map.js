// Search by word prefix: every distinct word of a product's name and SKU (lower case) is a key;
// the value carries what a result list filters and sorts on: [name, sku, category_id, price].
function (doc) {
  if (doc.type !== 'product') return;
  var name = String(doc.name).toLowerCase();
  var sku = String(doc.sku).toLowerCase();
  // The same cut as words() in src/lib/sync/word-search.ts.
  var words = (name + ' ' + sku).split(/[\s.,;:!?()\/&+"'@_\-]+/);
  words.push(sku);
  var seen = {};
  for (var i = 0; i < words.length; i++) {
    var w = words[i];
    if (!w || seen[w]) continue;
    seen[w] = true;
    emit(w, [name, doc.sku, doc.category_id, doc.price]);
  }
}
