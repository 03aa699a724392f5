// Mango `_find` on PouchDB's find plugin, answered as CouchDB 3 does: its error
// names for a missing or malformed selector, a sort with no index, an unknown
// operator, and an opaque `bookmark` that continues a paged query.
import { HttpError } from './http.ts';

const encodeBookmark = (consumed: number) => Buffer.from(JSON.stringify({ consumed })).toString('base64url');

function decodeBookmark(raw: unknown): number {
  if (raw === undefined || raw === null || raw === 'nil') return 0;
  try {
    const n = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8')).consumed;
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    /* falls through to the refusal */
  }
  throw new HttpError(400, 'invalid_bookmark', `Invalid bookmark value: ${JSON.stringify(raw)}`);
}

export async function mangoFind(pouch: any, body: Record<string, any>) {
  if (body.selector === undefined) throw new HttpError(400, 'missing_required_key', 'Missing required key: selector');
  const sel = body.selector;
  if (!sel || typeof sel !== 'object' || Array.isArray(sel)) {
    throw new HttpError(400, 'invalid_selector_json', `Selector must be a JSON object, not: ${JSON.stringify(sel)}`);
  }
  // Our bookmark counts the matches already handed out; the next page skips past them.
  const consumed = decodeBookmark(body.bookmark);
  const { bookmark: _ignored, ...query } = body;
  query.skip = (Number.isInteger(query.skip) ? query.skip : 0) + consumed;
  let r: any;
  try {
    r = await pouch.find(query);
  } catch (e) {
    throw findError(e);
  }
  const out: Record<string, unknown> = { docs: r.docs, bookmark: encodeBookmark(consumed + r.docs.length) };
  if (r.warning) out.warning = r.warning;
  return out;
}

export function indexFields(body: Record<string, any>) {
  if (!body.index || typeof body.index !== 'object' || body.index.fields === undefined) {
    throw new HttpError(400, 'missing_required_key', 'Missing required key: fields');
  }
  if (!Array.isArray(body.index.fields)) throw new HttpError(400, 'bad_request', '`index.fields` must be an array');
}

function findError(e: any): unknown {
  const msg = String(e?.message ?? e);
  if (/^Cannot sort on field/.test(msg)) return new HttpError(400, 'no_usable_index', 'No index exists for this sort, try indexing by the sort fields.');
  const op = /unknown operator "([^"]+)"/.exec(msg);
  if (op) return new HttpError(400, 'not_supported', `Unsupported operator: ${op[1]}`);
  return e;
}
