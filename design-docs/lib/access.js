// Who may write what, at which node. CONTEXT is filled in by `init`:
// { db, region (null in central's merged databases), central (the database is at central: the merged
//   ones and each region's own, ops-bdg), rule(type): { schema, writers, immutable, regional } or null }.
function validate(newDoc, oldDoc, userCtx, secObj, CONTEXT) {
  function fail(msg) { throw ({ forbidden: msg }); }
  var roles = userCtx.roles || [];
  function has(r) { return roles.indexOf(r) !== -1; }
  var region = CONTEXT.region;
  var deleting = newDoc._deleted === true;
  // A region's copy of the catalog at central (catalog-bdg): written by central's own lane only, so a
  // region's credential cannot park anything there that a rebuild of the region would bring back.
  var copyOfCatalog = CONTEXT.central && region !== null && CONTEXT.db === 'catalog';
  var COPY_ONLY = 'replicator: a region\'s copy of the catalog is written by central\'s lane only';
  var doc = deleting ? oldDoc : newDoc;
  if (deleting) {
    // A deletion is bare ({_id, _rev, _deleted}) or keeps the document as it was (PouchDB's
    // {...doc, _deleted: true}): never a body the kind's schema refuses, so no one parks data or
    // attachments in a tombstone.
    var bare = true;
    for (var key in newDoc) if (key !== '_id' && key !== '_rev' && key !== '_deleted' && key !== '_revisions') bare = false;
    if (!bare) {
      var kept = typeof newDoc.type === 'string' ? CONTEXT.rule(newDoc.type) : null;
      if (!kept) fail('_deleted: a deletion carries only _id and _rev, or the document as it was');
      var keptErrors = checkSchema(kept.schema, newDoc, newDoc.type);
      if (keptErrors.length) fail(keptErrors.join('; '));
      if (oldDoc && !oldDoc._deleted && oldDoc.type !== newDoc.type) fail('type: may not change from ' + oldDoc.type);
    }
  }
  if (!doc || (oldDoc && oldDoc._deleted && deleting)) {
    // A tombstone for something this node never held carries no data.
    if (has('_admin')) return;
    if (has('replicator')) {
      // In central's merged databases a region's lane brings only its own region's ids (kind:REGION:...):
      // another region's, or a catalog id, would reach every region from there.
      if (region === null && !has('region:' + String(newDoc._id).split(':')[1])) {
        fail('replicator: may only copy documents of its own region');
      }
      if (copyOfCatalog && !has('central-lanes')) fail(COPY_ONLY);
      return;
    }
    fail('There is nothing to delete.');
  }
  var type = doc.type;
  var rule = typeof type === 'string' ? CONTEXT.rule(type) : null;
  if (!rule) fail('type: ' + JSON.stringify(type) + ' is not a document kind of the ' + CONTEXT.db + ' database');
  if (!deleting) {
    var errors = checkSchema(rule.schema, newDoc, type);
    if (type === 'ledger' && newDoc.delta === 0) errors.push('ledger.delta: must not be zero');
    if (errors.length) fail(errors.join('; '));
    if (oldDoc && !oldDoc._deleted && oldDoc.type !== newDoc.type) fail('type: may not change from ' + oldDoc.type);
  }
  if (rule.regional) {
    if (region && doc.region_code !== region) {
      fail('region_code: this node holds only ' + region + ' documents, not ' + doc.region_code);
    }
    // Replication lanes select on the id (tombstones keep nothing else), so the id must name the region.
    if (!deleting && CONTEXT.db !== 'userdb' && newDoc._id.split(':')[1] !== newDoc.region_code) {
      fail('_id: must read ' + type + ':' + newDoc.region_code + ':..., matching region_code');
    }
    if (oldDoc && !oldDoc._deleted && !deleting && oldDoc.region_code !== newDoc.region_code) {
      fail('region_code: may not change; move the document to its new region explicitly');
    }
  }
  // Server admins (operators) may repair anything that is well-formed.
  if (has('_admin')) return;

  // Replication copies what the home writer already validated, but only within one region's lane.
  if (has('replicator')) {
    if (copyOfCatalog && !has('central-lanes')) fail(COPY_ONLY);
    if (rule.regional) {
      if (!has('region:' + doc.region_code)) fail('replicator: may only copy documents of its own region');
      return;
    }
    if (region === null) fail('replicator: catalog documents are written at central, not copied into it');
    return;
  }

  var members = (secObj && secObj.members && secObj.members.names) || [];
  var allowed = false;
  for (var i = 0; i < rule.writers.length; i++) {
    var w = rule.writers[i];
    // Central's own kinds (the catalog) in its merged databases; what it sends a region (a restock request)
    // in that region's own database at central, which the region pulls: nothing leaves the merged ones.
    if (w === 'central-admin' && CONTEXT.central && has('central-admin') && (rule.regional ? region !== null : region === null)) allowed = true;
    if (w === 'service' && region !== null && !CONTEXT.central && has('service') && has('region:' + region)) allowed = true;
    if (w === 'region-admin' && region !== null && !CONTEXT.central && has('region-admin') && has('region:' + region)) allowed = true;
    if (w === 'shopper' && CONTEXT.db === 'userdb' && userCtx.name && members.indexOf(userCtx.name) !== -1 &&
        !has('service')) allowed = true;
  }
  if (!allowed) {
    if (CONTEXT.central && region === null && rule.regional && has('central-admin') && rule.writers.indexOf('central-admin') !== -1) {
      fail(type + ': write it into ' + CONTEXT.db + '-' + String(doc.region_code).toLowerCase() + ', the region\'s own database at central, which the region pulls');
    }
    if (!userCtx.name) throw ({ unauthorized: 'Sign in to write ' + type + ' documents.' });
    fail(type + ': ' + userCtx.name + ' may not write this kind of document here');
  }
  // Ids the service derives (a sale's ledger entry, ...) are the service's alone: taken by anyone
  // else first, they would make the service's own write a conflict that looks like work already done.
  if (rule.serviceIds && !has('service') && new RegExp(rule.serviceIds).test(doc._id)) {
    fail('_id: ' + doc._id + ' is in a namespace only the region service writes');
  }
  if (rule.immutable && oldDoc && !oldDoc._deleted) fail(type + ': is immutable once written; add a new one instead');

  // Field rules that depend on who writes.
  if (!deleting && has('region-admin') && !has('service')) {
    if (newDoc.by !== userCtx.name) fail(type + '.by: must be your own user name (' + userCtx.name + ')');
    if (type === 'ledger' && (newDoc.reason !== 'receive' || newDoc.delta <= 0)) {
      fail('ledger: a regional admin records only goods received (reason receive, positive delta); counts go through a request');
    }
    if (type === 'admin_request' && newDoc.kind === 'restock') fail('admin_request: restock requests come from central');
  }
  if (!deleting && type === 'admin_request' && newDoc.kind === 'restock' && newDoc.warehouse_id !== undefined &&
      newDoc.warehouse_id.split(':')[1] !== newDoc.region_code) {
    fail('admin_request.warehouse_id: must be a warehouse of ' + newDoc.region_code);
  }
  if (!deleting && type === 'admin_request' && has('central-admin')) {
    if (newDoc.kind !== 'restock') fail('admin_request: central asks regions only for restocks');
    if (newDoc.by !== userCtx.name) fail('admin_request.by: must be your own user name (' + userCtx.name + ')');
  }
}
