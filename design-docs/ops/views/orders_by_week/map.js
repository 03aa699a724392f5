// Orders that count as sales, by region and week (the Monday it starts, Asia/Jakarta).
function (doc) {
  if (doc.type !== 'order' || doc.status === 'canceled') return;
  var t = Date.parse(doc.created_at) + 7 * 3600 * 1000;
  var dow = (new Date(t).getUTCDay() + 6) % 7;
  var monday = new Date(t - dow * 86400000).toISOString().slice(0, 10);
  emit([doc.region_code, monday], doc.total);
}
