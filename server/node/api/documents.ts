// Documents: read, write and delete one (plain, `_design/`, `_local/`), and the answer for
// a `_` path under a database that is no route. Attachments are in attachments.ts, the
// many-document routes in bulk.ts.
import { badRequest, conflict, illegalDocId, notFound, notImplemented, statusOfError } from '../errors.ts';
import { asObject, boolParam, jsonParam } from '../http.ts';
import { bodyOf, json, type Call, type Reply, type Route } from './call.ts';
import { checkWriteLimits } from '../limits.ts';

const docMethods = (id: (c: Call) => string) => ({
  GET: (c: Call) => read(c, id(c)),
  HEAD: (c: Call) => read(c, id(c)),
  PUT: (c: Call) => write(c, id(c)),
  DELETE: (c: Call) => remove(c, id(c)),
  COPY: () => {
    throw notImplemented('COPY is not supported by this node');
  },
});

export const documentRoutes: Route[] = [
  { path: '/:db/_local/**', methods: docMethods((c) => `_local/${c.rest.join('/')}`) },
  {
    path: '/:db/_design',
    methods: {
      ANY: () => {
        throw notFound();
      },
    },
  },
  { path: '/:db/_design/:ddoc', methods: docMethods((c) => `_design/${c.params.ddoc}`) },
  { path: '/:db/:docid', methods: docMethods((c) => c.params.docid) },
];

/** Last among a database's routes: CouchDB takes a PUT as naming a document (and `_` ids are reserved); anything else is not there. */
export const unknownDbRoute: Route = {
  path: '/:db/:special/**',
  methods: {
    PUT: () => {
      throw illegalDocId();
    },
    ANY: () => {
      throw notFound('missing');
    },
  },
};

async function read(c: Call, id: string) {
  const { q } = c;
  const o: Record<string, any> = {};
  const rev = q.get('rev');
  if (rev) o.rev = rev;
  if (boolParam(q.get('revs'))) o.revs = true;
  if (boolParam(q.get('revs_info'))) o.revs_info = true;
  if (boolParam(q.get('conflicts'))) o.conflicts = true;
  if (boolParam(q.get('attachments'))) o.attachments = true;
  if (boolParam(q.get('latest'))) o.latest = true;
  const openRevs = q.get('open_revs');
  if (openRevs !== null) o.open_revs = openRevs === 'all' ? 'all' : jsonParam(openRevs, 'open_revs');
  const d = await c.db.pouch.get(id, o);
  return json(200, d, Array.isArray(d) ? {} : { ETag: `"${d._rev}"` });
}

async function write(c: Call, id: string) {
  const d = asObject(bodyOf(c), 'Document');
  if (d._id !== undefined && d._id !== id) throw badRequest('Document id in the body does not match the URL');
  d._id = id;
  checkWriteLimits([d], c.opts.limits, true);
  // CouchDB keeps no attachments on a `_local` document: it stores the rest and drops them.
  if (id.startsWith('_local/')) delete d._attachments;
  const rev = c.q.get('rev');
  if (rev && !d._rev) d._rev = rev;
  const newEdits = c.q.get('new_edits') !== 'false';
  const [r] = await c.store.write(c.params.db, [d], c.ctx, newEdits);
  // As CouchDB's update_doc: a PUT that deletes answers 200 (ok), one that stores 201 (created).
  return writeReply(r, d._deleted === true ? 200 : 201);
}

async function remove(c: Call, id: string) {
  const rev = c.q.get('rev') ?? String(c.req.headers['if-match'] ?? '').replace(/"/g, '');
  if (!rev) throw conflict();
  const [r] = await c.store.write(c.params.db, [{ _id: id, _rev: rev, _deleted: true }], c.ctx);
  return writeReply(r, 200);
}

/** One write's result as CouchDB answers a single-document write: the refusal, or ok with the new rev. */
export function writeReply(r: any, okStatus: number): Reply {
  if (r.error) return json(r.status ?? statusOfError(r.error), { error: r.error, reason: r.reason });
  return json(okStatus, { ok: true, id: r.id, rev: r.rev }, r.rev ? { ETag: `"${r.rev}"` } : {});
}
