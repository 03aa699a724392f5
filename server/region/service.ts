// The region service: the one writer of a region's stock snapshot, orders
// and order copies (DESIGN section 2). This file is its loops and wiring;
// each job has its own module:
//  - checkout.ts: checkout requests -> orders or rejections (the decision protocol),
//  - stock.ts:    the ledger fold and the snapshots written from it,
//  - tallies.ts:  what each item sold, from the same fold (the best sellers),
//  - requests.ts: admin requests, each answered with a result,
//  - shoppers.ts: per-user databases and profiles, deleted accounts,
//  - health.ts:   the node's replication report for central,
//  - ops-feed.ts: the ops feed (ledger entries, admin requests, orders) read into the stock,
//  - db-updates-feed.ts: the node's announcements of shopper databases and accounts,
//  - backup.ts, backup-pacer.ts: the shopper backup, and when it runs,
//  - checkpoints.ts: where each feed was read up to, in a database only the service can use.
// All stock decisions run one at a time (`serial`), so stock never goes below
// zero; any item the service cannot handle is logged and answered or retried
// alone, so one bad account, database or request affects only its sender.
import { Couch, isNodeFailure, type Credentials } from '../couch-client.ts';
import { Checkpoints } from './checkpoints.ts';
import { Stock } from './stock.ts';
import { SalesTallies } from './tallies.ts';
import { Checkout } from './checkout.ts';
import { ownerOf } from './shopper-dbs.ts';
import { AdminRequests } from './requests.ts';
import { Shoppers } from './shoppers.ts';
import { Health } from './health.ts';
import { AdminCalls } from './admin-calls.ts';
import { ShopperBackup } from './backup.ts';
import { Backoff, RETRY_MS } from './backoff.ts';
import { unannounced } from './sweep.ts';
import { BackupPacer } from './backup-pacer.ts';
import { followOps } from './ops-feed.ts';
import { followDbUpdates } from './db-updates-feed.ts';

export interface ServiceOptions {
  region: string;
  url: string;
  admin: Credentials;
  service: Credentials;
  log?: (line: string) => void;
  /** How often to look for shopper databases that changed unannounced (sweep.ts); a minute by default. */
  sweepMs?: number;
}

/**
 * Shopper databases read in one checkout round (each a page of its feed: checkout.ts PAGE), so what a
 * round holds stays bounded however many write at once. Not lower: at 100, CouchDB answered a burst
 * of 500 shoppers about a fifth slower (59-64 /s against 75-80 /s, `--throughput --quick`).
 */
const ROUND_DBS = 500;

export class RegionService {
  /** The server admin, confined to the calls CouchDB keeps to it (admin-calls.ts); all data goes through `svc`. */
  private admin: AdminCalls;
  private svc: Couch;
  private R: string;
  private log: (l: string) => void;
  private stopped = false;
  private aborts = new Set<AbortController>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private dirty = new Set<string>();
  private scheduled = false;
  /** Databases that failed, and when they may be read again: a broken one never spins the loop. */
  private backoff = new Backoff(() => this.schedule(), RETRY_MS);
  private checkpoints: Checkpoints;
  private stock: Stock;
  private tallies: SalesTallies;
  private checkout: Checkout;
  private requests: AdminRequests;
  private shoppers: Shoppers;
  private health: Health;
  private backup: ShopperBackup;
  private pacer: BackupPacer;
  private sweepMs: number;

  constructor(o: ServiceOptions) {
    this.sweepMs = o.sweepMs ?? 60_000;
    this.admin = new AdminCalls(o.url, o.admin);
    this.svc = new Couch(o.url, o.service);
    this.R = o.region;
    this.log = o.log ?? (() => {});
    this.checkpoints = new Checkpoints(this.svc, this.admin, o.service.name);
    this.stock = new Stock(this.svc, this.R, this.log);
    this.tallies = new SalesTallies(this.svc, this.R, this.stock, (fn) => this.serial(fn), this.log);
    this.stock.changed = (ids) => this.tallies.note(ids);
    this.checkout = new Checkout(this.svc, this.R, this.stock, this.checkpoints, o.service.name, this.log);
    this.requests = new AdminRequests(this.svc, this.R, this.stock, this.checkout, o.service.name, this.log);
    this.backup = new ShopperBackup(this.admin, this.svc, this.checkpoints, this.R, this.log);
    this.shoppers = new Shoppers(this.admin, this.svc, this.R, this.log, this.backup);
    this.health = new Health(this.admin, this.svc, this.R, this.log);
    this.pacer = new BackupPacer(this.backup, {
      failed: (dbs) => {
        for (const db of dbs) this.dirty.add(db);
        setTimeout(() => this.schedule(), RETRY_MS * 5).unref?.();
      },
      trouble: (e) => this.trouble(e),
      stopped: () => this.stopped,
      log: (l) => this.log(`[${this.R}] ${l}`),
    });
  }

