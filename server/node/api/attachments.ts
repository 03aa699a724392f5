// One attachment of a document (or a design document): read, add or replace, remove.
import { conflict, missingAttachment } from '../errors.ts';
import { type Call, type Route } from './call.ts';
import { writeReply } from './documents.ts';
import { attachmentTooLarge } from '../limits.ts';

const attachmentMethods = (id: (c: Call) => string) => ({
  GET: (c: Call) => read(c, id(c)),
  HEAD: (c: Call) => read(c, id(c)),
  PUT: (c: Call) => change(c, id(c)),
  DELETE: (c: Call) => change(c, id(c)),
});

export const attachmentRoutes: Route[] = [
  { path: '/:db/_design/:ddoc/*', methods: attachmentMethods((c) => `_design/${c.params.ddoc}`) },
  { path: '/:db/:docid/*', methods: attachmentMethods((c) => c.params.docid) },
];

async function read(c: Call, id: string) {
  const name = c.rest.join('/');
  const rev = c.q.get('rev');
  const d = await c.db.pouch.get(id, rev ? { rev } : {});
  const meta = d._attachments?.[name];
  if (!meta) throw missingAttachment();
  const data = (await c.db.pouch.getAttachment(id, name, { rev: d._rev })) as Buffer; // a Buffer in Node
  return {
    status: 200,
    raw: data,
    headers: {
      'Content-Type': meta.content_type ?? 'application/octet-stream',
      ETag: `"${meta.digest}"`,
      'Cache-Control': 'must-revalidate',
    },
  };
}

async function change(c: Call, id: string) {
  const name = c.rest.join('/');
  if (c.method === 'PUT' && c.raw.length > c.opts.limits.maxAttachmentSize) throw attachmentTooLarge(name);
  const rev = c.q.get('rev') ?? undefined;
  let current: any = null;
  try {
    current = await c.db.pouch.get(id);
  } catch {
    /* a new document */
  }
  if (current && current._rev !== rev) throw conflict();
  const next: any = current ? { ...current } : { _id: id };
  next._attachments = { ...(current?._attachments ?? {}) };
  if (c.method === 'PUT') {
    next._attachments[name] = {
      content_type: String(c.req.headers['content-type'] ?? 'application/octet-stream'),
      data: c.raw.toString('base64'),
    };
  } else {
    if (!next._attachments[name]) throw missingAttachment();
    delete next._attachments[name];
  }
  const [r] = await c.store.write(c.params.db, [next], c.ctx);
  return writeReply(r, c.method === 'PUT' ? 201 : 200);
}
