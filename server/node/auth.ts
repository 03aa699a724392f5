// Who is asking: server admins from the node config, users from `_users`,
// by Basic auth or an AuthSession cookie, as CouchDB does it.
import { createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError, unauthorized } from './http.ts';

export interface UserCtx {
  db?: string;
  name: string | null;
  roles: string[];
  /** Which handler recognised the caller (GET /_session's info.authenticated): Basic is "default". */
  via?: 'cookie' | 'default';
}

export interface StoredCredentials {
  password_scheme: 'pbkdf2';
  pbkdf2_prf: 'sha256';
  iterations: number;
  salt: string;
  derived_key: string;
}

export const ANONYMOUS: UserCtx = { name: null, roles: [] };

export function hashPassword(password: string, iterations: number): StoredCredentials {
  const salt = randomBytes(16).toString('hex');
  const derived_key = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('hex');
  return { password_scheme: 'pbkdf2', pbkdf2_prf: 'sha256', iterations, salt, derived_key };
}

export function verifyPassword(password: string, c: Partial<StoredCredentials>): boolean {
  if (!c.salt || !c.derived_key || !c.iterations) return false;
  const prf = c.pbkdf2_prf === 'sha256' ? 'sha256' : 'sha1';
  const want = Buffer.from(c.derived_key, 'hex');
  const got = pbkdf2Sync(password, c.salt, c.iterations, want.length, prf);
  return want.length === got.length && timingSafeEqual(new Uint8Array(want), new Uint8Array(got));
}

export interface UserRecord {
  name: string;
  roles: string[];
  credentials: Partial<StoredCredentials>;
}

export interface AuthSource {
  /** Server admins with their stored credentials. */
  admins: Record<string, StoredCredentials>;
  secret: string;
  sessionTimeoutSec: number;
  lookupUser(name: string): Promise<UserRecord | null>;
}

/** Caches successful password checks so Basic auth does not cost a PBKDF2 per request. */
const verified = new Map<string, number>();
function cachedVerify(name: string, password: string, c: Partial<StoredCredentials>): boolean {
  const key = `${name}\u0000${password}\u0000${c.salt}\u0000${c.derived_key}`;
  const until = verified.get(key);
  if (until && until > Date.now()) return true;
  const ok = verifyPassword(password, c);
  if (ok) {
    if (verified.size > 10_000) verified.clear();
    verified.set(key, Date.now() + 60_000);
  }
  return ok;
}

export async function authenticate(src: AuthSource, name: string, password: string): Promise<UserCtx | null> {
  const admin = src.admins[name];
  if (admin) return cachedVerify(name, password, admin) ? { name, roles: ['_admin'] } : null;
  const user = await src.lookupUser(name);
  if (!user || !cachedVerify(name, password, user.credentials)) return null;
  return { name, roles: user.roles };
}

function sessionMac(src: AuthSource, name: string, stamp: string, salt: string) {
  return createHmac('sha256', src.secret + salt).update(`${name}:${stamp}`).digest('base64url');
}

export function makeSessionCookie(src: AuthSource, name: string, salt: string): string {
  const stamp = Math.floor(Date.now() / 1000).toString(16).toUpperCase();
  const token = Buffer.from(`${name}:${stamp}:${sessionMac(src, name, stamp, salt)}`).toString('base64url');
  return `AuthSession=${token}; Version=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=${src.sessionTimeoutSec}`;
}

export const clearSessionCookie = 'AuthSession=; Version=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=0';

function credentialsOf(src: AuthSource, user: UserRecord | null, name: string) {
  return src.admins[name] ?? user?.credentials ?? null;
}

async function fromCookie(src: AuthSource, token: string): Promise<UserCtx | null> {
  let raw: string;
  try {
    raw = Buffer.from(token, 'base64url').toString('utf8');
  } catch {
    return null;
  }
  const parts = raw.split(':');
  if (parts.length < 3) return null;
  const mac = parts.pop()!;
  const stamp = parts.pop()!;
  const name = parts.join(':');
  const issued = parseInt(stamp, 16);
  if (!Number.isFinite(issued) || issued * 1000 + src.sessionTimeoutSec * 1000 < Date.now()) return null;
  const user = src.admins[name] ? null : await src.lookupUser(name);
  const cred = credentialsOf(src, user, name);
  if (!cred?.salt) return null;
  const want = sessionMac(src, name, stamp, cred.salt);
  if (want.length !== mac.length || !timingSafeEqual(new Uint8Array(Buffer.from(want)), new Uint8Array(Buffer.from(mac)))) return null;
  return src.admins[name] ? { name, roles: ['_admin'] } : { name, roles: user!.roles };
}

function cookieValue(req: IncomingMessage, key: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === key) return part.slice(i + 1).trim();
  }
  return null;
}

/**
 * The caller's identity. Wrong Basic credentials are a 401 (as in CouchDB);
 * a stale or forged cookie just means anonymous.
 */
export async function userCtxOf(src: AuthSource, req: IncomingMessage): Promise<UserCtx> {
  const auth = req.headers.authorization;
  if (auth && auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw unauthorized('Malformed Basic authorization header');
    const ctx = await authenticate(src, decoded.slice(0, i), decoded.slice(i + 1));
    if (!ctx) throw new HttpError(401, 'unauthorized', 'Name or password is incorrect.');
    return { ...ctx, via: 'default' };
  }
  const token = cookieValue(req, 'AuthSession');
  if (token) {
    const ctx = await fromCookie(src, token);
    return ctx ? { ...ctx, via: 'cookie' } : ANONYMOUS;
  }
  return ANONYMOUS;
}

export const isServerAdmin = (ctx: UserCtx) => ctx.roles.includes('_admin');
