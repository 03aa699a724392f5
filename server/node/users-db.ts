// The `_users` database's own rules, as CouchDB 3 applies them to every write of an account.
import { forbidden } from './http.ts';
import { hashPasswordAsync, isServerAdmin, type UserCtx } from './auth.ts';
import { denied } from './security.ts';

/**
 * CouchDB 3's `_users` handling: a plain `password` is hashed first (before_doc_update in
 * couch_users_db.erl), then the built-in `_design/_auth` rules run. Only server admins get
 * here (requireWriter), and the rules hold for them too.
 */
export async function checkUserDoc(doc: any, old: any, ctx: UserCtx, pbkdf2Iterations: number) {
  if (!isServerAdmin(ctx)) throw denied(ctx, 'You are not allowed to access this db.');
  if (doc._id.startsWith('_design/')) return;
  if (doc._deleted) return;
  if (doc.password !== undefined && doc.password !== null) {
    if (typeof doc.password !== 'string') throw forbidden(`Password value of '${JSON.stringify(doc.password)}' is invalid.`);
    const password = doc.password;
    for (const k of ['password', 'password_sha', 'password_scheme', 'pbkdf2_prf', 'iterations', 'salt', 'derived_key', 'preserve_salt']) delete doc[k];
    Object.assign(doc, await hashPasswordAsync(password, pbkdf2Iterations));
  }
  if (doc.type !== 'user') throw forbidden('doc.type must be user');
  if (!doc.name) throw forbidden('doc.name is required');
  if (!doc.roles) throw forbidden('doc.roles must exist');
  if (!Array.isArray(doc.roles)) throw forbidden('doc.roles must be an array');
  if (doc.roles.some((r: unknown) => typeof r !== 'string')) throw forbidden('doc.roles can only contain strings');
  if (doc._id !== `org.couchdb.user:${doc.name}`) throw forbidden('Doc ID must be of the form org.couchdb.user:name');
  if (old && old.name !== doc.name) throw forbidden('Usernames can not be changed.');
  if (doc.password_sha && !doc.salt) throw forbidden('Users with password_sha must have a salt.');
  if (doc.password_scheme && !['simple', 'pbkdf2'].includes(doc.password_scheme)) {
    throw forbidden(`Password scheme \`${doc.password_scheme}\` not supported.`);
  }
  if (doc.password_scheme === 'pbkdf2') {
    if (typeof doc.iterations !== 'number') throw forbidden('iterations must be a number.');
    if (typeof doc.derived_key !== 'string') throw forbidden('derived_key must be a string.');
  }
  if (doc.roles.some((r: string) => r !== '_metrics' && r.startsWith('_'))) {
    throw forbidden('No system roles (starting with underscore) in users db.');
  }
  if (String(doc.name).startsWith('_')) throw forbidden('Username may not start with underscore.');
  if (String(doc.name).includes(':')) throw forbidden('Character `:` is not allowed in usernames.');
}
