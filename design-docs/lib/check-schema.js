// A small JSON Schema checker (the subset zod's toJSONSchema emits), in ES5
// so it runs in every CouchDB JavaScript engine (SpiderMonkey, QuickJS).
// Returns a list of "path: problem" strings; empty means valid.
function checkSchema(schema, value, path) {
  var errors = [];
  function typeOf(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    return typeof v;
  }
  // `actual` is typeOf(v), worked out once per value by walk (this runs for every field of every write).
  function typeOk(t, v, actual) {
    if (t === 'integer') return actual === 'number' && Math.floor(v) === v && isFinite(v);
    if (t === 'number') return actual === 'number' && isFinite(v);
    return actual === t;
  }
  function walk(s, v, p) {
    var i, k;
    if (!s || typeof s !== 'object') return;
    var tv = typeOf(v);
    if (s.oneOf || s.anyOf) {
      var branches = s.oneOf || s.anyOf;
      var best = null;
      for (i = 0; i < branches.length; i++) {
        var errs = checkSchema(branches[i], v, p);
        if (errs.length === 0) return;
        // Prefer the branch whose discriminating constant matched: its errors are the useful ones.
        var score = 0;
        var props = branches[i].properties || {};
        for (k in props) if (props[k] && props[k].const !== undefined && v && v[k] === props[k].const) score++;
        if (!best || score > best.score) best = { score: score, errs: errs };
      }
      if (best.score > 0) errors.push.apply(errors, best.errs);
      else errors.push(p + ': does not match any allowed form');
      return;
    }
    if (s.type !== undefined) {
      var types = Array.isArray(s.type) ? s.type : [s.type];
      var ok = false;
      for (i = 0; i < types.length && !ok; i++) if (typeOk(types[i], v, tv)) ok = true;
      if (!ok) {
        errors.push(p + ': must be ' + types.join(' or ') + (v === undefined ? '' : ', not ' + tv));
        return;
      }
    }
    if (s.const !== undefined && v !== s.const) errors.push(p + ': must be ' + JSON.stringify(s.const));
    if (s['enum']) {
      var found = false;
      for (i = 0; i < s['enum'].length; i++) if (s['enum'][i] === v) found = true;
      if (!found) errors.push(p + ': must be one of ' + s['enum'].join(', '));
    }
    if (tv === 'number') {
      if (s.minimum !== undefined && v < s.minimum) errors.push(p + ': must be at least ' + s.minimum);
      if (s.maximum !== undefined && v > s.maximum) errors.push(p + ': must be at most ' + s.maximum);
      if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) errors.push(p + ': must be more than ' + s.exclusiveMinimum);
      if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) errors.push(p + ': must be less than ' + s.exclusiveMaximum);
    }
    if (tv === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength) errors.push(p + ': must be at least ' + s.minLength + ' characters');
      if (s.maxLength !== undefined && v.length > s.maxLength) errors.push(p + ': must be at most ' + s.maxLength + ' characters');
      if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) errors.push(p + ': has the wrong format (' + s.pattern + ')');
    }
    if (tv === 'array') {
      if (s.minItems !== undefined && v.length < s.minItems) errors.push(p + ': needs at least ' + s.minItems + ' item(s)');
      if (s.maxItems !== undefined && v.length > s.maxItems) errors.push(p + ': may have at most ' + s.maxItems + ' items');
      if (s.items) for (i = 0; i < v.length; i++) walk(s.items, v[i], p + '.' + i);
    }
    if (tv === 'object') {
      var properties = s.properties || {};
      if (s.required) for (i = 0; i < s.required.length; i++) {
        if (v[s.required[i]] === undefined) errors.push(p + '.' + s.required[i] + ': is required');
      }
      for (k in v) {
        if (!v.hasOwnProperty(k)) continue;
        if (properties[k]) walk(properties[k], v[k], p + '.' + k);
        else if (s.additionalProperties === false) errors.push(p + '.' + k + ': is not a known field');
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, v[k], p + '.' + k);
      }
    }
  }
  walk(schema, value, path);
  return errors;
}
