// Small helpers for the bench: percentiles, a change-feed listener, tables.
import { readdirSync, readFileSync } from 'node:fs';
import type { Couch } from '../server/couch-client.ts';

export function percentile(xs: number[], p: number) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const median = (xs: number[]) => percentile(xs, 50);

/** A table row's last column: whether the measure meets its target. */
export const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** Follows a database's continuous changes feed; `arrival(id, rev)` resolves when that revision shows up. */
export async function follow(node: Couch, db: string) {
  const seen = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  const ctrl = new AbortController();
  const res = await fetch(`${node.url}/${db}/_changes?feed=continuous&since=now&heartbeat=5000`, {
    headers: node.authHeader,
    signal: ctrl.signal,
  });
  if (!res.ok || !res.body) throw new Error(`changes feed of ${db}: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (!line) continue;
          const c = JSON.parse(line);
          if (!c.id) continue;
          const now = performance.now();
          for (const ch of c.changes) {
            const key = `${c.id}@${ch.rev}`;
            seen.set(key, now);
            waiters.get(key)?.(now);
          }
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    arrival(id: string, rev: string, timeoutMs = 30_000) {
      const key = `${id}@${rev}`;
      const t = seen.get(key);
      if (t !== undefined) return Promise.resolve(t);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${key} did not arrive in ${timeoutMs} ms`)), timeoutMs);
        waiters.set(key, (t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    },
    stop: () => ctrl.abort(),
  };
}

export function table(rows: Array<[string, string, string, string]>) {
  const head: [string, string, string, string] = ['measure', 'value', 'target', 'verdict'];
  const all = [head, ...rows];
  const w = [0, 1, 2, 3].map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((c, k) => c.padEnd(w[k])).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function rssKb(pid: number): number | null {
  return statusKb(pid, 'VmRSS');
}

/**
 * A process's resident memory that is its own (heap, stacks), not file pages it maps: LevelDB maps
 * its table files, and the pages it reads count in VmRSS as RssFile, clean page cache the kernel
 * takes back under pressure (at 1,000,000 orders about half of central's RSS while loading).
 */
export function anonKb(pid: number): number | null {
  return statusKb(pid, 'RssAnon');
}

function statusKb(pid: number, field: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8') as string;
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The pids a process started, and theirs (CouchDB's JavaScript view servers run as children of beam.smp). */
export function descendants(pid: number): number[] {
  const kids: number[] = [];
  for (const task of safeList(`/proc/${pid}/task`)) {
    try {
      kids.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* the task ended */
    }
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

export const safeList = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** A node's memory: the node process itself, and with every process it started. */
export function nodeMemoryMb(pid: number) {
  const own = (rssKb(pid) ?? 0) / 1024;
  const kids = descendants(pid);
  const children = kids.reduce((n, k) => n + (rssKb(k) ?? 0), 0) / 1024;
  const anon = [pid, ...kids].reduce((n, k) => n + (anonKb(k) ?? 0), 0) / 1024;
  const name = (() => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '?';
    }
  })();
  return { process: name, rssMb: own, withChildrenMb: own + children, anonWithChildrenMb: anon };
}

/**
 * When each document id with a prefix first shows in a node database's feed, until `stop.done`
 * (checked after each long-poll of `pollMs`).
 */
export function watchArrivals(node: Couch, db: string, prefix: string, seen: Map<string, number>, stop: { done: boolean }, pollMs = 5000) {
  return (async () => {
    let since: string | number = 'now';
    while (!stop.done) {
      try {
        const r = await node.ok('GET', `/${db}/_changes?feed=longpoll&timeout=${pollMs}&since=${encodeURIComponent(String(since))}`);
        const at = Date.now();
        for (const ch of r.results as Array<{ id: string }>) if (ch.id.startsWith(prefix) && !seen.has(ch.id)) seen.set(ch.id, at);
        since = r.last_seq;
      } catch {
        await new Promise((res) => setTimeout(res, 200)); // the node is on loopback; only a restart would do this
      }
    }
  })();
}

/** The documents of `db` that are not design documents (a node's doc_count counts its design documents too). */
export async function dataDocCount(node: Couch, db: string): Promise<number> {
  const [info, ddocs] = await Promise.all([node.ok('GET', `/${db}`), node.ok('GET', `/${db}/_design_docs`)]);
  return info.doc_count - ddocs.rows.length;
}
