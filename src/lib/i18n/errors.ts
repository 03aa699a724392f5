// What a person reads when something fails: a message of the catalogue, in
// their language, never a server's reason, a schema's JSON or a status code.
import { t } from './index.svelte.ts';
import type { MessageKey } from './messages.ts';

/** Form fields the schemas name in their issues, as people call them. */
const FIELDS = ['sku', 'name', 'price', 'unit', 'description', 'category_id', 'slug', 'qty', 'note', 'address'] as const;

/** Which message fits a failure: schema issues, no answer at all, or the HTTP status a node gave (RequestError, PouchDB errors). */
export function errorKey(err: unknown): MessageKey {
  const e = err as { status?: unknown; name?: unknown; issues?: unknown } | null;
  if (Array.isArray(e?.issues)) return 'error.invalid';
  if (err instanceof TypeError) return 'error.offline'; // fetch's "Failed to fetch": no answer at all
  const status = typeof e?.status === 'number' ? e.status : 0;
  if (status === 409) return 'error.conflict';
  if (status === 401) return 'error.signin';
  if (status === 403) return 'error.forbidden';
  if (status === 404) return 'error.notFound';
  if (status === 400 || status === 413) return 'error.invalid';
  if (status >= 500) return 'error.server';
  return 'error.unknown';
}

/** The form field a schema's complaint is about (its first one a person typed), or null. */
export function invalidField(err: unknown): string | null {
  const issues = (err as { issues?: Array<{ path?: unknown[] }> } | null)?.issues;
  // An id is made from a field (product:<SKU>): name the field a person typed, not the id.
  return (Array.isArray(issues) ? issues : []).map((i) => String(i?.path?.[0] ?? '')).find((f) => (FIELDS as readonly string[]).includes(f)) ?? null;
}

/** The message for a failure; a schema's complaint names the field it is about. */
export function errorText(err: unknown): string {
  const field = invalidField(err);
  if (field) return t('error.invalidField', { field: t(`field.${field}` as MessageKey) });
  return t(errorKey(err));
}
