// The checks CouchDB makes on a document's shape before any rule or revision is looked at.
import { randomUUID } from 'node:crypto';
import { HttpError, badRequest } from './http.ts';

const ALLOWED_UNDERSCORE = new Set(['_id', '_rev', '_deleted', '_attachments', '_revisions', '_conflicts', '_revs_info']);

/** The checks CouchDB makes on a document's shape; any failure is a 400 for the whole request. */
export function wellFormed(raw: unknown, newEdits: boolean): any {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('Document must be a JSON object');
  const doc: any = { ...(raw as object) };
  if (doc._id === undefined) {
    if (!newEdits) throw badRequest('When `new_edits: false`, the document needs `_rev` or `_revisions` specified');
    doc._id = randomUUID().replace(/-/g, '');
  }
  if (!newEdits && doc._rev === undefined && doc._revisions === undefined) {
    throw badRequest('When `new_edits: false`, the document needs `_rev` or `_revisions` specified');
  }
  if (typeof doc._id !== 'string') throw new HttpError(400, 'illegal_docid', 'Document id must be a string');
  if (doc._id === '') throw new HttpError(400, 'illegal_docid', 'Document id must not be empty');
  for (const k of Object.keys(doc)) {
    if (k.startsWith('_') && !ALLOWED_UNDERSCORE.has(k)) throw new HttpError(400, 'doc_validation', `Bad special document member: ${k}`);
  }
  if (doc._id.startsWith('_') && !/^_(design|local)\/./.test(doc._id)) {
    throw new HttpError(400, 'illegal_docid', 'Only reserved document ids may start with underscore.');
  }
  return doc;
}
