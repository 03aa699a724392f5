// Who is asking: server admins from the node config, users from `_users`,
// by Basic auth or an AuthSession cookie, as CouchDB does it.
import { createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
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

/** Synchronous: only for writing a node's config before it starts, never on a request. */
export function hashPassword(password: string, iterations: number): StoredCredentials {
  const salt = randomBytes(16).toString('hex');
  const derived_key = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('hex');
  return { password_scheme: 'pbkdf2', pbkdf2_prf: 'sha256', iterations, salt, derived_key };
}

/**
 * PBKDF2 runs on libuv's thread pool, never on the node's event loop. At most two run at once:
 * the pool has four threads and LevelDB needs the others, so a burst of logins slows logins,
 * not every database read.
 */
const HASH_SLOTS = 2;
/** Password checks waiting for a slot: beyond this a flood of wrong logins is refused, not queued without end. */
const HASH_QUEUE = 256;
let hashing = 0;
const waiting: Array<() => void> = [];
async function derive(password: string, salt: string, iterations: number, length: number, prf: string): Promise<Buffer> {
  if (hashing >= HASH_SLOTS && waiting.length >= HASH_QUEUE) {
    throw new HttpError(503, 'service_unavailable', 'Too many password checks at once; try again shortly');
  }
  if (hashing >= HASH_SLOTS) await new Promise<void>((r) => waiting.push(r));
  else hashing++;
  try {
    return await new Promise<Buffer>((resolve, reject) => pbkdf2(password, salt, iterations, length, prf, (e, key) => (e ? reject(e) : resolve(key))));
  } finally {
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

export async function hashPasswordAsync(password: string, iterations: number): Promise<StoredCredentials> {
  const salt = randomBytes(16).toString('hex');
  const derived_key = (await derive(password, salt, iterations, 32, 'sha256')).toString('hex');
  return { password_scheme: 'pbkdf2', pbkdf2_prf: 'sha256', iterations, salt, derived_key };
}

/** CouchDB's `[chttpd_auth] min_iterations` / `max_iterations` and their defaults. */
export interface IterationBounds {
  min: number;
  max: number;
}
export const COUCHDB_ITERATION_BOUNDS: IterationBounds = { min: 1, max: 1_000_000_000 };

/**
 * As CouchDB's verify_iterations: stored credentials whose iteration count is out of bounds refuse the
 * login with 403 before any hashing, so nobody (not even an admin's typo, nor a replicated user doc)
 * can make one login cost minutes of CPU.
 */
export function checkIterations(iterations: number, bounds: IterationBounds = COUCHDB_ITERATION_BOUNDS) {
  if (iterations < bounds.min) throw new HttpError(403, 'forbidden', 'Iteration count is too low for this server');
  if (iterations > bounds.max) throw new HttpError(403, 'forbidden', 'Iteration count is too high for this server');
}

export async function verifyPassword(password: string, c: Partial<StoredCredentials>, bounds?: IterationBounds): Promise<boolean> {
  if (!c.salt || !c.derived_key || typeof c.derived_key !== 'string' || typeof c.salt !== 'string') return false;
  if (typeof c.iterations !== 'number' || !Number.isInteger(c.iterations)) return false;
  checkIterations(c.iterations, bounds);
  const prf = c.pbkdf2_prf === 'sha256' ? 'sha256' : 'sha1';
  const want = Buffer.from(c.derived_key, 'hex');
  if (want.length === 0 || want.length > 64) return false;
  const got = await derive(password, c.salt, c.iterations, want.length, prf);
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
  /** Allowed PBKDF2 iteration counts for stored credentials; CouchDB's defaults when absent. */
  iterationBounds?: IterationBounds;
  lookupUser(name: string): Promise<UserRecord | null>;
}

/**
 * Caches successful password checks so Basic auth does not cost a PBKDF2 per request (CouchDB caches
 * them too). Keyed by a hash of the password, never the password itself, and by the stored salt and
 * key, so a changed password misses at once.
 */
const verified = new Map<string, number>();
async function cachedVerify(src: AuthSource, name: string, password: string, c: Partial<StoredCredentials>): Promise<boolean> {
  const key = createHmac('sha256', src.secret).update(`${name}\u0000${password}\u0000${c.salt}\u0000${c.derived_key}\u0000${c.iterations}`).digest('base64');
  const until = verified.get(key);
  if (until && until > Date.now()) {
    // Kept while in use: an account that signs in all the time (a region service) never waits behind a flood.
    verified.set(key, Date.now() + 60_000);
    return true;
  }
  const ok = await verifyPassword(password, c, src.iterationBounds);
  if (ok) {
    if (verified.size > 10_000) verified.clear();
    verified.set(key, Date.now() + 60_000);
  }
  return ok;
}

export async function authenticate(src: AuthSource, name: string, password: string): Promise<UserCtx | null> {
  const admin = src.admins[name];
  if (admin) return (await cachedVerify(src, name, password, admin)) ? { name, roles: ['_admin'] } : null;
  const user = await src.lookupUser(name);
  if (!user || !(await cachedVerify(src, name, password, user.credentials))) return null;
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
