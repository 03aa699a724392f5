// The CouchDB HTTP API subset Sebaran (and PouchDB replication) uses, mapped
// onto PouchDB 9. Every handler runs inside one try/catch: no request can
// take the process down.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  HttpError, asObject, badRequest, boolParam, forbidden, intParam, jsonParam, notFound, parseJson, readBody, send, sendError, unauthorized,
} from './http.ts';
import {
  authenticate, clearSessionCookie, isServerAdmin, makeSessionCookie, userCtxOf, type AuthSource, type UserCtx,
} from './auth.ts';
import { checkSelector } from './selector-guard.ts';
import { CONFLICT_REASON, denied, type Store } from './store.ts';
import { authorizeRequest, notServerAdmin } from './authorize.ts';
import type { Replicator } from './replicator.ts';
import { ViewEngine } from './views.ts';
import { indexFields, mangoFind } from './find.ts';

export interface NodeOptions {
  name: string;
  maxBodyBytes: number;
  corsOrigins: string[];
}

const VERSION = '3.3.3';

export function createHandler(store: Store, auth: AuthSource, replicator: Replicator, opts: NodeOptions, views = new ViewEngine()) {
  const bodies = new WeakMap<IncomingMessage, Buffer>();
  const rawBody = (req: IncomingMessage) => bodies.get(req) ?? Buffer.alloc(0);
  return async function handle(req: IncomingMessage, res: ServerResponse) {
    res.on('error', () => {});
    req.on('error', () => {});
    try {
      // The whole (bounded) body is read before anything answers, so every
      // connection ends each request in a clean state and can be reused.
      bodies.set(req, await readBody(req, opts.maxBodyBytes));
      if (cors(req, res, opts)) return;
      const url = new URL(req.url ?? '/', 'http://node');
      const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
      const ctx = await userCtxOf(auth, req);
      await authorizeRequest(store, segments, req.method ?? 'GET', ctx);
      await route(req, res, url, segments, ctx);
    } catch (e) {
      sendError(res, e);
    }
  };

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, seg: string[], ctx: UserCtx) {
    const m = req.method ?? 'GET';
    if (seg.length === 0) {
      return send(res, 200, { couchdb: 'Welcome', version: VERSION, vendor: { name: 'Sebaran embedded node' }, node: opts.name });
    }
    const head = seg[0];
    if (head.startsWith('_')) {
      switch (head) {
        case '_up':
          return send(res, 200, { status: 'ok' });
        case '_session':
          return session(req, res, m, ctx);
        case '_uuids': {
          const n = Math.min(intParam(url.searchParams.get('count'), 'count') ?? 1, 1000);
          return send(res, 200, { uuids: Array.from({ length: n }, () => randomUUID().replace(/-/g, '')) });
        }
        case '_all_dbs':
          requireAdmin(ctx);
          return send(res, 200, (await store.list()).sort());
        case '_active_tasks':
          requireAdmin(ctx);
          return send(res, 200, replicator.activeTasks());
        case '_db_updates':
          requireAdmin(ctx);
          return dbUpdates(res, url.searchParams);
        case '_scheduler':
          requireAdmin(ctx);
          if (seg[1] === 'jobs' && seg.length === 2) return send(res, 200, replicator.schedulerJobs());
          if (seg[1] === 'docs' && seg.length === 2) return send(res, 200, await replicator.schedulerDocs());
          if (seg[1] === 'docs' && seg[2] === '_replicator' && seg.length === 4) {
            const entry = await replicator.schedulerDoc(seg[3]);
            if (!entry) throw notFound('missing');
            return send(res, 200, entry);
          }
          throw notFound();
        case '_users':
        case '_replicator':
        case '_global_changes':
          return database(req, res, url, seg, ctx);
        default:
          if (m === 'PUT') throw new HttpError(400, 'illegal_database_name', `Database name '${head}' is not allowed`);
          throw notFound('Database does not exist.');
      }
    }
    return database(req, res, url, seg, ctx);
  }

  /** CouchDB answers 401 to anyone but a server admin here, signed in or not. */
  function requireAdmin(ctx: UserCtx) {
    if (!isServerAdmin(ctx)) throw notServerAdmin();
  }

  async function body(req: IncomingMessage) {
    return parseJson(rawBody(req));
  }

  async function dbUpdates(res: ServerResponse, q: URLSearchParams) {
    const feed = q.get('feed') ?? 'normal';
    if (feed !== 'normal' && feed !== 'longpoll') throw badRequest('`feed` must be normal or longpoll');
    const from = store.updates.position(q.get('since'));
    const reply = (results: ReturnType<typeof store.updates.after>) =>
      send(res, 200, { results, last_seq: results.at(-1)?.seq ?? store.updates.seq(from) });
    let results = store.updates.after(from);
    if (feed === 'normal' || results.length > 0) return reply(results);
    const timeout = Math.min(intParam(q.get('timeout'), 'timeout') ?? 60_000, 300_000);
    let closed = false;
    res.on('close', () => (closed = true)); // the client went away (req's own 'close' fired when its body was read)
    const until = Date.now() + timeout;
    while (results.length === 0 && !closed && Date.now() < until) {
      await store.updates.wait(until - Date.now());
      results = store.updates.after(from);
    }
    return reply(results);
  }

  async function session(req: IncomingMessage, res: ServerResponse, m: string, ctx: UserCtx) {
    if (m === 'GET') {
      return send(res, 200, {
        ok: true,
        userCtx: { name: ctx.name, roles: ctx.roles },
        info: { authentication_handlers: ['cookie', 'default'], authenticated: ctx.name ? ctx.via : undefined },
      });
    }
    if (m === 'DELETE') return send(res, 200, { ok: true }, { 'Set-Cookie': clearSessionCookie });
    if (m !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Only GET,POST,DELETE allowed');
    const raw = rawBody(req);
    let creds: Record<string, any>;
    if (String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      creds = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    } else creds = asObject(parseJson(raw));
    // CouchDB answers a missing name or password like a wrong one.
    const who = typeof creds.name === 'string' && typeof creds.password === 'string' ? await authenticate(auth, creds.name, creds.password) : null;
    if (!who) throw new HttpError(401, 'unauthorized', 'Name or password is incorrect.');
    const salt = auth.admins[who.name!]?.salt ?? (await store.lookupUser(who.name!))?.credentials.salt ?? '';
    return send(res, 200, { ok: true, name: who.name, roles: who.roles }, { 'Set-Cookie': makeSessionCookie(auth, who.name!, salt) });
  }

  async function database(req: IncomingMessage, res: ServerResponse, url: URL, seg: string[], ctx: UserCtx) {
    const m = req.method ?? 'GET';
    const name = seg[0];
    const q = url.searchParams;
    if (seg.length === 1) {
      if (m === 'PUT') {
        requireAdmin(ctx);
        await store.create(name);
        return send(res, 201, { ok: true });
      }
      if (m === 'DELETE') {
        requireAdmin(ctx);
        await store.destroy(name);
        return send(res, 200, { ok: true });
      }
      const db = await store.get(name);
      store.requireMember(ctx, db, name);
      if (m === 'GET' || m === 'HEAD') {
        const info: any = await db.pouch.info();
        return send(res, 200, {
          db_name: name, doc_count: info.doc_count, update_seq: info.update_seq, instance_start_time: '0',
          sizes: { file: 0, external: 0, active: 0 }, purge_seq: 0, doc_del_count: 0, compact_running: false,
        });
      }
      if (m === 'POST') {
        const [r] = await store.write(name, [asObject(await body(req), 'Document')], ctx);
        return writeReply(res, r, 201);
      }
      throw methodNotAllowed();
    }
    const db = await store.get(name);
    // `_design%2Fname` arrives as one segment; CouchDB treats it as `_design/name`.
    if (/^_(design|local)\//.test(seg[1])) seg = [name, ...seg[1].split('/'), ...seg.slice(2)].filter(Boolean);
    const sub = seg[1];
    if (sub === '_security') {
      if (m === 'GET') {
        store.requireMember(ctx, db, name);
        return send(res, 200, db.security);
      }
      if (m === 'PUT') {
        store.requireDbAdmin(ctx, db, name);
        // CouchDB refuses this unless [couchdb] users_db_security_editable = true.
        if (name === '_users') throw forbidden("You can't edit the security object of the user database.");
        await store.setSecurity(name, asObject(await body(req), '_security'));
        return send(res, 200, { ok: true });
      }
      throw methodNotAllowed();
    }
    // CouchDB lists the system databases' documents to server admins only, before any member check.
    if ((name === '_users' || name === '_replicator') && sub === '_all_docs') requireAdmin(ctx);
    // As in CouchDB 3 (default_security = admin_only): _users is for server admins only, every
    // document in it too, a user's own included; shoppers sign up through the region (server/region/signup.ts).
    if (name === '_users') store.requireMember(ctx, db, name);
    if (sub === '_local') return doc(req, res, q, db, name, `_local/${seg.slice(2).join('/')}`, ctx);
    if (sub === '_design') {
      if (seg.length < 3) throw notFound();
      const ddocId = `_design/${seg[2]}`;
      if (seg[3] === '_view') return view(req, res, q, db, name, seg[2], seg[4], ctx);
      if (seg.length > 3) return attachment(req, res, q, db, name, ddocId, seg.slice(3).join('/'), ctx);
      return doc(req, res, q, db, name, ddocId, ctx);
    }
    if (sub.startsWith('_')) return special(req, res, q, db, name, sub, ctx);
    if (seg.length > 2) return attachment(req, res, q, db, name, sub, seg.slice(2).join('/'), ctx);
    return doc(req, res, q, db, name, sub, ctx);
  }

  async function special(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, db: any, name: string, sub: string, ctx: UserCtx) {
    const m = req.method ?? 'GET';
    store.requireMember(ctx, db, name);
    switch (sub) {
      case '_all_docs': {
        const b = m === 'POST' ? asObject(await body(req)) : {};
        return send(res, 200, await db.pouch.allDocs(viewOptions(q, b)));
      }
      case '_design_docs': {
        return send(res, 200, await db.pouch.allDocs({ ...viewOptions(q, {}), startkey: '_design/', endkey: '_design/\uffff' }));
      }
      case '_bulk_docs': {
        if (m !== 'POST') throw methodNotAllowed();
        const b = asObject(await body(req));
        if (b.docs === undefined) throw badRequest('POST body must include `docs` parameter.');
        if (!Array.isArray(b.docs)) throw badRequest('`docs` parameter must be an array.');
        if (b.all_or_nothing === true) {
          // CouchDB 3 dropped all-or-nothing commits and says so for every document.
          const refusals = b.docs.map((d: any) => ({ id: d?._id ?? null, rev: d?._rev ?? '0-', error: 'not_implemented', reason: 'all_or_nothing is not supported' }));
          return send(res, 417, refusals);
        }
        const newEdits = b.new_edits !== false;
        const results = await store.write(name, b.docs, ctx, newEdits);
        const out = results.map((r: any) => {
          const { status, ...rest } = r;
          return rest;
        });
        return send(res, 201, newEdits ? out : out.filter((r) => r.error));
      }
      case '_bulk_get': {
        if (m !== 'POST') throw methodNotAllowed();
        const b = asObject(await body(req));
        if (!Array.isArray(b.docs)) throw badRequest("Missing JSON list of 'docs'.");
        const o = {
          revs: boolParam(q.get('revs')) ?? false,
          attachments: boolParam(q.get('attachments')) ?? false,
          latest: boolParam(q.get('latest')) ?? false,
        };
        return send(res, 200, { results: await Promise.all(b.docs.map((d: unknown) => bulkGetOne(db.pouch, d, o))) });
      }
      case '_revs_diff': {
        if (m !== 'POST') throw methodNotAllowed();
        return send(res, 200, await revsDiff(db.pouch, asObject(await body(req))));
      }
      case '_changes':
        return changes(req, res, q, db, m);
      case '_find': {
        if (m !== 'POST') throw methodNotAllowed();
        const b = asObject(await body(req));
        checkSelector(b.selector);
        return send(res, 200, await mangoFind(db.pouch, b));
      }
      case '_index': {
        if (m === 'GET') return send(res, 200, await db.pouch.getIndexes());
        if (m !== 'POST') throw methodNotAllowed();
        store.requireDbAdmin(ctx, db, name);
        const b = asObject(await body(req));
        indexFields(b);
        return send(res, 200, await db.pouch.createIndex(b));
      }
      case '_compact':
      case '_view_cleanup':
        store.requireDbAdmin(ctx, db, name);
        if (sub === '_compact') await db.pouch.compact();
        else await db.pouch.viewCleanup();
        return send(res, 202, { ok: true });
      case '_ensure_full_commit':
        return send(res, 201, { ok: true, instance_start_time: '0' });
      default:
        // As CouchDB: a PUT names a document (and `_` ids are reserved); anything else is not there.
        if (m === 'PUT') throw new HttpError(400, 'illegal_docid', 'Only reserved document ids may start with underscore.');
        throw notFound('missing');
    }
  }

  async function changes(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, db: any, m: string) {
    const b = m === 'POST' ? (asObject((await body(req)) ?? {}) as Record<string, any>) : {};
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
        return send(res, 200, { results: first.results, last_seq: first.last_seq, pending });
      }
      const timeout = Math.min(intParam(q.get('timeout'), 'timeout') ?? 60_000, 300_000);
      const heartbeat = intParam(q.get('heartbeat'), 'heartbeat');
      return longpoll(req, res, db, { ...o, since: first.last_seq }, timeout, heartbeat);
    }
    if (feed === 'continuous' || feed === 'eventsource') return continuous(req, res, q, db, o, feed === 'eventsource');
    throw badRequest(`Unknown feed '${feed}'`);
  }

  async function pendingAfter(db: any, seq: unknown) {
    const info = await db.pouch.info();
    return Math.max(0, Number(info.update_seq) - Number(seq || 0)) || 0;
  }

  function longpoll(req: IncomingMessage, res: ServerResponse, db: any, o: any, timeout: number, heartbeat?: number) {
    return new Promise<void>((resolve) => {
      let done = false;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'must-revalidate' });
      const hb = heartbeat ? setInterval(() => res.write('\n'), Math.max(heartbeat, 1000)) : null;
      const results: any[] = [];
      let lastSeq = o.since;
      const finish = () => {
        if (done) return;
        done = true;
        if (hb) clearInterval(hb);
        clearTimeout(timer);
        live.cancel();
        res.end(JSON.stringify({ results, last_seq: lastSeq, pending: 0 }) + '\n');
        resolve();
      };
      const live = db.pouch
        .changes({ ...o, live: true, return_docs: false })
        .on('change', (c: any) => {
          results.push(c);
          lastSeq = c.seq;
          setImmediate(finish); // gather what arrives in the same tick, then answer
        })
        .on('error', finish);
      const timer = setTimeout(finish, timeout);
      req.on('close', finish);
    });
  }

  function continuous(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, db: any, o: any, sse: boolean) {
    return new Promise<void>((resolve) => {
      res.writeHead(200, {
        'Content-Type': sse ? 'text/event-stream' : 'application/json',
        'Cache-Control': 'no-cache',
      });
      const heartbeat = intParam(q.get('heartbeat'), 'heartbeat');
      const timeout = intParam(q.get('timeout'), 'timeout');
      let lastSeq = o.since;
      let done = false;
      const hb = setInterval(() => res.write(sse ? ':\n\n' : '\n'), Math.max(heartbeat ?? 30_000, 1000));
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(hb);
        if (timer) clearTimeout(timer);
        live.cancel();
        if (!sse) res.write(JSON.stringify({ last_seq: lastSeq }) + '\n');
        res.end();
        resolve();
      };
      const live = db.pouch
        .changes({ ...o, live: true, return_docs: false })
        .on('change', (c: any) => {
          lastSeq = c.seq;
          res.write(sse ? `data: ${JSON.stringify(c)}\nid: ${c.seq}\n\n` : JSON.stringify(c) + '\n');
        })
        .on('error', finish);
      const timer = timeout ? setTimeout(finish, timeout) : null;
      req.on('close', finish);
    });
  }

  async function doc(
    req: IncomingMessage, res: ServerResponse, q: URLSearchParams, db: any, name: string, id: string, ctx: UserCtx,
  ) {
    const m = req.method ?? 'GET';
    // _users is admin-only, as in CouchDB 3 (its _security names only _admin): no anonymous sign-up, no reading one's own account.
    store.requireMember(ctx, db, name);
    if (m === 'GET' || m === 'HEAD') {
      const o: Record<string, any> = {};
      const rev = q.get('rev');
      if (rev) o.rev = rev;
      if (boolParam(q.get('revs'))) o.revs = true;
      if (boolParam(q.get('revs_info'))) o.revs_info = true;
      if (boolParam(q.get('conflicts'))) o.conflicts = true;
      if (boolParam(q.get('attachments'))) o.attachments = true;
      if (boolParam(q.get('latest'))) o.latest = true;
      const openRevs = q.get('open_revs');
      if (openRevs !== null) o.open_revs = openRevs === 'all' ? 'all' : jsonParam(openRevs, 'open_revs');
      const d = await db.pouch.get(id, o);
      return send(res, 200, d, Array.isArray(d) ? {} : { ETag: `"${d._rev}"` });
    }
    if (m === 'PUT') {
      const d = asObject(await body(req), 'Document');
      if (d._id !== undefined && d._id !== id) throw badRequest('Document id in the body does not match the URL');
      d._id = id;
      const rev = q.get('rev');
      if (rev && !d._rev) d._rev = rev;
      const newEdits = q.get('new_edits') !== 'false';
      const [r] = await store.write(name, [d], ctx, newEdits);
      return writeReply(res, r, 201);
    }
    if (m === 'DELETE') {
      const rev = q.get('rev') ?? String(req.headers['if-match'] ?? '').replace(/"/g, '');
      if (!rev) throw new HttpError(409, 'conflict', CONFLICT_REASON);
      const tomb = { _id: id, _rev: rev, _deleted: true };
      const [r] = await store.write(name, [tomb], ctx);
      return writeReply(res, r, 200);
    }
    if (m === 'COPY') throw new HttpError(501, 'not_implemented', 'COPY is not supported by this node');
    throw methodNotAllowed();
  }

  async function attachment(
    req: IncomingMessage, res: ServerResponse, q: URLSearchParams, db: any, name: string, id: string, att: string, ctx: UserCtx,
  ) {
    const m = req.method ?? 'GET';
    store.requireMember(ctx, db, name);
    if (m === 'GET' || m === 'HEAD') {
      const d = await db.pouch.get(id, q.get('rev') ? { rev: q.get('rev') } : {});
      const meta = d._attachments?.[att];
      if (!meta) throw notFound('Document is missing attachment');
      const data: Buffer = await db.pouch.getAttachment(id, att, { rev: d._rev });
      res.writeHead(200, {
        'Content-Type': meta.content_type ?? 'application/octet-stream',
        'Content-Length': data.length,
        ETag: `"${meta.digest}"`,
        'Cache-Control': 'must-revalidate',
      });
      return void res.end(m === 'HEAD' ? undefined : data);
    }
    if (m === 'PUT' || m === 'DELETE') {
      const rev = q.get('rev') ?? undefined;
      let current: any = null;
      try {
        current = await db.pouch.get(id);
      } catch {
        /* a new document */
      }
      if (current && current._rev !== rev) throw new HttpError(409, 'conflict', CONFLICT_REASON);
      const next: any = current ? { ...current } : { _id: id };
      next._attachments = { ...(current?._attachments ?? {}) };
      if (m === 'PUT') {
        const data = rawBody(req);
        next._attachments[att] = {
          content_type: String(req.headers['content-type'] ?? 'application/octet-stream'),
          data: data.toString('base64'),
        };
      } else {
        if (!next._attachments[att]) throw notFound('Document is missing attachment');
        delete next._attachments[att];
      }
      const [r] = await store.write(name, [next], ctx);
      return writeReply(res, r, m === 'PUT' ? 201 : 200);
    }
    throw methodNotAllowed();
  }

  async function view(
    req: IncomingMessage, res: ServerResponse, q: URLSearchParams, db: any, name: string, ddoc: string, viewName: string | undefined, ctx: UserCtx,
  ) {
    store.requireMember(ctx, db, name);
    if (!viewName) throw notFound('missing view name');
    const b = req.method === 'POST' ? asObject(await body(req)) : {};
    const o = viewOptions(q, b);
    for (const k of ['reduce', 'group']) {
      const v = boolParam(q.get(k)) ?? b[k];
      if (v !== undefined) o[k] = v;
    }
    const gl = intParam(q.get('group_level'), 'group_level') ?? b.group_level;
    if (gl !== undefined) o.group_level = gl;
    const update = q.get('update') ?? q.get('stale');
    if (update === 'false' || update === 'ok') o.stale = 'ok';
    if (update === 'lazy' || update === 'update_after') o.stale = 'update_after';
    return send(res, 200, await views.query(db.pouch, ddoc, viewName, o));
  }

  function viewOptions(q: URLSearchParams, b: Record<string, any>) {
    const o: Record<string, any> = {};
    const json = ['key', 'keys', 'startkey', 'endkey', 'start_key', 'end_key'];
    for (const k of json) {
      const v = jsonParam(q.get(k), k) ?? b[k];
      if (v !== undefined) o[k.replace('_key', 'key')] = v;
    }
    for (const k of ['include_docs', 'descending', 'inclusive_end', 'conflicts', 'update_seq', 'attachments']) {
      const v = boolParam(q.get(k)) ?? b[k];
      if (v !== undefined) o[k] = v;
    }
    for (const k of ['limit', 'skip']) {
      const v = intParam(q.get(k), k) ?? b[k];
      if (v !== undefined) o[k] = v;
    }
    if (q.get('startkey_docid') ?? q.get('start_key_doc_id')) o.startkey_docid = q.get('startkey_docid') ?? q.get('start_key_doc_id');
    if (q.get('endkey_docid') ?? q.get('end_key_doc_id')) o.endkey_docid = q.get('endkey_docid') ?? q.get('end_key_doc_id');
    return o;
  }
}

