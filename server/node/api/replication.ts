// The replicator's views: /_active_tasks (with the view indexers) and /_scheduler (jobs, docs, one _replicator doc).
import { notFound } from '../errors.ts';
import { json, type Route } from './call.ts';
import { requireAdmin } from './server.ts';

export const replicationRoutes: Route[] = [
  {
    path: '/_active_tasks/**',
    methods: {
      ANY: (c) => {
        requireAdmin(c.ctx);
        return json(200, [...c.replicator.activeTasks(), ...c.views.activeTasks()]);
      },
    },
  },
  {
    path: '/_scheduler/**',
    methods: {
      ANY: async (c) => {
        requireAdmin(c.ctx);
        const [kind, db, id, ...more] = c.rest;
        if (kind === 'jobs' && db === undefined) return json(200, c.replicator.schedulerJobs());
        if (kind === 'docs' && db === undefined) return json(200, await c.replicator.schedulerDocs());
        if (kind === 'docs' && db === '_replicator' && id !== undefined && more.length === 0) {
          const entry = await c.replicator.schedulerDoc(id);
          if (!entry) throw notFound('missing');
          return json(200, entry);
        }
        throw notFound();
      },
    },
  },
];
