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

interface Restartable {
  name: string;
  supervise?: boolean;
  log?: (line: string) => void;
}

/**
 * What a supervisor does when its node process exits on its own: start it again after `delayMs`,
 * within the budget, or say in one line why it stops trying. Both engines' node handles use it.
 */
export function restartAfterExit(
  spec: Restartable, budget: ReturnType<typeof restartBudget>, logFile: string, delayMs: number, start: () => Promise<void>,
) {
  return (code: number | null, signal: NodeJS.Signals | null) => {
    if (!spec.supervise) return;
    if (!budget.allow()) {
      spec.log?.(`node ${spec.name} exited (${signal ?? code}) ${budget.limit} times within a minute; not restarting it again (see ${logFile})`);
      return;
    }
    spec.log?.(`node ${spec.name} exited (${signal ?? code}); restarting (#${budget.count})`);
    setTimeout(() => void start().catch((e) => spec.log?.(`node ${spec.name} restart failed: ${e.message}`)), delayMs);
  };
}
