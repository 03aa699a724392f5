// The service's reading of its region's ops feed: ledger entries and admin requests (written by
// admins, or replicated from central) fold into the stock and get their answers; orders only move the
// checkpoint. The checkpoint moves past an order only once its stock movements are written, so a
// restart's recovery (checkout.ts) reads the tail, never the whole history.
import type { Couch } from '../couch-client.ts';
import type { Checkpoints } from './checkpoints.ts';
import type { Stock } from './stock.ts';
import type { AdminRequests } from './requests.ts';
import { RETRY_MS } from './backoff.ts';
import { setTimeout as sleep } from 'node:timers/promises';


export interface OpsFeedDeps {
  svc: Couch;
  checkpoints: Checkpoints;
  stock: Stock;
  requests: AdminRequests;
  /** The service's one-at-a-time chain for stock decisions (it reloads the state after an unknown write). */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  trouble(e: unknown): void;
  stopped(): boolean;
  log(line: string): void;
}

export async function followOps(d: OpsFeedDeps, signal: AbortSignal) {
  let opsSince: string | number | null = null;
  let opsSaved = Date.now();
  while (!d.stopped()) {
    try {
      const since = opsSince ?? (await d.checkpoints.since('ops'));
      const res = await fetch(
        `${d.svc.url}/ops/_changes?feed=longpoll&timeout=30000&include_docs=true&limit=2000&since=${encodeURIComponent(String(since))}`,
        { headers: d.svc.authHeader, signal },
      );
      const body: any = await res.json();
      if (!res.ok) throw new Error(`${res.status} ${body?.reason}`);
      const docs = (body.results as any[]).filter((c) => !c.deleted && c.doc).map((c) => c.doc);
      const relevant = docs.filter((doc) => doc.type === 'ledger' || doc.type === 'admin_request');
      const orders = docs.some((doc) => doc.type === 'order');
      // Orders pass through `serial` too: after a failed write it reloads (and recovers) before the
      // checkpoint below can move past an order whose movements are not written yet.
      const done = (!relevant.length && !orders) || (await d.serial(async () => {
        const touched = await d.stock.seen(relevant.filter((doc) => doc.type === 'ledger'));
        await d.stock.ensureSnapshots(touched);
        await d.stock.writeSnapshots(touched);
        return d.requests.answerAll(relevant);
      }));
      if (!done) {
        await sleep(RETRY_MS);
        continue;
      }
      // Written out when it moved past work, or once a minute: the service's own writes (health) cost no churn.
      opsSince = body.last_seq;
      if (relevant.length || orders || Date.now() - opsSaved > 60_000) {
        d.checkpoints.set('ops', body.last_seq);
        opsSaved = Date.now();
      }
    } catch (e) {
      if (d.stopped()) return;
      d.trouble(e);
      d.log(`ops feed: ${(e as Error).message}`);
      await sleep(1000);
    }
  }
}
