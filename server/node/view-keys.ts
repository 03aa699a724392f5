// A view row's sort key: toIndexableString([key, doc id]) from pouchdb-collate, whose order is
// CouchDB's collation (as the in-memory index had it) and whose encodings are prefix-free, so
// string comparison orders rows and a shared start finds a group.
import { parseIndexableString } from 'pouchdb-collate';

type Key = unknown;

/** A document that emits one key twice gets two rows: the second sort key carries "\u0001<n>".
 *  Sort keys end in "\u0000" and none is a prefix of another, so the suffix keeps the order. */
export const baseOf = (sk: string) => (sk.endsWith('\u0000') ? sk : sk.slice(0, sk.lastIndexOf('\u0001')));
export const parse = (sk: string) => parseIndexableString(baseOf(sk)) as [Key, string];
export const keyOf = (sk: string): Key => parse(sk)[0];
/** Rows (or operations on them) in index order: by sort key, a plain string comparison. */
export const bySortKey = (a: readonly [string, ...unknown[]], b: readonly [string, ...unknown[]]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
/** Where the element of an indexable string that starts at `i` ends: a raw "\u0000" ends every
 *  element (strings escape theirs); arrays (5) and objects (6) hold elements up to their own. */
function skipElement(s: string, i: number): number {
  const type = s[i];
  if (type === '5' || type === '6') {
    i++;
    while (s[i] !== '\u0000') i = skipElement(s, i);
    return i + 1;
  }
  return s.indexOf('\u0000', i) + 1;
}

/**
 * The start every sort key of a row's group shares: '5' (the [key, id] pair), then the key whole,
 * or, grouped by level, its first `level` elements (the whole key if it is shorter, terminator
 * included). Encodings are prefix-free, so a sort key that starts with it is in that group.
 */
export function groupPrefix(sk: string, level: number): string {
  if (level === Infinity || sk[1] !== '5') return sk.slice(0, skipElement(sk, 1));
  let i = 2;
  for (let n = 0; n < level; n++) {
    if (sk[i] === '\u0000') return sk.slice(0, i + 1);
    i = skipElement(sk, i);
  }
  return sk.slice(0, i);
}
