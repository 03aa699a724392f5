// Many documents at once: _all_docs, _design_docs, _bulk_docs, _bulk_get, _revs_diff.
import { badRequest } from '../errors.ts';
import { asObject, boolParam } from '../http.ts';
import { bodyOf, json, type Call, type Route } from './call.ts';
import { checkWriteLimits } from '../limits.ts';
import { viewOptions } from './views.ts';
import { allDocsSliced } from '../all-docs.ts';
import { winners } from '../point-reads.ts';

export const bulkRoutes: Route[] = [
  {
    path: '/:db/_all_docs/**',
    methods: {
      ANY: async (c) => {
        const b = c.method === 'POST' ? asObject(bodyOf(c)) : {};
        return json(200, await allDocsSliced(c.db.pouch, viewOptions(c.q, b)));
      },
    },
  },
  {
    path: '/:db/_design_docs/**',
    methods: {
      ANY: async (c) => json(200, await c.db.pouch.allDocs({ ...viewOptions(c.q, {}), startkey: '_design/', endkey: '_design/\uffff' })),
    },
  },
  { path: '/:db/_bulk_docs/**', methods: { POST: bulkDocs } },
  {
    path: '/:db/_bulk_get/**',
    methods: {
      POST: async (c) => {
        const b = asObject(bodyOf(c));
        if (!Array.isArray(b.docs)) throw badRequest("Missing JSON list of 'docs'.");
        const o = {
          revs: boolParam(c.q.get('revs')) ?? false,
          attachments: boolParam(c.q.get('attachments')) ?? false,
          latest: boolParam(c.q.get('latest')) ?? false,
        };
        return streamBulkGet(c, b.docs, o);
      },
    },
  },
  { path: '/:db/_revs_diff/**', methods: { POST: async (c) => json(200, await revsDiff(c.db.pouch, asObject(bodyOf(c)))) } },
];

async function bulkDocs(c: Call) {
  const b = asObject(bodyOf(c));
  if (b.docs === undefined) throw badRequest('POST body must include `docs` parameter.');
  if (!Array.isArray(b.docs)) throw badRequest('`docs` parameter must be an array.');
  if (b.all_or_nothing === true) {
    // CouchDB 3 dropped all-or-nothing commits and says so for every document.
    const refusals = b.docs.map((d: any) => ({ id: d?._id ?? null, rev: d?._rev ?? '0-', error: 'not_implemented', reason: 'all_or_nothing is not supported' }));
    return json(417, refusals);
  }
  const newEdits = b.new_edits !== false;
  checkWriteLimits(b.docs, c.opts.limits, false);
  const results = await c.store.write(c.params.db, b.docs, c.ctx, newEdits);
  const out = results.map((r: any) => {
    const { status: _status, ...rest } = r;
    return rest;
  });
  return json(201, newEdits ? out : out.filter((r: any) => r.error));
}

/** Entries read at once: a request naming 100,000 (photos and all) holds one slice in memory, not all of them. */
const BULK_GET_SLICE = 64;

/**
 * The answer is written a slice at a time, as CouchDB streams it, waiting for the client to take each
 * (a slow or vanished reader stops the reads rather than piling the answer up in memory).
 */
async function streamBulkGet(c: Call, docs: unknown[], o: { revs: boolean; attachments: boolean; latest: boolean }) {
  const first = await Promise.all(docs.slice(0, BULK_GET_SLICE).map((d) => bulkGetOne(c.db.pouch, d, o)));
  // Errors past this point cannot become a status: every entry carries its own (bulkGetOne never throws).
  const res = c.res;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'must-revalidate' });
  let part = first;
  for (let i = 0; ; ) {
    const text = (i === 0 ? '{"results":[' : ',') + part.map((r) => JSON.stringify(r)).join(',');
    if (!res.write(text)) await drained(c);
    i += BULK_GET_SLICE;
    if (i >= docs.length || c.closed.aborted) break;
    part = await Promise.all(docs.slice(i, i + BULK_GET_SLICE).map((d) => bulkGetOne(c.db.pouch, d, o)));
  }
  res.end(']}');
}

/** Resolves once the response can take more, or its client went away. */
function drained(c: Call) {
  return new Promise<void>((resolve) => {
    const done = () => {
      c.res.off('drain', done);
      c.closed.removeEventListener('abort', done);
      resolve();
    };
    c.res.on('drain', done);
    c.closed.addEventListener('abort', done);
    if (c.closed.aborted) done();
  });
}

/** One `_bulk_get` entry as CouchDB answers it: the named revision, else the winner (a tombstone too). */
async function bulkGetOne(pouch: any, req: unknown, o: { revs: boolean; attachments: boolean; latest: boolean }) {
  const d = (req && typeof req === 'object' ? req : {}) as Record<string, unknown>;
  const id = typeof d.id === 'string' ? d.id : null;
  if (id === null) return { id: null, docs: [{ error: { id: null, rev: null, error: 'bad_request', reason: 'document id missed' } }] };
  let rev = typeof d.rev === 'string' ? d.rev : undefined;
  try {
    if (!rev) {
      // The winner in one read; only a tombstone (a 404 to `get`) needs its revision looked up first.
      try {
        return { id, docs: [{ ok: await pouch.get(id, o) }] };
      } catch (e: any) {
        if (e?.status !== 404 || e.reason !== 'deleted') throw e;
      }
      const [row] = await winners(pouch, [id]);
      if (!row?.value) throw new Error('missing');
      rev = row.value.rev as string;
    }
    return { id, docs: [{ ok: await pouch.get(id, { ...o, rev }) }] };
  } catch {
    return { id, docs: [{ error: { id, rev: typeof d.rev === 'string' ? d.rev : 'undefined', error: 'not_found', reason: 'missing' } }] };
  }
}

/**
 * `_revs_diff` with CouchDB's `possible_ancestors`: a leaf older than a missing revision, from which
 * a replicator may send attachments as stubs. Only the winning leaf is offered (reading every
 * branch would load each document's body during replication); CouchDB also lists losing leaves.
 */
async function revsDiff(pouch: any, req: Record<string, any>) {
  const diff: Record<string, { missing: string[]; possible_ancestors?: string[] }> = await pouch.revsDiff(req);
  const ids = Object.keys(diff);
  if (!ids.length) return diff;
  const gen = (r: string) => parseInt(r, 10);
  for (const row of await winners(pouch, ids)) {
    const winner: string | undefined = row.value?.rev;
    if (!winner || !row.id) continue;
    if (diff[row.id].missing.some((m) => gen(m) > gen(winner))) diff[row.id].possible_ancestors = [winner];
  }
  return diff;
}
