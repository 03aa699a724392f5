// The browser's one client for a node's HTTP API (CouchDB's), through the app's /db/<node> proxy:
// where a node is, its session (the cookie is scoped to that path, so each node has its own),
// documents, key ranges and views, and errors as RequestError (status + CouchDB error name).
// The shop, the regional admin and the central admin all speak to their nodes through this.
import { viewQuery } from './key-pager.ts';
import { RequestError } from './request-error.ts';
import { viewPath } from '../model/design.ts';

/** Where a node is, seen from the browser: its code, lower-cased, under the app's proxy. */
export const nodeUrl = (code: string) => `${location.origin}/db/${code.toLowerCase()}`;

export interface Session {
  name: string;
  roles: string[];
}

export interface ViewRow {
  id?: string;
  key: any;
  value: any;
  doc?: any;
}

const json = { 'Content-Type': 'application/json' };

/**
 * A sign-out the node has not heard yet (made offline): its cookie is HttpOnly, so only the node can
 * end the session. Until it has, the session is not taken up again, and every session check first
 * tries to end it: on a shared phone, "Keluar" must hold after a reload and when the network returns.
 */
const OWED = (code: string) => `sebaran.signOutOwed.${code.toLowerCase()}`;
const store = () => (typeof localStorage === 'undefined' ? null : localStorage);
/** A sign-out this device made that the node has not heard yet. */
export const signOutOwed = (code: string) => !!store()?.getItem(OWED(code));

/**
 * Session calls to one node, one after another: a sign-in must not be overtaken by an owed sign-out's
 * answer, whose cookie-clearing header would land after the new cookie and end the new session.
 */
const turns = new Map<string, Promise<unknown>>();
function inTurn<T>(code: string, op: () => Promise<T>): Promise<T> {
  const key = code.toLowerCase();
  const next = (turns.get(key) ?? Promise.resolve()).then(op, op);
  turns.set(key, next.catch(() => {}));
  return next;
}
const range = (prefix: string) => `startkey=${encodeURIComponent(JSON.stringify(prefix))}&endkey=${encodeURIComponent(JSON.stringify(prefix + '\uffff'))}`;

export class NodeClient {
  constructor(readonly code: string) {}

  get url() {
    return nodeUrl(this.code);
  }

  /** A JSON request; a non-2xx answer throws RequestError, no answer throws TypeError (offline). */
  async call(path: string, init: RequestInit = {}) {
    const res = await fetch(this.url + path, { credentials: 'include', ...init, headers: { ...json, ...(init.headers ?? {}) } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new RequestError(res.status, body?.error, body?.reason);
    return body;
  }

  /** Who the node's cookie belongs to: a session, null when signed out, 'offline' when the node is unreachable.
   *  With a sign-out owed it is nobody's, whether or not the node can hear the sign-out now. */
  session(): Promise<Session | null | 'offline'> {
    return inTurn(this.code, async () => {
      if (signOutOwed(this.code)) {
        await this.endSession();
        return null;
      }
      try {
        const ctx = (await this.call('/_session'))?.userCtx;
        return ctx?.name ? { name: ctx.name, roles: Array.isArray(ctx.roles) ? ctx.roles : [] } : null;
      } catch (e) {
        // A 5xx is the app server saying the node is down (502), not the node saying "signed out".
        return e instanceof RequestError && e.status < 500 ? null : 'offline';
      }
    });
  }

  signIn(name: string, password: string): Promise<Session | 'wrong' | 'offline'> {
    return inTurn(this.code, async () => {
      try {
        const body = await this.call('/_session', { method: 'POST', body: JSON.stringify({ name, password }) });
        store()?.removeItem(OWED(this.code)); // a new session replaces the one that was to end
        return { name: body?.name ?? name, roles: Array.isArray(body?.roles) ? body.roles : [] };
      } catch (e) {
        return e instanceof RequestError && e.status === 401 ? 'wrong' : 'offline';
      }
    });
  }

  /** Ends the node's session; false when the node did not hear it (offline, or down behind the app server), which is then owed. */
  signOut(): Promise<boolean> {
    // Owed from the click on, not from a failed answer: a reload or a closed tab while the request is
    // on its way aborts it without an answer, and the next page must still find the session ended.
    store()?.setItem(OWED(this.code), '1');
    return inTurn(this.code, () => this.endSession());
  }

  private async endSession(): Promise<boolean> {
    try {
      await this.call('/_session', { method: 'DELETE' });
    } catch (e) {
      // Only the node's own answer carries the header that clears the cookie: a 5xx from the app server does not.
      if (!(e instanceof RequestError) || e.status >= 500) {
        store()?.setItem(OWED(this.code), '1');
        return false;
      }
    }
    store()?.removeItem(OWED(this.code));
    return true;
  }

  get(db: string, id: string) {
    return this.call(`/${db}/${encodeURIComponent(id)}`);
  }

  put(db: string, doc: { _id: string }) {
    return this.call(`/${db}/${encodeURIComponent(doc._id)}`, { method: 'PUT', body: JSON.stringify(doc) });
  }

  remove(db: string, id: string, rev: string) {
    return this.call(`/${db}/${encodeURIComponent(id)}?rev=${encodeURIComponent(rev)}`, { method: 'DELETE' });
  }

  /** Every document whose id starts with `prefix` (small sets: warehouses, categories, one region's requests). */
  async allDocs(db: string, prefix: string) {
    return ((await this.call(`/${db}/_all_docs?include_docs=true&${range(prefix)}`)).rows as any[]).map((r) => r.doc).filter(Boolean);
  }

  /** The documents with these ids, in that order; a missing or deleted one is left out. */
  async docs(db: string, ids: string[]) {
    if (!ids.length) return [];
    const rows = (await this.call(`/${db}/_all_docs?include_docs=true`, { method: 'POST', body: JSON.stringify({ keys: ids }) })).rows as any[];
    return rows.map((r) => r.doc).filter(Boolean);
  }

  /** Which of these ids the node holds (not deleted). */
  async has(db: string, ids: string[]) {
    if (!ids.length) return new Set<string>();
    const rows = (await this.call(`/${db}/_all_docs`, { method: 'POST', body: JSON.stringify({ keys: ids }) })).rows as any[];
    return new Set(rows.filter((r) => r.value && !r.value.deleted).map((r) => r.id as string));
  }

  /** A view of `db` (in whichever design document holds it), e.g. view('ops', 'orders_by_day', { group: true }). */
  async view(db: string, name: string, params: Record<string, unknown> = {}): Promise<ViewRow[]> {
    return (await this.call(`${viewPath(db, name)}?${viewQuery(params)}`)).rows;
  }

  /** An attachment's URL (the session cookie goes with the image request). */
  attachmentUrl(db: string, id: string, name: string, rev?: string) {
    return `${this.url}/${db}/${encodeURIComponent(id)}/${name}${rev ? `?rev=${encodeURIComponent(rev)}` : ''}`;
  }
}
