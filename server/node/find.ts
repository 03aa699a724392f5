// Mango `_find` on PouchDB's find plugin, answered as CouchDB 3 does: its error
// names for a missing or malformed selector, a sort with no index, an unknown
// operator, and an opaque `bookmark` that continues a paged query.
import { badRequest, invalidBookmark, invalidSelectorJson, missingRequiredKey, noUsableIndex, unsupportedOperator } from './errors.ts';

const encodeBookmark = (consumed: number) => Buffer.from(JSON.stringify({ consumed })).toString('base64url');

function decodeBookmark(raw: unknown): number {
  if (raw === undefined || raw === null || raw === 'nil') return 0;
  try {
    const n = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8')).consumed;
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    /* falls through to the refusal */
  }
  throw invalidBookmark(raw);
}

export async function mangoFind(pouch: any, body: Record<string, any>) {
  if (body.selector === undefined) throw missingRequiredKey('selector');
  const sel = body.selector;
  if (!sel || typeof sel !== 'object' || Array.isArray(sel)) {
    throw invalidSelectorJson(sel);
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
    throw missingRequiredKey('fields');
  }
  if (!Array.isArray(body.index.fields)) throw badRequest('`index.fields` must be an array');
}

function findError(e: any): unknown {
  const msg = String(e?.message ?? e);
  if (/^Cannot sort on field/.test(msg)) return noUsableIndex();
  const op = /unknown operator "([^"]+)"/.exec(msg);
  if (op) return unsupportedOperator(op[1]);
  return e;
}
