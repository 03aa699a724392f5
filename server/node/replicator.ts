// The `_replicator` database, as CouchDB 3's scheduler reads it: every
// document is one replication (source, target, continuous, selector or
// doc_ids), run by PouchDB 9 which filters by Mango selector on the source.
// Status is served in the shape of `/_scheduler/docs`.
import PouchDB from 'pouchdb-node';
import { createHash } from 'node:crypto';
import type { Store } from './store.ts';
import { CheckpointCache } from './checkpoints.ts';
import { connectionTimeoutOf, endpointUrl, type Endpoint } from './replication-doc.ts';
import { IDLE_LIMIT_MS, remote } from './remote-db.ts';

interface Job {
  docId: string;
  key: string;
  source: Endpoint;
  target: Endpoint;
  continuous: boolean;
  rep: PouchDB.Replication.Replication<{}> | null;
  state: 'initializing' | 'running' | 'pending' | 'crashing' | 'completed' | 'failed';
  info: Record<string, any>;
  errorCount: number;
  startTime: string;
  lastUpdated: string;
  lastSeq: string | number;
  sourceDb: PouchDB.Database;
  /** Both ends' checkpoint writers: flushed when the job ends. */
  checkpoints: CheckpointCache[];
}

const MAX_BACKOFF_MS = 10_000;

const seqNumber = (s: unknown) => {
  const n = parseInt(String(s ?? '0'), 10);
  return Number.isFinite(n) ? n : 0;
};

/** A stable id for what a job does (CouchDB hashes the same inputs), marked `+continuous` as there. */
function replicationId(j: Job) {
  return createHash('md5').update(j.key).digest('hex') + (j.continuous ? '+continuous' : '');
}

/** Cancels a job's replication and writes its waiting checkpoints (never throws). */
async function end(j: Job) {
  j.rep?.cancel();
  await Promise.all(j.checkpoints.map((c) => c.close().catch(() => {})));
}

export class Replicator {
  private jobs = new Map<string, Job>();
  private feed: PouchDB.Core.Changes<{}> | null = null;

  constructor(private store: Store) {}

  async start() {
    // A _replicator reopened after a storage error is a new PouchDB instance: follow that one (replaying is harmless).
    this.store.onReopen((name) => {
      if (name !== '_replicator' || !this.feed) return;
      this.feed.cancel();
      void this.follow();
    });
    await this.follow();
  }

  private async follow() {
    const db = await this.store.get('_replicator');
    this.feed = db.pouch
      .changes({ live: true, since: 0, include_docs: true })
      .on('change', (c) => this.onDoc(c.id, c.deleted ? null : c.doc))
      .on('error', (e) => console.error('[replicator] feed error', e));
  }

  private onDoc(id: string, doc: any) {
    if (id.startsWith('_design/')) return;
    const existing = this.jobs.get(id);
    const key = doc
      ? JSON.stringify([doc.source, doc.target, doc.continuous, doc.selector, doc.doc_ids, doc.filter, doc.query_params, doc.connection_timeout])
      : null;
    if (existing && existing.key === key) return;
    if (existing) {
      void end(existing);
      this.jobs.delete(id);
    }
    if (!doc) return;
    try {
      this.startJob(id, key!, doc);
    } catch (e) {
      const now = new Date().toISOString();
      this.jobs.set(id, {
        docId: id, key: key!, source: doc.source, target: doc.target, continuous: !!doc.continuous, rep: null,
        state: 'failed', info: { error: `invalid replication document: ${(e as Error).message}` }, errorCount: 1,
        startTime: now, lastUpdated: now, lastSeq: 0, sourceDb: null as any, checkpoints: [],
      });
    }
  }

