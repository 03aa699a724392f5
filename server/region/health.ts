// Reports this node's replications into `ops`, from where they reach
// central's sync-health page. Checked every 15 s, written only when something
// changed or a minute passed (a heartbeat), so an idle region costs a few
// requests a minute and replicates no churn to central.
import { Couch, CouchError } from '../couch-client.ts';

export class Health {
  private last: { key: string; at: number; rev?: string } = { key: '', at: 0 };

  constructor(private admin: Couch, private svc: Couch, private R: string, private log: (l: string) => void) {}

  /** False when the node failed or refused the report (the service then reads everything again, see service.ts). */
  async report(stopped: () => boolean): Promise<boolean> {
    try {
      const s = await this.admin.ok('GET', '/_scheduler/docs');
      const replications = (s.docs as any[])
        .filter((d) => String(d.doc_id).startsWith('sebaran-'))
        .slice(0, 50)
        .map((d) => ({
          id: String(d.doc_id).slice(0, 100), state: String(d.state).slice(0, 40),
          pending: typeof d.info?.changes_pending === 'number' ? d.info.changes_pending : null,
          last_updated: d.last_updated ? String(d.last_updated).slice(0, 40) : null,
          error: d.info?.error ? String(d.info.error).slice(0, 500) : null,
        }));
      const key = JSON.stringify(replications);
      if (key === this.last.key && Date.now() - this.last.at < 60_000) return true;
      const id = `health:${this.R}:node`;
      const rev = this.last.rev ?? (await this.svc.getDoc('ops', id))?._rev;
      const r = await this.svc.request('PUT', `/ops/${id}`, {
        ...(rev ? { _rev: rev } : {}), _id: id, type: 'health', region_code: this.R, at: new Date().toISOString(), replications,
      });
      if (r.status === 409) this.last.rev = undefined; // someone else's rev: read it again next round
      else if (r.status >= 300) throw new CouchError(r.status, r.json, `PUT ops/${id}`);
      else this.last = { key, at: Date.now(), rev: r.json.rev };
      return true;
    } catch (e) {
      if (!stopped()) this.log(`[${this.R}] health report: ${(e as Error).message}`);
      return false;
    }
  }
}
