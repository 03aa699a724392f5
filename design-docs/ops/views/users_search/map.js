// Search shoppers by word prefix: every distinct word (lower case) of the account name, the full name
// and the e-mail address, and the account name whole. Value: [region, name, full name, e-mail].
function (doc) {
  if (doc.type !== 'user') return;
  var name = String(doc.name).toLowerCase();
  var full = String(doc.full_name || '').toLowerCase();
  var email = String(doc.email || '').toLowerCase();
  // The same cut as words() in src/lib/sync/word-search.ts.
  var words = (name + ' ' + full + ' ' + email).split(/[\s.,;:!?()\/&+"'@_\-]+/);
  words.push(name);
  var seen = {};
  for (var i = 0; i < words.length; i++) {
    var w = words[i];
    if (!w || seen[w]) continue;
    seen[w] = true;
    emit(w, [doc.region_code, doc.name, full, email]);
  }
}