  private startJob(id: string, key: string, doc: any, errorsSoFar = 0) {
    if (!doc.source || !doc.target) throw new Error('source and target are required');
    const checkpoints: CheckpointCache[] = [];
    const cached = (send: (u: string, o: any) => Promise<any>) => {
      const c = new CheckpointCache(send);
      checkpoints.push(c);
      return c.fetch;
    };
    // As CouchDB's: the document's own connection_timeout, else the node's.
    const idleMs = connectionTimeoutOf(doc) ?? IDLE_LIMIT_MS;
    const sourceDb = remote(
      doc.source,
      (seq) => {
        if (seqNumber(seq) >= seqNumber(job.lastSeq)) job.lastSeq = seq;
      },
      idleMs,
      cached,
    );
    const targetDb = remote(doc.target, undefined, idleMs, cached);
    const now = new Date().toISOString();
    const job: Job = {
      docId: id, key, source: doc.source, target: doc.target, continuous: !!doc.continuous, rep: null,
      state: 'initializing', info: { docs_read: 0, docs_written: 0, doc_write_failures: 0 }, errorCount: errorsSoFar,
      startTime: now, lastUpdated: now, lastSeq: 0, sourceDb, checkpoints,
    };
    const opts: Record<string, any> = {
      live: job.continuous,
      retry: true,
      batch_size: 500,
      batches_limit: 5,
      back_off_function: (delay: number) => (delay === 0 ? 500 : Math.min(delay * 2, MAX_BACKOFF_MS)),
    };
    if (doc.selector) opts.selector = doc.selector;
    if (Array.isArray(doc.doc_ids)) opts.doc_ids = doc.doc_ids;
    if (typeof doc.filter === 'string') opts.filter = doc.filter;
    if (doc.query_params) opts.query_params = doc.query_params;
    const touch = () => (job.lastUpdated = new Date().toISOString());
    const rep = PouchDB.replicate(sourceDb, targetDb, opts);
    job.rep = rep;
    const dbg = (what: string, x?: any) => process.env.SEBARAN_REPL_DEBUG && console.error(`[repl ${new Date().toISOString()}] ${id} ${what} ${x ? String(x?.message ?? x?.reason ?? JSON.stringify(x)).slice(0, 200) : ''}`);
    for (const ev of ['active', 'paused', 'denied', 'complete', 'error', 'requestError']) rep.on(ev as any, (x: any) => dbg(ev, x));
    rep
      .on('change', (info: any) => {
        job.state = 'running';
        job.info = {
          docs_read: info.docs_read,
          docs_written: info.docs_written,
          doc_write_failures: info.doc_write_failures,
          through_seq: info.last_seq,
        };
        touch();
      })
      .on('active', () => {
        job.state = 'running';
        touch();
      })
      .on('paused', (err: any) => {
        if (err) {
          job.state = 'crashing';
          job.errorCount++;
          job.info = { ...job.info, error: String(err?.message ?? err?.reason ?? err) };
        } else {
          job.state = 'running';
          delete job.info.error;
        }
        touch();
      })
      .on('denied', (err: any) => {
        job.info = { ...job.info, last_denied: String(err?.reason ?? err?.message ?? err) };
      })
      .on('complete', async (info: any) => {
        if (job.rep !== rep) return;
        if (info?.last_seq !== undefined) job.lastSeq = info.last_seq;
        // Completed once its last checkpoint is on both ends, as CouchDB's job.
        await Promise.all(checkpoints.map((c) => c.close()));
        if (!job.continuous || info?.status === 'complete') job.state = info?.ok === false ? 'failed' : 'completed';
        touch();
      })
      .on('error', (err: any) => {
        // PouchDB gives up (e.g. on a refused password); CouchDB's scheduler keeps the job "crashing"
        // and retries with back-off, so a fixed password or a created database heals the lane by itself.
        if (job.rep !== rep) return;
        job.state = 'crashing';
        job.errorCount++;
        job.info = { ...job.info, error: String(err?.message ?? err) };
        touch();
        const delay = Math.min(1000 * 2 ** Math.min(job.errorCount, 6), 60_000);
        setTimeout(async () => {
          if (this.jobs.get(id) !== job) return; // changed, deleted or stopped meanwhile
          await end(job);
          if (this.jobs.get(id) !== job) return;
          this.startJob(id, key, doc, job.errorCount);
          const next = this.jobs.get(id)!;
          next.state = 'crashing';
          next.info = { ...next.info, error: job.info.error };
        }, delay).unref();
      });
    this.jobs.set(id, job);
  }

  /** `/_scheduler/docs`: one entry per replication document, with pending changes. */
  async schedulerDocs() {
    const docs = await Promise.all([...this.jobs.values()].map((j) => this.entry(j)));
    return { total_rows: docs.length, offset: 0, docs };
  }

  /** `/_scheduler/docs/_replicator/<id>`, or null. */
  async schedulerDoc(id: string) {
    const j = this.jobs.get(id);
    return j ? this.entry(j) : null;
  }

  /** `/_scheduler/jobs`: the jobs behind the documents. */
  schedulerJobs() {
    const jobs = [...this.jobs.values()].map((j) => ({
      database: '_replicator',
      id: replicationId(j),
      doc_id: j.docId,
      source: endpointUrl(j.source),
      target: endpointUrl(j.target),
      user: null,
      info: j.state === 'running' ? { ...j.info, checkpointed_source_seq: j.lastSeq } : null,
      history: [{ timestamp: j.lastUpdated, type: j.state === 'crashing' ? 'crashed' : 'started' }, { timestamp: j.startTime, type: 'added' }],
      start_time: j.startTime,
    }));
    return { total_rows: jobs.length, offset: 0, jobs };
  }

  private async entry(j: Job) {
    let pending: number | null = null;
    if (j.sourceDb && (j.state === 'running' || j.state === 'crashing')) {
      try {
        const info: any = await Promise.race([
          j.sourceDb.info(),
          new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000)),
        ]);
        pending = Math.max(0, seqNumber(info.update_seq) - seqNumber(j.lastSeq));
      } catch {
        pending = null;
      }
    }
    return {
      database: '_replicator',
      doc_id: j.docId,
      id: replicationId(j),
      source: endpointUrl(j.source),
      target: endpointUrl(j.target),
      state: j.state,
      info: { ...j.info, changes_pending: pending, checkpointed_source_seq: j.lastSeq },
      error_count: j.errorCount,
      start_time: j.startTime,
      last_updated: j.lastUpdated,
      source_proxy: null,
      target_proxy: null,
    };
  }

  activeTasks() {
    return [...this.jobs.values()]
      .filter((j) => j.state === 'running' || j.state === 'crashing')
      .map((j) => ({
        type: 'replication',
        doc_id: j.docId,
        source: endpointUrl(j.source),
        target: endpointUrl(j.target),
        continuous: j.continuous,
        ...j.info,
        updated_on: Math.floor(Date.parse(j.lastUpdated) / 1000),
        started_on: Math.floor(Date.parse(j.startTime) / 1000),
      }));
  }

  /** Ends every job; their waiting checkpoints are written if the peers answer within `limitMs`. */
  async stop(limitMs = 2_000) {
    this.feed?.cancel();
    const ends = [...this.jobs.values()].map(end);
    this.jobs.clear();
    await Promise.race([Promise.all(ends), new Promise((r) => setTimeout(r, limitMs).unref())]);
  }
}
