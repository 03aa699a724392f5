/** A supervisor's patience: a node that keeps dying (a taken port, a broken data dir) is not restarted forever. */
export function restartBudget(limit = 5, windowMs = 60_000) {
  const times: number[] = [];
  return {
    limit,
    get count() {
      return times.length;
    },
    allow() {
      const now = Date.now();
      while (times.length && now - times[0] > windowMs) times.shift();
      if (times.length >= limit) return false;
      times.push(now);
      return true;
    },
  };
}
