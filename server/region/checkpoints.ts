// Where the service has read each changes feed up to, kept in a database only
// the service account can read or write. It used to live in each shopper's
// `_local` document, where the shopper could rewrite it and stall the region.
// A lost or unreadable checkpoint costs only a re-read: every answer is
// idempotent (see checkout.ts).
import { Couch, CouchError, docPath } from '../couch-client.ts';

/** The service's own database at its region node: members are the service account only. */
export const SERVICE_DB = 'sebaran-service';

export const serviceDbSecurity = (serviceName: string) => ({
  admins: { names: [], roles: [] },
  members: { names: [serviceName], roles: [] },
});

export class Checkpoints {
  private cache = new Map<string, { since: string | number; _rev?: string }>();
  private unsaved = new Set<string>();

  constructor(private svc: Couch, private admin: Couch, private serviceName: string) {}

  /** `init` makes the database; this repeats it so a service never writes its state anywhere else. */
  async ensureDb() {
    const r = await this.admin.request('PUT', `/${SERVICE_DB}`);
    if (r.status >= 300 && r.status !== 412) throw new CouchError(r.status, r.json, `PUT ${SERVICE_DB}`);
    await this.admin.ok('PUT', `/${SERVICE_DB}/_security`, serviceDbSecurity(this.serviceName));
  }

  async since(key: string): Promise<string | number> {
    const c = this.cache.get(key);
    if (c) return c.since;
    const doc = await this.svc.getDoc(SERVICE_DB, `checkpoint:${key}`);
    const since = typeof doc?.since === 'string' || typeof doc?.since === 'number' ? doc.since : 0;
    this.cache.set(key, { since, _rev: doc?._rev });
    return since;
  }

  /** Kept in memory at once, written out by `flush` every few seconds. */
  set(key: string, since: string | number) {
    const c = this.cache.get(key);
    if (c && c.since === since) return;
    this.cache.set(key, { since, _rev: c?._rev });
    this.unsaved.add(key);
  }

  async forget(key: string) {
    this.unsaved.delete(key);
    const doc = await this.svc.getDoc(SERVICE_DB, `checkpoint:${key}`);
    this.cache.delete(key);
    if (doc) await this.svc.request('DELETE', `/${SERVICE_DB}/${docPath(doc._id)}?rev=${doc._rev}`);
  }

  async flush() {
    const keys = [...this.unsaved];
    this.unsaved.clear();
    await Promise.all(
      keys.map(async (key) => {
        const c = this.cache.get(key);
        if (!c) return;
        const id = `checkpoint:${key}`;
        const r = await this.svc.request('PUT', `/${SERVICE_DB}/${docPath(id)}`, { _id: id, ...(c._rev ? { _rev: c._rev } : {}), since: c.since });
        if (r.status < 300) c._rev = r.json.rev;
        else {
          // Someone (an operator) touched it: read its rev again and write ours next time.
          const doc = await this.svc.getDoc(SERVICE_DB, id).catch(() => null);
          c._rev = doc?._rev;
          this.unsaved.add(key);
        }
      }),
    );
  }
}
