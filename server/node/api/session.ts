// /_session: who the caller is, signing in (JSON or form) with a cookie, signing out.
import { authenticate, clearSessionCookie, makeSessionCookie } from '../auth.ts';
import { badCredentials } from '../errors.ts';
import { asObject, parseJson } from '../http.ts';
import { json, type Call, type Route } from './call.ts';

export const sessionRoutes: Route[] = [
  {
    path: '/_session/**',
    methods: {
      GET: (c) =>
        json(200, {
          ok: true,
          userCtx: { name: c.ctx.name, roles: c.ctx.roles },
          info: { authentication_handlers: ['cookie', 'default'], authenticated: c.ctx.name ? c.ctx.via : undefined },
        }),
      POST: signIn,
      DELETE: () => json(200, { ok: true }, { 'Set-Cookie': clearSessionCookie }),
    },
  },
];

async function signIn(c: Call) {
  let creds: Record<string, any>;
  if (String(c.req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    creds = Object.fromEntries(new URLSearchParams(c.raw.toString('utf8')));
  } else creds = asObject(parseJson(c.raw));
  // CouchDB answers a missing name or password like a wrong one.
  const who = typeof creds.name === 'string' && typeof creds.password === 'string' ? await authenticate(c.auth, creds.name, creds.password) : null;
  if (!who) throw badCredentials();
  const salt = c.auth.admins[who.name!]?.salt ?? (await c.store.lookupUser(who.name!))?.credentials.salt ?? '';
  return json(200, { ok: true, name: who.name, roles: who.roles }, { 'Set-Cookie': makeSessionCookie(c.auth, who.name!, salt) });
}
