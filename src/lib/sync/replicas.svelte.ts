// A region's catalog and stock on the device: the two pulled replicas, the
// view the shop pages read from them, and getting them ready for offline use.
// One instance per region in view; a region change stops it and makes another.
import PouchDB from 'pouchdb-browser';
import { pullChanges, hasPulled } from './pull.ts';
import { CatalogView } from './catalog-view.ts';
import { nodeUrl } from './node-client.ts';
import { firstPageDocs } from './first-page.ts';

type Name = 'catalog' | 'inventory';
/** The longest a first page may hold back the snapshot (it takes two round trips of small requests). */
const FIRST_PAGE_WAIT_MS = 3000;
export type BuiltView = ReturnType<CatalogView['build']>;

export interface ReplicaHooks {
  /** A new view of the catalog and stock to show; `firstPage`: only a first visit's first page (first-page.ts). */
  publish(v: BuiltView, firstPage?: boolean): void;
  /** The node answered (true) or could not be reached (false). */
  reached(ok: boolean): void;
  syncing(on: boolean): void;
}

export class RegionReplicas {
  /** Documents written locally during the very first pull (progress while nothing is shown yet). */
  loaded = $state(0);
  /** The first pull's documents being written to the device, per replica: the shop shows them before. */
  writing = $state.raw<Partial<Record<Name, { done: number; total: number }>>>({});
  /** Both replicas are on the device: a reload without network shows this catalog. */
  dataReady = $state(false);
  private readonly dbs: Record<Name, PouchDB.Database>;
  private readonly view: CatalogView;
  private readonly pulled = { catalog: false, inventory: false };
  private abort: AbortController | null = null;
  private stopped = false;
  /** The whole catalog has been shown: a first page arriving late is dropped. */
  private shownAll = false;

  constructor(readonly region: string, private hooks: ReplicaHooks) {
    this.dbs = { catalog: new PouchDB(`sebaran-${region}-catalog`), inventory: new PouchDB(`sebaran-${region}-inventory`) };
    this.view = new CatalogView(this.dbs.catalog, this.dbs.inventory);
  }

  /** Shows what the device holds, if it holds both replicas. */
  async open() {
    this.pulled.catalog = await hasPulled(this.dbs.catalog);
    this.pulled.inventory = await hasPulled(this.dbs.inventory);
    const ready = this.pulled.catalog && this.pulled.inventory;
    if (ready && (await this.view.loadCache())) this.show();
    else if (ready) await this.refresh();
    this.dataReady = ready;
  }

  /**
   * Keeps both replicas current: one long-poll loop per database, backing off when offline. A first
   * pull shows its documents as soon as both have arrived, while they are still being written to the
   * device; `dataReady` (and the offline bar) say when a reload could do without network.
   */
  start() {
    if (this.stopped) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const arrived = new Set<Name>();
    const live = () => !this.stopped && !abort.signal.aborted;
    // A first visit asks for its first page before the snapshot: on a busy node (and on a phone) the
    // megabytes of the snapshot would otherwise delay the few kilobytes the shopper sees first. A
    // first page that hangs holds the snapshot back by FIRST_PAGE_WAIT_MS at most.
    const head = this.shownAll ? null : Promise.race([this.firstPage(abort.signal), new Promise((r) => setTimeout(r, FIRST_PAGE_WAIT_MS))]);
    const loop = async (name: Name) => {
      if (head && !this.pulled[name]) await head;
      let backoff = 1000;
      let first = true;
      let snapshot = false;
      const onSnapshot = (docs: any[]) => {
        if (!live()) return;
        snapshot = true;
        this.writing = { ...this.writing, [name]: { done: 0, total: docs.length } };
        this.view.takeAll(docs);
        arrived.add(name);
        const other: Name = name === 'catalog' ? 'inventory' : 'catalog';
        if (arrived.has(other) || this.pulled[other]) this.show();
      };
      const onProgress = (p: { phase: string; docs: number }) => {
        if (!live()) return;
        this.loaded = p.docs;
        const w = this.writing[name];
        if (p.phase === 'snapshot' && w) this.writing = { ...this.writing, [name]: { done: p.docs, total: w.total } };
      };
      while (live()) {
        try {
          this.hooks.syncing(true);
          snapshot = false;
          // Photos are not pulled: they are fetched by URL as they scroll into view (stock has none).
          const attachments = 'names';
          const url = `${nodeUrl(this.region)}/${name}`;
          await pullChanges({ url, local: this.dbs[name], onProgress, onSnapshot, attachments }, !first, 25_000, abort.signal);
          if (!live()) return;
          if (snapshot) {
            // What was shown is now on the device: the view goes on from the replica's own sequence.
            this.view.caughtUp(name, (await this.dbs[name].info()).update_seq);
            this.pulled[name] = true;
            this.dataReady = this.pulled.catalog && this.pulled.inventory;
          }
          await this.refresh();
          this.hooks.reached(true);
          backoff = 1000;
          first = false;
        } catch {
          if (!live()) return;
          this.hooks.reached(false);
          this.hooks.syncing(false);
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    };
    void loop('catalog');
    void loop('inventory');
  }

  /** The network came back: a fresh pull now instead of waiting out the back-off. */
  restart() {
    if (this.abort) this.start();
  }

  stop() {
    this.stopped = true;
    this.abort?.abort();
  }

  /** Getting ready for offline use: the first pull's writes plus `photos`, as one figure (null: ready). */
  offlinePrep(photos: { done: number; total: number; failed: number } | null) {
    const w = Object.values(this.writing);
    const done = w.reduce((n, x) => n + x.done, 0) + (photos?.done ?? 0);
    const total = w.reduce((n, x) => n + x.total, 0) + (photos?.total ?? 0);
    return total && done < total ? { done, total, failed: photos?.failed ?? 0 } : null;
  }

  private show() {
    if (this.stopped) return;
    this.shownAll = true;
    this.hooks.publish(this.view.build());
  }

  /** A first visit shows its first page while the snapshot is on its way (first-page.ts). */
  private async firstPage(signal: AbortSignal) {
    try {
      const docs = await firstPageDocs(this.region, signal);
      if (!docs || this.stopped || signal.aborted || this.shownAll) return;
      // Its own view: the replicas' view takes only what the snapshot and the changes feed say.
      const page = new CatalogView(this.dbs.catalog, this.dbs.inventory);
      page.takeAll(docs);
      this.hooks.publish(page.build(), true);
    } catch {
      /* only a head start: the snapshot shows the catalog */
    }
  }

  /** Applies what changed in the local replicas since the last look. */
  private async refresh() {
    await this.view.update();
    // Not before both replicas are here: on a first visit the stock's pull (small) ends before the
    // catalog's, and showing then replaced the first page with "0 products" until the catalog came.
    if (this.shownAll || (this.pulled.catalog && this.pulled.inventory)) this.show();
  }
}