  get stats() {
    return { ...this.checkout.stats, ...this.requests.stats, ...this.shoppers.stats, ...this.backup.stats };
  }

  /** Throws only when the node cannot be reached (main.ts retries); no document can stop it. */
  async start() {
    // Each step's time is logged: a slow start says where it went.
    const steps: string[] = [];
    const step = async (name: string, fn: () => Promise<unknown>) => {
      const t0 = Date.now();
      await fn();
      steps.push(`${name} ${Date.now() - t0} ms`);
    };
    await step('checkpoints', () => this.checkpoints.ensureDb());
    await step('sales tallies', () => this.tallies.load());
    await step('stock fold', () => this.stock.load());
    await step('recover', () => this.checkout.recover());
    // Where the node's announcements stand before the shoppers are read: a sign-up or a checkout that
    // comes while they are read (or before the feed's first request reaches the node) is then announced.
    let announced = 'now';
    await step('announcements', async () => (announced = await this.admin.dbUpdatesSeq()));
    let live = new Set<string>();
    await step('shoppers', async () => (live = await this.syncShoppers(true, false)));
    await step('first round', () => this.serial(() => this.processDirty()));
    this.log(`[${this.R}] start: ${steps.join(', ')}`);
    // Copies of old orders are a repair: new orders get theirs with their decisions, so checkouts do not
    // wait on it. At a million ledger entries it is the longest part of a start (ids of every order).
    const t0 = Date.now();
    void this.checkout
      .backfillCopies(live, () => this.stopped)
      .then(() => this.log(`[${this.R}] start: order copies checked in ${Date.now() - t0} ms`))
      .catch((e) => this.log(`[${this.R}] order copies: ${(e as Error).message}`));
    void followDbUpdates(
      {
        admin: this.admin, written: (db) => this.dirty.add(db), deleted: (db) => this.checkout.forget(db),
        syncShoppers: (rescan) => this.syncShoppers(rescan), round: () => this.serial(() => this.processDirty()),
        schedule: () => this.schedule(), stopped: () => this.stopped, log: (l) => this.log(`[${this.R}] ${l}`),
      },
      announced,
      this.abortable().signal,
    );
    void followOps(
      {
        svc: this.svc, checkpoints: this.checkpoints, stock: this.stock, requests: this.requests,
        serial: (fn) => this.serial(fn), trouble: (e) => this.trouble(e), stopped: () => this.stopped, log: (l) => this.log(`[${this.R}] ${l}`),
      },
      this.abortable().signal,
    );
    void this.healthTick();
    this.timers.push(setInterval(() => void this.healthTick(), 15_000));
    this.timers.push(setInterval(() => void this.checkpoints.flush().catch(() => {}), 3000));
    this.timers.push(setInterval(() => void this.sweep(), this.sweepMs));
    this.log(`[${this.R}] region service running: ${this.stock.snapshots.size} stock items`);
  }

  async stop() {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.backoff.close();
    for (const a of this.aborts) a.abort();
    await this.chain.catch(() => {});
    await this.tallies.close();
    await this.checkpoints.flush().catch(() => {});
  }

  /** Runs `fn` after everything queued before it; reloads the state first if a write's outcome was unknown. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = async () => {
      if (this.checkout.stale) {
        await this.stock.load();
        await this.checkout.recover();
      }
      return fn();
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }

  /**
   * The node failed a write of ours (a full disk, a crashed database): what it announced meanwhile may
   * be lost, since CouchDB's `_db_updates` is itself written to a database (`_global_changes`). Seen on
   * CouchDB: a burst written just before the disk filled was never announced, and nothing read it.
   */
  private troubled = false;
  private trouble(e?: unknown) {
    if (e === undefined || isNodeFailure(e)) this.troubled = true;
  }

