// One-way pull of a read-only replica (catalog, a region's inventory) from a
// node into a local PouchDB, on the device and in the bench alike.
//
// First pull: one bulk snapshot (`_all_docs?include_docs=true&attachments=true`)
// written as-is, remembering the source sequence taken *before* the snapshot;
// afterwards only changes since then (`_changes` + `_bulk_get?revs=true`), so
// a fresh device is not walked through the whole history document by document.
// The device never writes these databases, so a pull cannot conflict.

export interface PullTarget {
  get(id: string): Promise<any>;
  put(doc: any): Promise<any>;
  bulkDocs(docs: any[], opts: { new_edits: false }): Promise<any>;
}

export interface PullOptions {
  /** The remote database URL, e.g. `/db/bdg/catalog` in the browser. */
  url: string;
  local: PullTarget;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  batchSize?: number;
  /** Keep only documents a filter accepts (e.g. design docs are skipped). */
  accept?: (doc: any) => boolean;
  onProgress?: (p: { phase: 'snapshot' | 'changes'; docs: number }) => void;
  /** A first pull's documents as they arrived, before they are written (the shop shows them at once). */
  onSnapshot?: (docs: any[]) => void;
  /**
   * 'inline' (default) copies attachments with their documents; 'names' copies only what they are
   * (name, type, digest, size) into a plain `attachments` field, so a device pulls the catalog's text
   * without every photo and fetches the images it shows by URL (the shop's photos).
   */
  attachments?: 'inline' | 'names';
}

const STATE_ID = '_local/sebaran-pull';

interface PullState {
  _id: string;
  _rev?: string;
  since: string | number;
}

export class PullError extends Error {
  constructor(message: string, public status?: number) {
    super(message);
  }
}

const defaultAccept = (d: any) => typeof d?._id === 'string' && !d._id.startsWith('_design/');

/** Attachment stubs cannot be stored without their data: their description moves to a plain field. */
function namesOnly(doc: any) {
  if (!doc._attachments) return doc;
  const { _attachments, ...rest } = doc;
  const attachments: Record<string, { content_type?: string; digest?: string; length?: number }> = {};
  for (const [name, a] of Object.entries(_attachments as Record<string, any>)) attachments[name] = { content_type: a.content_type, digest: a.digest, length: a.length };
  return { ...rest, attachments };
}
const shape = (o: PullOptions) => (o.attachments === 'names' ? namesOnly : (d: any) => d);
const withAttachments = (o: PullOptions) => (o.attachments === 'names' ? '' : '&attachments=true');

async function getJson(o: PullOptions, path: string, init: RequestInit = {}) {
  const f = o.fetch ?? fetch;
  const res = await f(o.url + path, {
    ...init,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...(o.headers ?? {}), ...((init.headers as any) ?? {}) },
    credentials: 'include',
  });
  if (!res.ok) {
    let reason = res.statusText;
    try {
      reason = (await res.json()).reason ?? reason;
    } catch {
      /* keep statusText */
    }
    throw new PullError(`${o.url}${path.split('?')[0]}: ${res.status} ${reason}`, res.status);
  }
  return res.json();
}

async function state(o: PullOptions): Promise<PullState | null> {
  try {
    return await o.local.get(STATE_ID);
  } catch {
    return null;
  }
}

async function saveState(o: PullOptions, prev: PullState | null, since: string | number): Promise<PullState> {
  const next: PullState = { _id: STATE_ID, since, ...(prev?._rev ? { _rev: prev._rev } : {}) };
  const r = await o.local.put(next);
  return { ...next, _rev: r.rev };
}

/** The bulk snapshot; returns the number of documents written. */
async function snapshot(o: PullOptions): Promise<number> {
  const info = await getJson(o, '');
  const since = info.update_seq;
  const all = await getJson(o, `/_all_docs?include_docs=true${withAttachments(o)}`);
  const accept = o.accept ?? defaultAccept;
  const docs = (all.rows as any[]).map((r) => r.doc).filter((d) => d && accept(d)).map(shape(o));
  o.onSnapshot?.(docs);
  const size = o.batchSize ?? 1000;
  for (let i = 0; i < docs.length; i += size) {
    await o.local.bulkDocs(docs.slice(i, i + size), { new_edits: false });
    o.onProgress?.({ phase: 'snapshot', docs: Math.min(i + size, docs.length) });
  }
  await saveState(o, await state(o), since);
  return docs.length;
}

/**
 * Pulls what changed since the last pull; with `longpoll` it first waits
 * (up to `timeoutMs`) for something to change. Returns documents written.
 */
export async function pullChanges(o: PullOptions, longpoll = false, timeoutMs = 25_000, signal?: AbortSignal): Promise<number> {
  let st = await state(o);
  if (!st) return snapshot(o);
  const accept = o.accept ?? defaultAccept;
  const limit = o.batchSize ?? 500;
  let written = 0;
  for (;;) {
    const feed = longpoll && written === 0 ? `&feed=longpoll&timeout=${timeoutMs}` : '';
    const ch = await getJson(o, `/_changes?since=${encodeURIComponent(String(st!.since))}&limit=${limit}&style=all_docs${feed}`, { signal });
    const wanted = (ch.results as any[]).filter((c) => !c.id.startsWith('_design/'));
    if (wanted.length) {
      const got = await getJson(o, `/_bulk_get?revs=true${withAttachments(o)}`, {
        method: 'POST',
        body: JSON.stringify({ docs: wanted.flatMap((c) => c.changes.map((x: any) => ({ id: c.id, rev: x.rev }))) }),
        signal,
      });
      const docs = (got.results as any[]).flatMap((r) => r.docs.map((d: any) => d.ok)).filter((d) => d && (d._deleted || accept(d))).map(shape(o));
      if (docs.length) await o.local.bulkDocs(docs, { new_edits: false });
      written += docs.length;
      o.onProgress?.({ phase: 'changes', docs: written });
    }
    st = await saveState(o, st, ch.last_seq);
    if (ch.results.length < limit) return written;
    longpoll = false;
  }
}

/** Has this replica been pulled at least once (so the app can run offline)? */
export async function hasPulled(local: PullTarget) {
  try {
    await local.get(STATE_ID);
    return true;
  } catch {
    return false;
  }
}
