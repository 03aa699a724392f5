// The order list, newest first by querying descending: [region, created_at].
function (doc) {
  if (doc.type === 'order') emit([doc.region_code, doc.created_at], { status: doc.status, total: doc.total, user: doc.user_name });
}
