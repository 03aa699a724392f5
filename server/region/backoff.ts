// Per-database retry times for the region service: a database whose round
// failed waits 2 s, 4 s, ... up to a minute, so a broken one costs little and
// delays nobody else; and one wake-up timer for the earliest of them.
//
// Why one timer armed from the waiting set, rather than a setTimeout per
// failure: Node measures a timer from the event loop's cached clock, which can
// lag Date.now() by the work done in the current tick, so a timer may fire a
// few milliseconds before the retry time it was set for. A round woken early
// finds nothing due; with a timer per failure nothing would wake it again and
// the database's requests would wait for an unrelated event (seen on CouchDB
// after a full disk: every later request unanswered). Re-arming from whatever
// is still waiting after every round leaves no database without a wake-up.
/** How long the service waits before trying a failed read or round again. */
export const RETRY_MS = 2000;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Backoff {
  private retryAt = new Map<string, number>();
  private failures = new Map<string, number>();
  private timer: unknown = null;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    private wake: () => void,
    private baseMs = 2000,
    private maxMs = 60_000,
    private clock: Clock = systemClock,
  ) {}

  /** The keys among `keys` whose wait is over (or that never failed). */
  due(keys: Iterable<string>): string[] {
    const now = this.clock.now();
    return [...keys].filter((k) => (this.retryAt.get(k) ?? 0) <= now);
  }

  /** Records a failure; returns how long the key now waits. */
  failed(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    const wait = Math.min(this.maxMs, this.baseMs * 2 ** (n - 1));
    this.failures.set(key, n);
    this.retryAt.set(key, this.clock.now() + wait);
    return wait;
  }

  succeeded(key: string) {
    this.retryAt.delete(key);
    this.failures.delete(key);
  }

  forget(key: string) {
    this.succeeded(key);
  }

  /** Makes sure `wake` runs once the earliest of `waiting` is due (at once if one already is). */
  arm(waiting: Iterable<string>) {
    if (this.closed) return;
    let next = Infinity;
    for (const k of waiting) next = Math.min(next, this.retryAt.get(k) ?? 0);
    if (next === Infinity || next >= this.timerAt) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.wake();
    }, Math.max(0, next - this.clock.now()));
  }

  close() {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
