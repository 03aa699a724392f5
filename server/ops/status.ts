// Replication and node health, read through the documented endpoints
// (`/_up`, `/_scheduler/docs`), so it works against Apache CouchDB too.
import { Couch } from '../couch-client.ts';
import type { Secrets } from '../config.ts';
import type { Topology } from '../../src/lib/model/topology.ts';

export interface ReplicationStatus {
  id: string;
  state: string;
  pending: number | null;
  docsWritten: number | null;
  lastUpdated: string | null;
  error: string | null;
}

export interface NodeStatus {
  code: string;
  url: string;
  up: boolean;
  replications: ReplicationStatus[];
  error?: string;
}

export async function clusterStatus(t: Topology, secrets: Secrets): Promise<NodeStatus[]> {
  const nodes = [{ code: t.central.code, url: t.central.url }, ...t.regions.map((r) => ({ code: r.code, url: r.url }))];
  return Promise.all(
    nodes.map(async (n) => {
      const couch = new Couch(n.url, secrets.admin);
      const status: NodeStatus = { code: n.code, url: n.url, up: await couch.up(2000), replications: [] };
      if (!status.up) return status;
      try {
        const r = await couch.request('GET', '/_scheduler/docs');
        if (r.status !== 200) throw new Error(`${r.status} ${r.json?.reason ?? ''}`);
        status.replications = (r.json.docs as any[])
          .filter((d) => String(d.doc_id).startsWith('sebaran-'))
          .map((d) => ({
            id: d.doc_id,
            state: d.state,
            pending: d.info?.changes_pending ?? null,
            docsWritten: d.info?.docs_written ?? null,
            lastUpdated: d.last_updated ?? null,
            error: d.info?.error ?? (d.state === 'crashing' || d.state === 'failed' ? String(d.info ?? '') : null),
          }))
          .sort((a, b) => a.id.localeCompare(b.id));
      } catch (e) {
        status.error = (e as Error).message;
      }
      return status;
    }),
  );
}

export function formatStatus(s: NodeStatus[]): string {
  const lines: string[] = [];
  for (const n of s) {
    lines.push(`${n.code.padEnd(6)} ${n.up ? 'UP  ' : 'DOWN'} ${n.url}${n.error ? `  (status unreadable: ${n.error})` : ''}`);
    for (const r of n.replications) {
      lines.push(
        `       ${r.id.padEnd(24)} ${r.state.padEnd(10)} pending ${String(r.pending ?? '?').padStart(6)}  written ${String(r.docsWritten ?? '?').padStart(7)}  ${r.lastUpdated ?? ''}${r.error ? `  last error: ${r.error}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}
