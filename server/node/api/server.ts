// Server-wide routes: the welcome, /_up, /_uuids, /_all_dbs, /_db_updates, and the answer
// for any other `_` name at the top (CouchDB's words for a database name it will not take).
import { randomUUID } from 'node:crypto';
import { isServerAdmin, type UserCtx } from '../auth.ts';
import { badRequest, dbNotFound, illegalDbName, notServerAdmin } from '../errors.ts';
import { intParam } from '../http.ts';
import { json, type Call, type Route } from './call.ts';

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
];

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

