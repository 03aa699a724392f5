// What one write may store, as Apache CouchDB bounds it ([couchdb]
// max_document_size and max_attachment_size, read from couchdb/local.ini):
// a document body over the limit (a `_local` one too) is 413
// document_too_large, an attachment over its limit 413 attachment_too_large,
// and in `_bulk_docs` one such document refuses the whole request, as there.
// Inline attachment data does not count toward the body.
import { HttpError } from './errors.ts';

export interface WriteLimits {
  maxDocumentSize: number;
  maxAttachmentSize: number;
}

/** CouchDB 3.4's defaults, for a node started without the project's settings. */
export const DEFAULT_LIMITS: WriteLimits = { maxDocumentSize: 8_000_000, maxAttachmentSize: 1_073_741_824 };

const decodedLength = (b64: string) => Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

export const attachmentTooLarge = (name: string) => new HttpError(413, 'attachment_too_large', name);

/** Throws 413 for the first document of `docs` (as sent) that is over a limit. */
export function checkWriteLimits(docs: unknown[], limits: WriteLimits, single: boolean) {
  for (const d of docs) {
    if (!d || typeof d !== 'object' || Array.isArray(d)) continue;
    const { _attachments: atts, ...body } = d as Record<string, any>;
    if (Buffer.byteLength(JSON.stringify(body)) > limits.maxDocumentSize) {
      // CouchDB names the document in a bulk refusal, and nothing for a single write.
      throw new HttpError(413, 'document_too_large', single ? '' : String(body._id ?? ''));
    }
    if (!atts || typeof atts !== 'object') continue;
    for (const [name, a] of Object.entries(atts as Record<string, any>)) {
      const size = typeof a?.data === 'string' ? decodedLength(a.data) : typeof a?.length === 'number' && a?.follows ? a.length : 0;
      if (size > limits.maxAttachmentSize) throw attachmentTooLarge(name);
    }
  }
}

/** The two settings from an ini text's [couchdb] section (missing ones keep CouchDB's defaults). */
export function limitsFromIni(text: string): WriteLimits {
  const out = { ...DEFAULT_LIMITS };
  let section = '';
  for (const line of text.split('\n')) {
    const s = /^\s*\[([^\]]+)\]/.exec(line);
    if (s) section = s[1];
    const kv = /^\s*(max_document_size|max_attachment_size)\s*=\s*(\d+)/.exec(line);
    if (section !== 'couchdb' || !kv) continue;
    if (kv[1] === 'max_document_size') out.maxDocumentSize = Number(kv[2]);
    else out.maxAttachmentSize = Number(kv[2]);
  }
  return out;
}
