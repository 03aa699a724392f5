// A database's `_security` object and who it lets in, as CouchDB 3 reads it:
// admins may change design documents and `_security`, members read and write,
// and an empty members list leaves the database open to everyone.
import { badRequest, forbidden, unauthorized } from './http.ts';
import { isServerAdmin, type UserCtx } from './auth.ts';

export interface Security {
  admins: { names: string[]; roles: string[] };
  members: { names: string[]; roles: string[] };
}

/** CouchDB 3 makes new databases admin-only until `_security` says otherwise. */
export const defaultSecurity = (): Security => ({
  admins: { names: [], roles: ['_admin'] },
  members: { names: [], roles: ['_admin'] },
});

/** A `_security` body as stored: missing parts empty, anything but arrays of strings a 400. */
export function normaliseSecurity(raw: unknown): Security {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, any>;
  const part = (p: any, field: string) => {
    const v = p && typeof p === 'object' ? p[field] : undefined;
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw badRequest(`_security: ${field} must be an array of strings`);
    }
    return v as string[];
  };
  return {
    admins: { names: part(o.admins, 'names'), roles: part(o.admins, 'roles') },
    members: { names: part(o.members, 'names'), roles: part(o.members, 'roles') },
  };
}

function inGroup(ctx: UserCtx, g: { names: string[]; roles: string[] }) {
  return (ctx.name !== null && g.names.includes(ctx.name)) || ctx.roles.some((r) => g.roles.includes(r));
}

export function isDbAdmin(ctx: UserCtx, sec: Security) {
  return isServerAdmin(ctx) || inGroup(ctx, sec.admins);
}

export function isMember(ctx: UserCtx, sec: Security) {
  const open = sec.members.names.length === 0 && sec.members.roles.length === 0;
  return open || isDbAdmin(ctx, sec) || inGroup(ctx, sec.members);
}

/** CouchDB's status for a refusal: 401 to the anonymous (who may yet sign in), 403 to a known user. */
export function denied(ctx: UserCtx, reason: string) {
  return ctx.name === null ? unauthorized(reason) : forbidden(reason);
}
