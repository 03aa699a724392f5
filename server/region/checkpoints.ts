// Where the service has read each changes feed up to, kept in a database only
// the service account can read or write. It used to live in each shopper's
// `_local` document, where the shopper could rewrite it and stall the region.
// A lost or unreadable checkpoint costs only a re-read: every answer is
// idempotent (see checkout.ts).
import { Couch, CouchError, docPath } from '../couch-client.ts';

/** The service's own database at its region node: members are the service account only. */
export const SERVICE_DB = 'sebaran-service';

/**
 * When a name's account was last deleted. Orders are kept by name; an account made later without an id
 * (straight in `_users`) must not be given the deleted account's orders.
 */
export async function noteDeletedAccount(couch: Couch, name: string, at = new Date().toISOString()) {
  const id = `deleted:${name}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await couch.getDoc(SERVICE_DB, id);
    const r = await couch.request('PUT', `/${SERVICE_DB}/${docPath(id)}`, { _id: id, ...(current ? { _rev: current._rev } : {}), at });
    if (r.status < 300 || r.status === 404) return;
  }
}

export async function deletedAccountAt(couch: Couch, name: string): Promise<number | null> {
  const doc = await couch.getDoc(SERVICE_DB, `deleted:${name}`).catch(() => null);
  return typeof doc?.at === 'string' ? Date.parse(doc.at) : null;
}

export const serviceDbSecurity = (serviceName: string) => ({
  admins: { names: [], roles: [] },
  members: { names: [serviceName], roles: [] },
});

export class Checkpoints {
  /**
   * `incarnation` names which database of that name a checkpoint belongs to: a shopper database deleted
   * and made again (a new account of the name, perhaps while the service was down) starts its feed anew,
   * and a position in the old one's feed would skip the new one's first requests.
   */
  private cache = new Map<string, { since: string | number; incarnation: string | null; _rev?: string }>();
  private unsaved = new Set<string>();

  constructor(private svc: Couch, private admin: Couch, private serviceName: string) {}

  /** `init` makes the database; this repeats it so a service never writes its state anywhere else. */
  async ensureDb() {
    const r = await this.admin.request('PUT', `/${SERVICE_DB}`);
    if (r.status >= 300 && r.status !== 412) throw new CouchError(r.status, r.json, `PUT ${SERVICE_DB}`);
    await this.admin.ok('PUT', `/${SERVICE_DB}/_security`, serviceDbSecurity(this.serviceName));
  }

  async since(key: string, incarnation: string | null = null): Promise<string | number> {
    const c = this.cache.get(key);
    if (c && c.incarnation === incarnation) return c.since;
    const doc = c ? { _rev: c._rev } : await this.svc.getDoc(SERVICE_DB, `checkpoint:${key}`);
    const same = ((doc as any)?.incarnation ?? null) === incarnation;
    const stored = (doc as any)?.since;
    const since = same && (typeof stored === 'string' || typeof stored === 'number') ? stored : 0;
    this.cache.set(key, { since, incarnation, _rev: doc?._rev });
    return since;
  }

  /** Where `key` was read up to, if the service has read it since it started (no request). */
  readUpTo(key: string): string | number | undefined {
    return this.cache.get(key)?.since;
  }

  /** Kept in memory at once, written out by `flush` every few seconds. */
  set(key: string, since: string | number, incarnation: string | null = null) {
    const c = this.cache.get(key);
    if (c && c.since === since && c.incarnation === incarnation) return;
    this.cache.set(key, { since, incarnation, _rev: c?._rev });
    this.unsaved.add(key);
  }

  async forget(key: string) {
    this.unsaved.delete(key);
    const doc = await this.svc.getDoc(SERVICE_DB, `checkpoint:${key}`);
    this.cache.delete(key);
    if (doc) await this.svc.request('DELETE', `/${SERVICE_DB}/${docPath(doc._id)}?rev=${doc._rev}`);
  }

  /** Writes every changed checkpoint in one request (each shopper database has one: hundreds per round). */
  async flush() {
    const keys = [...this.unsaved].filter((key) => this.cache.has(key));
    this.unsaved.clear();
    for (let i = 0; i < keys.length; i += 500) {
      const part = keys.slice(i, i + 500);
      const docs = part.map((key) => {
        const c = this.cache.get(key)!;
        const id = `checkpoint:${key}`;
        return { _id: id, ...(c._rev ? { _rev: c._rev } : {}), since: c.since, ...(c.incarnation ? { incarnation: c.incarnation } : {}) };
      });
      let res: any[];
      try {
        res = await this.svc.ok('POST', `/${SERVICE_DB}/_bulk_docs`, { docs });
      } catch (e) {
        for (const key of keys.slice(i)) this.unsaved.add(key);
        throw e;
      }
      await Promise.all(
        res.map(async (r, j) => {
          const key = part[j];
          const current = this.cache.get(key); // set() may have replaced it meanwhile: the rev goes on
          if (r.ok) {
            if (current) current._rev = r.rev;
            return;
          }
          // Someone (an operator) touched it: read its rev again and write ours next time.
          const doc = await this.svc.getDoc(SERVICE_DB, `checkpoint:${key}`).catch(() => null);
          if (current) current._rev = doc?._rev;
          this.unsaved.add(key);
        }),
      );
    }
  }
}