  /** Every 15 s: the health report, then, after trouble, every shopper database read again. */
  private async healthTick() {
    if (!(await this.health.report(() => this.stopped))) this.trouble();
    if (!this.troubled || this.stopped) return;
    this.troubled = false;
    this.log(`[${this.R}] the node failed writes: reading every shopper database again`);
    try {
      await this.syncShoppers(true);
    } catch (e) {
      this.trouble();
      this.log(`[${this.R}] shoppers: ${(e as Error).message}`);
    }
    this.schedule();
  }

  /** Shopper databases that changed without an announcement (sweep.ts) are read like announced ones. */
  private sweeping = false;
  private async sweep() {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      const missed = (await unannounced(this.admin, (db) => this.checkpoints.readUpTo(db))).filter((db) => !this.dirty.has(db));
      if (!missed.length || this.stopped) return;
      for (const db of missed) this.dirty.add(db);
      this.schedule();
    } catch (e) {
      if (!this.stopped) this.log(`[${this.R}] sweep: ${(e as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Provisions every shopper and deletes the databases of deleted accounts; with `rescan` (at start, and
   * after a gap in the feed) marks every shopper database to be read, else the feed says which changed.
   */
  private async syncShoppers(rescan = false, backfill = true) {
    const live = await this.shoppers.syncAll();
    const dbs = ((await this.admin.ok('GET', '/_all_dbs')) as string[]).filter((d) => d.startsWith('userdb-'));
    for (const db of await this.shoppers.removeOrphans(live, dbs)) {
      this.dirty.delete(db);
      this.backoff.forget(db);
      this.checkout.forget(db);
      await this.checkpoints.forget(db).catch(() => {});
    }
    if (rescan) {
      const mine = dbs.filter((db) => live.has(ownerOf(db)));
      for (const db of mine) this.dirty.add(db);
      this.backup.recheck(mine);
    }
    if (backfill) await this.checkout.backfillCopies(live, () => this.stopped);
    return live;
  }

  private schedule() {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    void this.serial(async () => {
      this.scheduled = false;
      await this.processDirty();
    }).catch((e) => {
      // Reloading the state failed before the round could start (the node refused): try again later.
      this.scheduled = false;
      this.log(`[${this.R}] checkout round: ${(e as Error).message}`);
      setTimeout(() => this.schedule(), RETRY_MS).unref?.();
    });
  }

  private async processDirty() {
    // At most ROUND_DBS databases a round, oldest first (the rest wait in `dirty`; the next round starts at once).
    const batch = this.backoff.due(this.dirty).slice(0, ROUND_DBS);
    if (!batch.length) return this.backoff.arm(this.dirty);
    for (const db of batch) this.dirty.delete(db);
    let failed: Set<string>;
    try {
      failed = await this.checkout.process(batch);
    } catch (e) {
      failed = new Set(batch);
      this.trouble(e);
      this.log(`[${this.R}] checkout batch: ${(e as Error).message}`);
    }
    // After the answers, so a round's order copies are in the same copy; a database whose feed showed
    // only design documents (its provisioning, announced late) costs no second read. The copy runs on
    // its own chain: the next round's answers do not wait for the backup (after a burst it is busy).
    const toCopy = batch.filter((d) => !failed.has(d) && this.backup.needs(d, this.checkout.touched.has(d)));
    for (const db of batch) this.checkout.touched.delete(db);
    if (toCopy.length) this.pacer.add(toCopy);
    for (const db of batch) if (!failed.has(db)) this.backoff.succeeded(db);
    for (const db of failed) {
      this.backoff.failed(db);
      this.dirty.add(db);
    }
    for (const db of this.checkout.more) if (!failed.has(db)) this.dirty.add(db);
    this.checkout.more.clear();
    if (this.backoff.due(this.dirty).length) this.schedule();
    // Whatever waits out a back-off has a wake-up, whichever way this round ended.
    this.backoff.arm(this.dirty);
  }

  private abortable() {
    const a = new AbortController();
    this.aborts.add(a);
    return a;
  }
}