function writeReply(res: ServerResponse, r: any, okStatus: number) {
  if (r.error) {
    const { status, ...rest } = r;
    const code = status ?? (r.error === 'conflict' ? 409 : r.error === 'forbidden' ? 403 : r.error === 'unauthorized' ? 401 : 400);
    return send(res, code, { error: rest.error, reason: rest.reason });
  }
  return send(res, okStatus, { ok: true, id: r.id, rev: r.rev }, r.rev ? { ETag: `"${r.rev}"` } : {});
}

/** Our sequences are integers; PouchDB treats a string `since` as inclusive, so parse it. */
function parseSince(raw: unknown): number | 'now' {
  if (raw === undefined || raw === null || raw === '') return 0;
  if (raw === 'now') return 'now';
  const n = typeof raw === 'number' ? raw : parseInt(String(raw), 10);
  if (!Number.isInteger(n) || n < 0) throw badRequest('`since` must be a sequence number or "now"');
  return n;
}

/** One `_bulk_get` entry as CouchDB answers it: the named revision, else the winner (a tombstone too). */
async function bulkGetOne(pouch: any, req: unknown, o: { revs: boolean; attachments: boolean; latest: boolean }) {
  const d = (req && typeof req === 'object' ? req : {}) as Record<string, unknown>;
  const id = typeof d.id === 'string' ? d.id : null;
  if (id === null) return { id: null, docs: [{ error: { id: null, rev: null, error: 'bad_request', reason: 'document id missed' } }] };
  let rev = typeof d.rev === 'string' ? d.rev : undefined;
  try {
    if (!rev) {
      const [row] = (await pouch.allDocs({ keys: [id] })).rows;
      if (!row?.value) throw new Error('missing');
      rev = row.value.rev as string;
    }
    return { id, docs: [{ ok: await pouch.get(id, { ...o, rev }) }] };
  } catch {
    return { id, docs: [{ error: { id, rev: typeof d.rev === 'string' ? d.rev : 'undefined', error: 'not_found', reason: 'missing' } }] };
  }
}

