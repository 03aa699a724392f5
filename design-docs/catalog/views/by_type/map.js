function (doc) {
  if (doc.type) emit([doc.type, doc.region_code || null], 1);
}
