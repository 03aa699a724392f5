// Orders that count as sales, by region and day in Asia/Jakarta (UTC+7, no DST).
function (doc) {
  if (doc.type !== 'order' || doc.status === 'canceled') return;
  var day = new Date(Date.parse(doc.created_at) + 7 * 3600 * 1000).toISOString().slice(0, 10);
  emit([doc.region_code, day], doc.total);
}
