// pouchdb-collate ships no types: the four functions the view engine uses.
declare module 'pouchdb-collate' {
  export function collate(a: unknown, b: unknown): number;
  export function normalizeKey(key: unknown): unknown;
  export function toIndexableString(key: unknown): string;
  export function parseIndexableString(s: string): unknown;
}
