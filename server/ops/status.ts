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
  /** A CouchDB cluster behind this URL: each configured member and whether the node answering sees it connected. */
  members?: Array<{ name: string; connected: boolean }>;
  error?: string;
}

export async function clusterStatus(t: Topology, secrets: Secrets): Promise<NodeStatus[]> {
  const nodes = [{ code: t.central.code, url: t.central.url, admin: secrets.admin }, ...t.regions.map((r) => ({ code: r.code, url: r.url, admin: secrets.regions[r.code].admin }))];
  return Promise.all(
    nodes.map(async (n) => {
      const couch = new Couch(n.url, n.admin);
      const status: NodeStatus = { code: n.code, url: n.url, up: await couch.up(2000), replications: [] };
      if (!status.up) return status;
      // /_membership: cluster_nodes are the configured members, all_nodes those connected now (404 on the embedded node).
      const m = await couch.request('GET', '/_membership').catch(() => null);
      if (m?.status === 200 && m.json.cluster_nodes?.length > 1) {
        const connected = new Set<string>(m.json.all_nodes);
        status.members = (m.json.cluster_nodes as string[]).map((name) => ({ name, connected: connected.has(name) }));
      }
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
    if (n.members) {
      const down = n.members.filter((m) => !m.connected);
      lines.push(`       cluster of ${n.members.length} nodes, ${down.length ? `NOT CONNECTED: ${down.map((m) => m.name).join(', ')}` : 'all connected'}`);
    }
    for (const r of n.replications) {
      lines.push(
        `       ${r.id.padEnd(24)} ${r.state.padEnd(10)} pending ${String(r.pending ?? '?').padStart(6)}  written ${String(r.docsWritten ?? '?').padStart(7)}  ${r.lastUpdated ?? ''}${r.error ? `  last error: ${r.error}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}
