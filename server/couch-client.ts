// A minimal CouchDB HTTP client for operators' tools and services: plain
// fetch, Basic auth, documented endpoints only (works on Apache CouchDB 3).
import { traced } from './request-trace.ts';

export interface Credentials {
  name: string;
  password: string;
}

export class CouchError extends Error {
  constructor(public status: number, public body: any, where: string) {
    super(`${where}: ${status} ${body?.error ?? ''} ${body?.reason ?? ''}`.trim());
  }
}

export class Couch {
  constructor(public url: string, public creds?: Credentials) {
    this.url = url.replace(/\/+$/, '');
  }

  as(creds?: Credentials) {
    return new Couch(this.url, creds);
  }

  get authHeader(): Record<string, string> {
    if (!this.creds) return {};
    return { Authorization: 'Basic ' + Buffer.from(`${this.creds.name}:${this.creds.password}`).toString('base64') };
  }

  /** Raw request; never throws on HTTP status. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { Accept: 'application/json', ...this.authHeader, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as any) : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    }
    const done = traced(method, path);
    const res = await fetch(this.url + path, init);
    const text = await res.text();
    done?.();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, json, headers: res.headers };
  }

  /** Request that must succeed (2xx), else throws a CouchError naming the call. */
  async ok(method: string, path: string, body?: unknown) {
    const r = await this.request(method, path, body);
    if (r.status >= 300) throw new CouchError(r.status, r.json, `${method} ${this.url}${path}`);
    return r.json;
  }

  async up(timeoutMs = 1000): Promise<boolean> {
    try {
      const res = await fetch(this.url + '/_up', { signal: AbortSignal.timeout(timeoutMs) });
      return res.ok;
    } catch {
      return false;
    }
  }

  async getDoc(db: string, id: string): Promise<any | null> {
    const r = await this.request('GET', `/${db}/${docPath(id)}`);
    if (r.status === 404) return null;
    if (r.status >= 300) throw new CouchError(r.status, r.json, `GET ${db}/${id}`);
    return r.json;
  }

  async bulk(db: string, docs: unknown[]) {
    const res = (await this.ok('POST', `/${db}/_bulk_docs`, { docs })) as any[];
    const failed = res.filter((r) => r.error);
    if (failed.length) throw new Error(`${db}: ${failed.length} document(s) refused, first: ${failed[0].id}: ${failed[0].reason}`);
    return res;
  }

  async allDocs(db: string, params = 'include_docs=true') {
    return (await this.ok('GET', `/${db}/_all_docs?${params}`)).rows as any[];
  }
}

/** The node failed (5xx, or no answer at all), as against refusing the request (4xx). */
export function isNodeFailure(e: unknown) {
  return !(e instanceof CouchError) || e.status >= 500;
}

/** A document's URL path: design and local ids keep their slash, as CouchDB expects. */
export function docPath(id: string) {
  const m = /^(_design|_local)\/(.*)$/.exec(id);
  return m ? `${m[1]}/${encodeURIComponent(m[2])}` : encodeURIComponent(id);
}

/** Polls until `check` is true or the time is up; returns whether it became true. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (await check()) return true;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}
