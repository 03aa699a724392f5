// What answers at a node's URL before `npm start` starts anything there:
// a CouchDB server to use as it is, something else on the port, or nothing.
import { connect } from 'node:net';
import { Couch, type Credentials } from './couch-client.ts';

export type Probe =
  | { kind: 'free' }
  | { kind: 'couchdb'; vendor: string; version: string; adminOk: boolean }
  | { kind: 'other'; detail: string };

/** Whether anything accepts TCP connections on the URL's port. */
function portTaken(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(true)); // accepted but silent: taken
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function probeNode(url: string, admin: Credentials): Promise<Probe> {
  if (!(await portTaken(url))) return { kind: 'free' };
  // Something listens. A busy CouchDB (one starting, or on a loaded machine) may take a while to answer,
  // so only a port that stays silent for half a minute counts as "not a node".
  let res: Response | null = null;
  let lastError = '';
  for (const deadline = Date.now() + 30_000; !res && Date.now() < deadline; ) {
    try {
      res = await fetch(url.replace(/\/+$/, '') + '/', { signal: AbortSignal.timeout(5000) });
    } catch (e) {
      lastError = (e as Error).message;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  if (!res) return { kind: 'other', detail: `it does not answer HTTP (${lastError})` };
  try {
    const body: any = await res.json().catch(() => null);
    if (!res.ok || body?.couchdb !== 'Welcome') {
      return { kind: 'other', detail: `it answers HTTP ${res.status}, but not as a CouchDB server` };
    }
    const session = await new Couch(url, admin).request('GET', '/_session');
    const adminOk = session.status === 200 && (session.json?.userCtx?.roles ?? []).includes('_admin');
    return { kind: 'couchdb', vendor: String(body.vendor?.name ?? 'CouchDB'), version: String(body.version ?? '?'), adminOk };
  } catch (e) {
    return { kind: 'other', detail: `it does not answer HTTP (${(e as Error).message})` };
  }
}
