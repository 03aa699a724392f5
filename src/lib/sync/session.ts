// Sessions at a region node, for the shop (sync/node-client.ts does the HTTP). Staff accounts have
// roles; shoppers have none: only a shopper gets a shop database and a cart.
import type { SignUp } from '../model/signup.ts';
import { NodeClient, type Session } from './node-client.ts';
import { RequestError } from './request-error.ts';

export { nodeUrl, type Session } from './node-client.ts';

export const isStaff = (s: Session) => s.roles.length > 0;

export const currentSession = (region: string) => new NodeClient(region).session();
export const openSession = (region: string, name: string, password: string) => new NodeClient(region).signIn(name, password);
export const closeSession = (region: string) => new NodeClient(region).signOut();

/** Sign-up through the region (served by the app server, which holds the rights the browser never does). */
export async function requestSignUp(region: string, p: SignUp): Promise<{ ok: true } | { ok: false; code: unknown } | 'offline'> {
  try {
    await new NodeClient(region).call('/_signup', { method: 'POST', body: JSON.stringify(p) });
    return { ok: true };
  } catch (e) {
    return e instanceof RequestError ? { ok: false, code: e.error } : 'offline';
  }
}
