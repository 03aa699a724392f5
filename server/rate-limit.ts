// A fixed-window counter per client: enough to stop one client creating
// accounts in bulk, while clients elsewhere keep signing up. Kept in memory:
// a restart forgets it, which costs an attacker nothing they could not wait out.
export interface RateLimit {
  /** Attempts allowed per client in one window. */
  max: number;
  windowMs: number;
}

export function rateLimiter({ max, windowMs }: RateLimit) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  return {
    /** Counts one attempt; null when allowed, else the seconds until the client may try again. */
    take(client: string, now = Date.now()): number | null {
      if (hits.size > 10_000) for (const [k, v] of hits) if (v.resetAt <= now) hits.delete(k);
      let h = hits.get(client);
      if (!h || h.resetAt <= now) {
        h = { count: 0, resetAt: now + windowMs };
        hits.set(client, h);
      }
      h.count++;
      return h.count <= max ? null : Math.ceil((h.resetAt - now) / 1000);
    },
  };
}
