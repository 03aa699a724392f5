// A supervisor's check that a node is not just alive but answering: a process that is hung
// (a stuck event loop, a stopped VM) never exits, so restart-on-exit alone would leave it dead
// to every client for ever.
import type { ChildProcess } from 'node:child_process';
import type { NodeSpec } from './cluster.ts';

export interface HealthCheckOptions {
  /** Time between probes (from the end of one to the start of the next). */
  intervalMs?: number;
  /** How long one `GET /_up` may take before it counts as a miss. */
  timeoutMs?: number;
  /** Consecutive misses after which the node counts as hung. */
  misses?: number;
}

export const HEALTH_DEFAULTS: Required<HealthCheckOptions> = { intervalMs: 5000, timeoutMs: 3000, misses: 3 };

/** Any HTTP answer is a sign of life (a cluster member still joining answers 404); no answer within the deadline is a miss. */
async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url + '/_up', { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => {});
    return true;
  } catch {
    return false;
  }
}

/**
 * Probes `url` until stopped; after `misses` probes in a row get no answer in time, calls `onHung`
 * once (the caller kills the process, and its exit handler restarts it) and stops.
 */
export function watchHealth(url: string, onHung: (missed: number) => void, opts: HealthCheckOptions = {}): () => void {
  const { intervalMs, timeoutMs, misses } = { ...HEALTH_DEFAULTS, ...opts };
  let stopped = false;
  let missed = 0;
  let timer: NodeJS.Timeout | null = null;
  const probe = async () => {
    timer = null;
    const ok = await answers(url, timeoutMs);
    if (stopped) return;
    missed = ok ? 0 : missed + 1;
    if (missed >= misses) {
      stopped = true;
      onHung(missed);
      return;
    }
    timer = setTimeout(() => void probe(), intervalMs);
    timer.unref();
  };
  timer = setTimeout(() => void probe(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/**
 * Kills a supervised node that stops answering (hung, not dead) so that its exit handler restarts it
 * through the restart budget, as after a crash. Returns the function that stops watching.
 */
export function superviseHealth(spec: NodeSpec, proc: ChildProcess, logFile: string): () => void {
  return watchHealth(
    spec.url,
    (missed) => {
      spec.log?.(`node ${spec.name} did not answer GET /_up ${missed} times in a row; killing it (SIGKILL) to restart it (see ${logFile})`);
      proc.kill('SIGKILL');
    },
    spec.healthCheck,
  );
}
