// /{db}/_changes: normal, longpoll, continuous and eventsource feeds with the _selector,
// _doc_ids and _design filters. A live feed ends when its timeout passes, its source fails,
// or the client goes away (`c.closed`), whichever is first.
import { badRequest } from '../errors.ts';
import { asObject, boolParam, intParam, jsonParam } from '../http.ts';
import { checkSelector } from '../selector-guard.ts';
import { bodyOf, json, type Call, type OpenDb, type Route } from './call.ts';

export const changesRoutes: Route[] = [{ path: '/:db/_changes/**', methods: { ANY: changes } }];

async function changes(c: Call) {
  const { q, db } = c;
  const b = c.method === 'POST' ? (asObject(bodyOf(c) ?? {}) as Record<string, any>) : {};
  const feed = q.get('feed') ?? 'normal';
  const o: Record<string, any> = {
    since: parseSince(q.get('since') ?? b.since),
    include_docs: boolParam(q.get('include_docs')) ?? false,
    conflicts: boolParam(q.get('conflicts')) ?? false,
    descending: boolParam(q.get('descending')) ?? false,
    style: q.get('style') === 'all_docs' ? 'all_docs' : undefined,
    attachments: boolParam(q.get('attachments')) ?? false,
    return_docs: true,
  };
  const limit = intParam(q.get('limit'), 'limit');
  if (limit !== undefined) o.limit = limit;
  const filter = q.get('filter');
  if (filter === '_selector') {
    if (!b.selector || typeof b.selector !== 'object' || Array.isArray(b.selector)) {
      throw badRequest('filter=_selector needs a `selector` object in the body');
    }
    checkSelector(b.selector);
    o.selector = b.selector;
  } else if (filter === '_doc_ids') {
    const ids = b.doc_ids ?? jsonParam(q.get('doc_ids'), 'doc_ids');
    if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) throw badRequest('`doc_ids` must be an array of strings');
    o.doc_ids = ids;
  } else if (filter === '_design') {
    o.filter = (d: any) => typeof d._id === 'string' && d._id.startsWith('_design/');
  } else if (filter !== null) {
    throw badRequest(`Unsupported changes filter '${filter}': use _selector, _doc_ids or _design`);
  }
  if (o.since === 'now') o.since = (await db.pouch.info()).update_seq;
  if (feed === 'normal' || feed === 'longpoll') {
    const first = await db.pouch.changes(o);
    const pending = await pendingAfter(db, first.last_seq);
    if (feed === 'normal' || first.results.length > 0) {
      return json(200, { results: first.results, last_seq: first.last_seq, pending });
    }
    const timeout = Math.min(intParam(q.get('timeout'), 'timeout') ?? 60_000, 300_000);
    const heartbeat = intParam(q.get('heartbeat'), 'heartbeat');
    return longpoll(c, { ...o, since: first.last_seq }, timeout, heartbeat);
  }
  if (feed === 'continuous' || feed === 'eventsource') {
    // Parameters are checked before the 200 goes out: a bad one is still a 400.
    const heartbeat = intParam(q.get('heartbeat'), 'heartbeat');
    const timeout = intParam(q.get('timeout'), 'timeout');
    return continuous(c, o, feed === 'eventsource', heartbeat, timeout);
  }
  throw badRequest(`Unknown feed '${feed}'`);
}

async function pendingAfter(db: OpenDb, seq: unknown) {
  const info = await db.pouch.info();
  return Math.max(0, Number(info.update_seq) - Number(seq || 0)) || 0;
}

/**
 * Runs a live PouchDB feed until `finish` is called by the feed, the timeout, or the client
 * leaving; resolves once the answer is ended. Everything it starts, it stops.
 */
function live(c: Call, o: any, onChange: (change: any, finish: () => void) => void, end: () => void, timeout?: number, beat?: () => void, beatMs?: number) {
  return new Promise<void>((resolve) => {
    let done = false;
    let feed: { cancel(): void } | null = null;
    let timer: NodeJS.Timeout | null = null;
    let hb: NodeJS.Timeout | null = null;
    const finish = () => {
      if (done) return;
      done = true;
      if (hb) clearInterval(hb);
      if (timer) clearTimeout(timer);
      c.closed.removeEventListener('abort', finish);
      closing.removeEventListener('abort', finish);
      feed?.cancel();
      end();
      resolve();
    };
    // The database is being reopened after a storage error: end the feed, the client resumes from last_seq.
    const closing = c.db.closing.signal;
    c.closed.addEventListener('abort', finish);
    closing.addEventListener('abort', finish);
    if (c.closed.aborted || closing.aborted) return finish();
    try {
      feed = c.db.pouch
        .changes({ ...o, live: true, return_docs: false })
        .on('change', (change: any) => onChange(change, finish))
        .on('error', finish);
    } catch {
      return finish(); // a feed that cannot start ends the answer as one that fails later does
    }
    if (timeout !== undefined) timer = setTimeout(finish, timeout);
    if (beat && beatMs) hb = setInterval(beat, beatMs);
  });
}

function longpoll(c: Call, o: any, timeout: number, heartbeat?: number) {
  const { res } = c;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'must-revalidate' });
  const results: any[] = [];
  let lastSeq = o.since;
  return live(
    c,
    o,
    (change, finish) => {
      results.push(change);
      lastSeq = change.seq;
      setImmediate(finish); // gather what arrives in the same tick, then answer
    },
    () => res.end(JSON.stringify({ results, last_seq: lastSeq, pending: 0 }) + '\n'),
    timeout,
    () => res.write('\n'),
    heartbeat ? Math.max(heartbeat, 1000) : undefined,
  );
}

function continuous(c: Call, o: any, sse: boolean, heartbeat?: number, timeout?: number) {
  const { res } = c;
  res.writeHead(200, { 'Content-Type': sse ? 'text/event-stream' : 'application/json', 'Cache-Control': 'no-cache' });
  let lastSeq = o.since;
  return live(
    c,
    o,
    (change) => {
      lastSeq = change.seq;
      res.write(sse ? `data: ${JSON.stringify(change)}\nid: ${change.seq}\n\n` : JSON.stringify(change) + '\n');
    },
    () => {
      if (!sse) res.write(JSON.stringify({ last_seq: lastSeq }) + '\n');
      res.end();
    },
    timeout || undefined, // 0 or none: no end
    () => res.write(sse ? ':\n\n' : '\n'),
    Math.max(heartbeat ?? 30_000, 1000),
  );
}

/** Our sequences are integers; PouchDB treats a string `since` as inclusive, so parse it. */
function parseSince(raw: unknown): number | 'now' {
  if (raw === undefined || raw === null || raw === '') return 0;
  if (raw === 'now') return 'now';
  const n = typeof raw === 'number' ? raw : parseInt(String(raw), 10);
  if (!Number.isInteger(n) || n < 0) throw badRequest('`since` must be a sequence number or "now"');
  return n;
}