/**
 * `_revs_diff` with CouchDB's `possible_ancestors`: a leaf older than a missing revision, from which
 * a replicator may send attachments as stubs. Only the winning leaf is offered (reading every
 * branch would load each document's body during replication); CouchDB also lists losing leaves.
 */
async function revsDiff(pouch: any, req: Record<string, any>) {
  const diff: Record<string, { missing: string[]; possible_ancestors?: string[] }> = await pouch.revsDiff(req);
  const ids = Object.keys(diff);
  if (!ids.length) return diff;
  const gen = (r: string) => parseInt(r, 10);
  for (const row of (await pouch.allDocs({ keys: ids })).rows as any[]) {
    const winner: string | undefined = row.value?.rev;
    if (!winner) continue;
    if (diff[row.id].missing.some((m) => gen(m) > gen(winner))) diff[row.id].possible_ancestors = [winner];
  }
  return diff;
}

function methodNotAllowed() {
  return new HttpError(405, 'method_not_allowed', 'Method not allowed for this resource');
}

function safeDecode(s: string) {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest('Malformed percent-encoding in the URL');
  }
}

function cors(req: IncomingMessage, res: ServerResponse, opts: NodeOptions): boolean {
  const origin = req.headers.origin;
  if (origin && (opts.corsOrigins.includes('*') || opts.corsOrigins.includes(origin))) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, PUT, POST, HEAD, DELETE',
        'Access-Control-Allow-Headers': 'accept, authorization, content-type, origin, referer, if-match',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return true;
    }
  }
  return false;
}
