// `SEBARAN_TRACE=<file>`: every CouchDB request this process makes, timed and
// grouped by method and path shape (a shopper's database is `userdb-*`, a
// document id `{id}`), written to <file>-<pid> every 5 s. For finding where a
// region service's time goes under load; off unless the variable is set.
import { writeFileSync } from 'node:fs';

const file = process.env.SEBARAN_TRACE;
const stats = new Map<string, { n: number; ms: number; max: number }>();

function shape(method: string, path: string) {
  const [p, q] = path.split('?');
  const parts = p.split('/').map((s, k) => {
    if (s.startsWith('userdb-')) return 'userdb-*';
    if (k >= 2 && !s.startsWith('_')) return '{id}';
    return s;
  });
  const flags = (q ?? '').split('&').map((kv) => kv.split('=')[0]).filter((k) => ['feed', 'include_docs', 'keys'].includes(k));
  return `${method} ${parts.join('/')}${flags.length ? `?${flags.join('&')}` : ''}`;
}

export function traced(method: string, path: string): (() => void) | null {
  if (!file) return null;
  const t0 = performance.now();
  return () => {
    const key = shape(method, path);
    const ms = performance.now() - t0;
    const s = stats.get(key) ?? { n: 0, ms: 0, max: 0 };
    s.n++;
    s.ms += ms;
    s.max = Math.max(s.max, ms);
    stats.set(key, s);
  };
}

if (file) {
  setInterval(() => {
    const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).map(([k, s]) => `${k.padEnd(60)} n=${s.n} total=${Math.round(s.ms)}ms mean=${(s.ms / s.n).toFixed(1)}ms max=${Math.round(s.max)}ms`);
    writeFileSync(`${file}-${process.pid}`, rows.join('\n') + '\n');
  }, 5000).unref();
}
