// Shoppers' accounts at the region node: every shopper gets a per-user
// database (if the sign-up did not make it) and a profile in `ops`, and its
// account is backed up (backup.ts); a deleted account's database is deleted
// with it, and a database made for an earlier account of the same name is
// replaced (provisionUserDb), so a new account of the same name starts empty. One account the service cannot handle (a name no database
// can carry, a profile the rules refuse) is logged and skipped: it never
// stops the others, nor the service's start.
import { noteDeletedAccount } from './checkpoints.ts';
import { Couch } from '../couch-client.ts';
import { provisionUserDb } from '../ops/userdb.ts';
import { Initializer } from '../ops/init.ts';
import { Email, LIMITS, UserProfile, Username, ids, userDbName } from '../../src/lib/model/index.ts';
import { ownerOf } from './shopper-dbs.ts';
import type { ShopperBackup } from './backup.ts';

const nowIso = () => new Date().toISOString();
const PROVISION_CONCURRENCY = 4;

/** Runs `fn` on every item, at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class Shoppers {
  private profiles = new Set<string>();
  private provisioned = new Set<string>();
  private skipped = new Set<string>();
  readonly stats = { provisioned: 0, removed: 0 };

  constructor(
    private admin: Couch, private svc: Couch, private R: string, private log: (l: string) => void, private backup?: ShopperBackup,
  ) {}

  /** Every shopper account, provisioned; returns the names of live shopper accounts (null if _users was unreadable). */
  async syncAll(): Promise<Set<string>> {
    const users = await this.admin.allDocs('_users', 'include_docs=true');
    const live = new Set<string>();
    const shoppers: any[] = [];
    for (const row of users) {
      const u = row.doc;
      if (u?.type !== 'user' || typeof u.name !== 'string' || (Array.isArray(u.roles) && u.roles.length > 0)) continue; // staff and services have no shop database
      live.add(u.name);
      if (!Username.safeParse(u.name).success) {
        // Made by an operator outside the sign-up rules: no database name or order id can carry it.
        if (!this.skipped.has(u.name)) this.log(`[${this.R}] account ${JSON.stringify(u.name.slice(0, 60))} is not a valid shopper name; skipped`);
        this.skipped.add(u.name);
        continue;
      }
      shoppers.push(u);
    }
    // A few at a time: a new database is a few round trips and a file sync at the node, so a region's
    // first start with many accounts waits on latency, not on the node's CPU.
    await eachLimited(shoppers, PROVISION_CONCURRENCY, async (u) => {
      // Each on its own: a database that cannot be made now must not cost the shopper their profile.
      try {
        await this.provision(u.name, typeof u.account_id === 'string' ? u.account_id : null);
      } catch (e) {
        this.log(`[${this.R}] shopper ${u.name}: ${(e as Error).message}`);
      }
      try {
        await this.ensureProfile(u);
      } catch (e) {
        this.log(`[${this.R}] profile of ${u.name}: ${(e as Error).message}`);
      }
    });
    await this.backup?.syncAccounts(shoppers).catch((e) => this.log(`[${this.R}] backup of accounts: ${(e as Error).message}`));
    return live;
  }

  /** Deletes shopper databases whose account is gone; returns the databases deleted. */
  async removeOrphans(live: Set<string>, dbs: string[]) {
    const removed: string[] = [];
    for (const db of dbs) {
      if (!db.startsWith('userdb-') || live.has(ownerOf(db))) continue;
      // The list of accounts was read before the list of databases: a sign-up in between is no orphan.
      if (await this.admin.getDoc('_users', `org.couchdb.user:${ownerOf(db)}`)) continue;
      const r = await this.admin.request('DELETE', `/${db}`);
      if (r.status < 300 || r.status === 404) {
        removed.push(db);
        for (const k of this.provisioned) if (k.startsWith(`${ownerOf(db)}/`)) this.provisioned.delete(k);
        this.backup?.forget(db);
        this.stats.removed++;
        await noteDeletedAccount(this.svc, ownerOf(db)).catch(() => {});
        this.log(`[${this.R}] account ${ownerOf(db)} is gone: deleted ${db}`);
      } else this.log(`[${this.R}] cannot delete ${db}: ${r.status} ${r.json?.reason ?? ''}`);
    }
    return removed;
  }

  private async provision(name: string, accountId: string | null) {
    const key = `${name}/${accountId}`;
    if (this.provisioned.has(key)) return;
    const init = new Initializer();
    const { replaced } = await provisionUserDb(this.admin, name, this.R, accountId, init);
    if (replaced) {
      this.backup?.forget(userDbName(name));
      this.log(`[${this.R}] ${name} is a new account: the database of an earlier ${name} was deleted`);
    }
    if (init.changes) {
      this.stats.provisioned++;
      this.log(`[${this.R}] per-user database for ${name}`);
    }
    this.provisioned.add(key);
  }

  /** The shopper's profile in `ops`, for the regional admin's user list, from what they gave at sign-up. */
  private async ensureProfile(u: any) {
    const id = ids.user(this.R, u.name);
    if (this.profiles.has(id)) return;
    if (await this.svc.getDoc('ops', id)) {
      this.profiles.add(id);
      return;
    }
    const fullName = typeof u.full_name === 'string' ? u.full_name.trim().slice(0, LIMITS.fullName).trim() : '';
    const profile = {
      _id: id, type: 'user', region_code: this.R, name: u.name, full_name: fullName || u.name,
      // An address the profile's own schema (and so the node) would refuse is replaced, never half-kept.
      email: Email.safeParse(u.email).success ? u.email : `${u.name}@belum-diisi.invalid`,
      created_at: nowIso(),
    };
    const valid = UserProfile.safeParse(profile);
    if (!valid.success) {
      this.log(`[${this.R}] profile for ${u.name} skipped: ${valid.error.issues[0].message}`);
      this.profiles.add(id);
      return;
    }
    const r = await this.svc.request('PUT', `/ops/${encodeURIComponent(id)}`, valid.data);
    if (r.status < 300 || r.status === 409) this.profiles.add(id);
    else this.log(`[${this.R}] profile for ${u.name} refused: ${r.json?.reason}`);
  }
}
