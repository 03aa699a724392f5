// Queries: a design document's _view, and Mango _find / _index (find.ts).
import { notFound } from '../errors.ts';
import { asObject, boolParam, intParam, jsonParam } from '../http.ts';
import { checkSelector } from '../selector-guard.ts';
import { indexFields, mangoFind } from '../find.ts';
import { bodyOf, json, type Call, type Route } from './call.ts';

export const viewRoutes: Route[] = [
  { path: '/:db/_design/:ddoc/_view/**', methods: { ANY: view } },
  {
    path: '/:db/_find/**',
    methods: {
      POST: async (c) => {
        const b = asObject(bodyOf(c));
        checkSelector(b.selector);
        return json(200, await mangoFind(c.db.pouch, b));
      },
    },
  },
  {
    path: '/:db/_index/**',
    methods: {
      GET: async (c) => json(200, await c.db.pouch.getIndexes()),
      POST: async (c) => {
        c.store.requireDbAdmin(c.ctx, c.db, c.params.db);
        const b = asObject(bodyOf(c));
        indexFields(b);
        return json(200, await c.db.pouch.createIndex(b as any)); // indexFields checked its shape
      },
    },
  },
];

async function view(c: Call) {
  const viewName = c.rest[0];
  if (!viewName) throw notFound('missing view name');
  const { q } = c;
  const b = c.method === 'POST' ? asObject(bodyOf(c)) : {};
  const o = viewOptions(q, b);
  for (const k of ['reduce', 'group']) {
    const v = boolParam(q.get(k)) ?? b[k];
    if (v !== undefined) o[k] = v;
  }
  const gl = intParam(q.get('group_level'), 'group_level') ?? b.group_level;
  if (gl !== undefined) o.group_level = gl;
  const update = q.get('update') ?? q.get('stale');
  if (update === 'false' || update === 'ok') o.stale = 'ok';
  if (update === 'lazy' || update === 'update_after') o.stale = 'update_after';
  return json(200, await c.views.query(c.db.pouch, c.params.ddoc, viewName, o));
}

/** CouchDB's view query parameters, from the query string or a POST body. */
export function viewOptions(q: URLSearchParams, b: Record<string, any>) {
  const o: Record<string, any> = {};
  const json = ['key', 'keys', 'startkey', 'endkey', 'start_key', 'end_key'];
  for (const k of json) {
    const v = jsonParam(q.get(k), k) ?? b[k];
    if (v !== undefined) o[k.replace('_key', 'key')] = v;
  }
  for (const k of ['include_docs', 'descending', 'inclusive_end', 'conflicts', 'update_seq', 'attachments']) {
    const v = boolParam(q.get(k)) ?? b[k];
    if (v !== undefined) o[k] = v;
  }
  for (const k of ['limit', 'skip']) {
    const v = intParam(q.get(k), k) ?? b[k];
    if (v !== undefined) o[k] = v;
  }
  if (q.get('startkey_docid') ?? q.get('start_key_doc_id')) o.startkey_docid = q.get('startkey_docid') ?? q.get('start_key_doc_id');
  if (q.get('endkey_docid') ?? q.get('end_key_doc_id')) o.endkey_docid = q.get('endkey_docid') ?? q.get('end_key_doc_id');
  return o;
}
