// The one catalogue of errors the embedded node answers with, in Apache CouchDB's words
// (chttpd.erl, couch_httpd.erl, couch_db.erl; pouchdb-errors uses the same names). Handlers
// throw these; the boundary in couch.ts turns whatever is thrown into a CouchDB-shaped answer.

export class HttpError extends Error {
  constructor(
    public status: number,
    public error: string,
    public reason: string,
    /** Extra response headers the answer carries (CouchDB sends `Allow` with a 405). */
    public headers: Record<string, string> = {},
  ) {
    super(reason);
  }
}

export const badRequest = (reason: string) => new HttpError(400, 'bad_request', reason);
export const notFound = (reason = 'missing') => new HttpError(404, 'not_found', reason);
export const dbNotFound = () => notFound('Database does not exist.');
export const forbidden = (reason: string) => new HttpError(403, 'forbidden', reason);
export const unauthorized = (reason = 'You are not authorized to access this db.') => new HttpError(401, 'unauthorized', reason);
export const badCredentials = () => unauthorized('Name or password is incorrect.');
/** CouchDB's verify_is_server_admin: 401 for everyone who is not, signed in or not. */
export const notServerAdmin = () => unauthorized('You are not a server admin.');
export const CONFLICT_REASON = 'Document update conflict.';
export const conflict = () => new HttpError(409, 'conflict', CONFLICT_REASON);
/** chttpd:send_method_not_allowed: the reason and the `Allow` header name what the resource takes. */
export const methodNotAllowed = (allowed: string) =>
  new HttpError(405, 'method_not_allowed', `Only ${allowed} allowed`, { Allow: allowed });
export const illegalDocId = (reason = 'Only reserved document ids may start with underscore.') => new HttpError(400, 'illegal_docid', reason);
export const illegalDbName = (reason: string) => new HttpError(400, 'illegal_database_name', reason);
export const fileExists = () => new HttpError(412, 'file_exists', 'The database could not be created, the file already exists.');
export const tooLarge = (limit: number) => new HttpError(413, 'too_large', `Request body over ${limit} bytes`);
export const notImplemented = (reason: string) => new HttpError(501, 'not_implemented', reason);
export const missingAttachment = () => notFound('Document is missing attachment');
export const missingRequiredKey = (key: string) => new HttpError(400, 'missing_required_key', `Missing required key: ${key}`);
export const queryParseError = (reason: string) => new HttpError(400, 'query_parse_error', reason);
/** Mango's refusals (mango_error.erl). */
export const invalidSelectorJson = (sel: unknown) => new HttpError(400, 'invalid_selector_json', `Selector must be a JSON object, not: ${JSON.stringify(sel)}`);
export const invalidSelector = (reason: string) => new HttpError(400, 'invalid_selector', reason);
export const invalidOperator = (reason: string) => new HttpError(400, 'invalid_operator', reason);
export const invalidBookmark = (raw: unknown) => new HttpError(400, 'invalid_bookmark', `Invalid bookmark value: ${JSON.stringify(raw)}`);
export const noUsableIndex = () => new HttpError(400, 'no_usable_index', 'No index exists for this sort, try indexing by the sort fields.');
export const unsupportedOperator = (op: string) => new HttpError(400, 'not_supported', `Unsupported operator: ${op}`);
export const internalError = (reason: string) => new HttpError(500, 'internal_server_error', reason);
/**
 * A write the disk refused (ENOSPC, EIO, a corrupt file), in Apache CouchDB 3.4's words: its
 * database updater crashes on `{error, enospc}` and fabric answers `{error, internal_server_error}`,
 * which chttpd sends as 500 `{"error":"error","reason":"internal_server_error"}` (measured on 3.4.3).
 * Nothing of the refused write is kept; the node's log names the cause.
 */
export const storageError = () => new HttpError(500, 'error', 'internal_server_error');

/** LevelDB's words for a failed read or write (leveldb Status::ToString), also as wrapped by levelup. */
const STORAGE_FAILURE = /^(IO error|Corruption): |\b(ENOSPC|EIO|EROFS|EDQUOT)\b/;
export const isStorageFailure = (e: unknown) => STORAGE_FAILURE.test(String((e as Error | null)?.message ?? ''));

/**
 * Any thrown value as the answer CouchDB would give. PouchDB's own errors (pouchdb-errors) already
 * carry CouchDB's status and names; anything else is our fault and a 500.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isStorageFailure(err)) return storageError();
  const e = err as { status?: number; name?: string; message?: string; reason?: string } | null | undefined;
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 600) {
    return new HttpError(e.status, e.name ?? 'error', e.reason ?? e.message ?? 'error');
  }
  return internalError((e && e.message) || String(err));
}

/** The status a per-document error in a write result stands for, when the result does not say. */
export function statusOfError(error: string): number {
  return error === 'conflict' ? 409 : error === 'forbidden' ? 403 : error === 'unauthorized' ? 401 : 400;
}
