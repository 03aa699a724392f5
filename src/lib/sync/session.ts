// Sessions at a region node, through the app's /db/<region> proxy (the cookie
// is scoped to that path, so each region has its own). Staff accounts have
// roles; shoppers have none: only a shopper gets a shop database and a cart.
import type { SignUp } from '../model/signup.ts';

export const nodeUrl = (region: string) => `${location.origin}/db/${region.toLowerCase()}`;

export interface Session {
  name: string;
  roles: string[];
}

export const isStaff = (s: Session) => s.roles.length > 0;

const json = { 'Content-Type': 'application/json' };

/** Who the node's cookie belongs to: a session, null when signed out, 'offline' when the node is unreachable. */
export async function currentSession(region: string): Promise<Session | null | 'offline'> {
  try {
    const res = await fetch(`${nodeUrl(region)}/_session`, { credentials: 'include' });
    const ctx = (await res.json())?.userCtx;
    return ctx?.name ? { name: ctx.name, roles: Array.isArray(ctx.roles) ? ctx.roles : [] } : null;
  } catch {
    return 'offline';
  }
}

export async function openSession(region: string, name: string, password: string): Promise<Session | 'wrong' | 'offline'> {
  let res: Response;
  try {
    res = await fetch(`${nodeUrl(region)}/_session`, { method: 'POST', credentials: 'include', headers: json, body: JSON.stringify({ name, password }) });
  } catch {
    return 'offline';
  }
  if (res.status === 401) return 'wrong';
  if (!res.ok) return 'offline';
  const body = await res.json().catch(() => ({}));
  return { name: body?.name ?? name, roles: Array.isArray(body?.roles) ? body.roles : [] };
}

export async function closeSession(region: string) {
  await fetch(`${nodeUrl(region)}/_session`, { method: 'DELETE', credentials: 'include' }).catch(() => {});
}

/** Sign-up through the region (served by the app server, which holds the rights the browser never does). */
export async function requestSignUp(region: string, p: SignUp): Promise<{ ok: true } | { ok: false; code: unknown } | 'offline'> {
  let res: Response;
  try {
    res = await fetch(`${nodeUrl(region)}/_signup`, { method: 'POST', credentials: 'include', headers: json, body: JSON.stringify(p) });
  } catch {
    return 'offline';
  }
  if (res.ok) return { ok: true };
  return { ok: false, code: (await res.json().catch(() => ({})))?.error };
}
