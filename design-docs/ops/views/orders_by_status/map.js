// The order list filtered by status: [region, status, created_at].
function (doc) {
  if (doc.type === 'order') emit([doc.region_code, doc.status, doc.created_at], { status: doc.status, total: doc.total, user: doc.user_name });
}
