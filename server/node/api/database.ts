// One database: create, delete, info, POST a document, _security, _compact, _view_cleanup,
// _ensure_full_commit.
import { forbidden } from '../errors.ts';
import { asObject } from '../http.ts';
import { bodyOf, json, type Call, type OpenDb, type Route } from './call.ts';
import { checkWriteLimits } from '../limits.ts';
import { writeReply } from './documents.ts';
import { requireAdmin } from './server.ts';

async function openMember(c: Call) {
  const db = await c.store.get(c.params.db);
  c.store.requireMember(c.ctx, db, c.params.db);
  return db;
}

export const databaseRoutes: Route[] = [
  {
    path: '/:db',
    openDb: false,
    methods: {
      PUT: async (c) => {
        requireAdmin(c.ctx);
        await c.store.create(c.params.db);
        return json(201, { ok: true });
      },
      DELETE: async (c) => {
        requireAdmin(c.ctx);
        const { pouch } = await c.store.get(c.params.db);
        await c.store.destroy(c.params.db);
        await c.views.drop(pouch.name);
        return json(200, { ok: true });
      },
      GET: info,
      HEAD: info,
      POST: async (c) => {
        await openMember(c);
        const doc = asObject(bodyOf(c), 'Document');
        checkWriteLimits([doc], c.opts.limits, true);
        const [r] = await c.store.write(c.params.db, [doc], c.ctx);
        return writeReply(r, 201);
      },
    },
  },
  {
    path: '/:db/_security',
    methods: {
      GET: (c) => {
        c.store.requireMember(c.ctx, c.db, c.params.db);
        return json(200, c.db.security);
      },
      PUT: async (c) => {
        c.store.requireDbAdmin(c.ctx, c.db, c.params.db);
        // CouchDB refuses this unless [couchdb] users_db_security_editable = true.
        if (c.params.db === '_users') throw forbidden("You can't edit the security object of the user database.");
        await c.store.setSecurity(c.params.db, asObject(bodyOf(c), '_security'));
        return json(200, { ok: true });
      },
    },
  },
  { path: '/:db/_compact/**', methods: { ANY: maintain } },
  { path: '/:db/_view_cleanup/**', methods: { ANY: maintain } },
  {
    path: '/:db/_ensure_full_commit/**',
    methods: {
      ANY: (c) => {
        c.store.requireMember(c.ctx, c.db, c.params.db);
        return json(201, { ok: true, instance_start_time: '0' });
      },
    },
  },
];

async function info(c: Call) {
  const db = await openMember(c);
  return json(200, await infoOf(db, c.params.db));
}

/** What GET /{db} says of a database (and `/_dbs_info`, for many at once). */
export async function infoOf(db: OpenDb, name: string) {
  const i: any = await db.pouch.info();
  return {
    db_name: name, doc_count: i.doc_count, update_seq: i.update_seq, instance_start_time: '0',
    sizes: { file: 0, external: 0, active: 0 }, purge_seq: 0, doc_del_count: 0, compact_running: false,
  };
}

async function maintain(c: Call) {
  c.store.requireDbAdmin(c.ctx, c.db, c.params.db);
  if (c.seg[1] === '_compact') await c.db.pouch.compact();
  else await c.views.cleanup(c.db.pouch);
  return json(202, { ok: true });
}
