// A shopper's order history: [region, user, created_at].
function (doc) {
  if (doc.type === 'order') emit([doc.region_code, doc.user_name, doc.created_at], { status: doc.status, total: doc.total, user: doc.user_name });
}
