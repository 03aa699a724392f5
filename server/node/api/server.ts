// Server-wide routes: the welcome, /_up, /_uuids, /_all_dbs, /_dbs_info, /_db_updates, and the answer
// for any other `_` name at the top (CouchDB's words for a database name it will not take).
import { randomUUID } from 'node:crypto';
import { isServerAdmin, type UserCtx } from '../auth.ts';
import { HttpError, badRequest, dbNotFound, illegalDbName, methodNotAllowed, notServerAdmin } from '../errors.ts';
import { asObject, boolParam, intParam, jsonParam } from '../http.ts';
import { bodyOf, json, type Call, type Route } from './call.ts';
import { infoOf } from './database.ts';

const VERSION = '3.3.3';

/** CouchDB answers 401 to anyone but a server admin here, signed in or not. */
export function requireAdmin(ctx: UserCtx) {
  if (!isServerAdmin(ctx)) throw notServerAdmin();
}

// The one-segment system routes ignore further segments and take any method, as they always have here.
export const serverRoutes: Route[] = [
  {
    path: '/',
    methods: { ANY: (c) => json(200, { couchdb: 'Welcome', version: VERSION, vendor: { name: 'Sebaran embedded node' }, node: c.opts.name }) },
  },
  { path: '/_up/**', methods: { ANY: () => json(200, { status: 'ok' }) } },
  {
    path: '/_uuids/**',
    methods: {
      ANY: (c) => {
        const n = Math.min(intParam(c.q.get('count'), 'count') ?? 1, 1000);
        return json(200, { uuids: Array.from({ length: n }, () => randomUUID().replace(/-/g, '')) });
      },
    },
  },
  {
    path: '/_all_dbs/**',
    methods: {
      ANY: async (c) => {
        requireAdmin(c.ctx);
        return json(200, (await c.store.list()).sort());
      },
    },
  },
  { path: '/_db_updates/**', methods: { ANY: dbUpdates } },
  { path: '/_dbs_info', methods: { GET: allDbsInfo, HEAD: allDbsInfo, POST: dbsInfo, ANY: () => { throw methodNotAllowed('GET,HEAD,POST'); } } },
];

/** Most names one POST may ask about: CouchDB's [chttpd] max_db_number_for_dbs_info_req default. */
const MAX_DBS_INFO_KEYS = 100;

/** The info of each named database, in the order asked; a missing one is `{key, error: "not_found"}`. */
async function dbsInfo(c: Call) {
  requireAdmin(c.ctx);
  if (!/^application\/json\b/i.test(String(c.req.headers['content-type'] ?? ''))) {
    throw new HttpError(415, 'bad_content_type', 'Content-Type must be application/json');
  }
  const keys = asObject(bodyOf(c), 'Request body').keys;
  if (keys === undefined) throw badRequest('`keys` member must exist.');
  if (!Array.isArray(keys)) throw badRequest('`keys` member must be an array.');
  if (keys.length > MAX_DBS_INFO_KEYS) throw badRequest('too_many_keys');
  const out = [];
  for (const key of keys) out.push(await infoOrMissing(c, key));
  return json(200, out);
}

/** Every database's info, in name order; CouchDB 3.2+ takes the `_all_dbs` paging parameters. */
async function allDbsInfo(c: Call) {
  requireAdmin(c.ctx);
  const param = (name: string, alias: string) => jsonParam(c.q.get(name), name) ?? jsonParam(c.q.get(alias), alias);
  const descending = boolParam(c.q.get('descending')) ?? false;
  const start = param('startkey', 'start_key');
  const end = param('endkey', 'end_key');
  let names = (await c.store.list()).sort();
  if (descending) names.reverse();
  const before = (a: string, b: string) => (descending ? a > b : a < b);
  if (typeof start === 'string') names = names.filter((n) => !before(n, start));
  if (typeof end === 'string') names = names.filter((n) => !before(end, n));
  const skip = intParam(c.q.get('skip'), 'skip') ?? 0;
  const limit = intParam(c.q.get('limit'), 'limit');
  names = names.slice(skip, limit === undefined ? undefined : skip + limit);
  const out = [];
  for (const name of names) {
    const r = await infoOrMissing(c, name);
    if (!('error' in r)) out.push(r); // deleted since the list was read: left out, as CouchDB does
  }
  return json(200, out);
}

async function infoOrMissing(c: Call, key: unknown): Promise<{ key: unknown; info: unknown } | { key: unknown; error: 'not_found' }> {
  if (typeof key !== 'string') return { key, error: 'not_found' };
  try {
    return { key, info: await infoOf(await c.store.get(key), key) };
  } catch {
    return { key, error: 'not_found' }; // no such database, or deleted since the list was read
  }
}

/** Last in the table: a `_` name that is no route and no system database. */
export const unknownSystemRoute: Route = {
  path: '/:system/**',
  methods: {
    PUT: (c) => {
      throw illegalDbName(`Database name '${c.params.system}' is not allowed`);
    },
    ANY: () => {
      throw dbNotFound();
    },
  },
};

async function dbUpdates(c: Call) {
  requireAdmin(c.ctx);
  const { q, store } = c;
  const feed = q.get('feed') ?? 'normal';
  if (feed !== 'normal' && feed !== 'longpoll') throw badRequest('`feed` must be normal or longpoll');
  const from = store.updates.position(q.get('since'));
  const reply = (results: ReturnType<typeof store.updates.after>) =>
    json(200, { results, last_seq: results.at(-1)?.seq ?? store.updates.seq(from) });
  let results = store.updates.after(from);
  if (feed === 'normal' || results.length > 0) return reply(results);
  const timeout = Math.min(intParam(q.get('timeout'), 'timeout') ?? 60_000, 300_000);
  const until = Date.now() + timeout;
  while (results.length === 0 && !c.closed.aborted && Date.now() < until) {
    await store.updates.wait(until - Date.now());
    results = store.updates.after(from);
  }
  return reply(results);
}

