// When a database fenced by a storage error may be reopened: once its disk has room again.
import { statfs } from 'node:fs/promises';

/** LevelDB's recovery writes the replayed log out as a table; below this much free space it would fail again. */
const ROOM_BYTES = 2 * 1024 * 1024;

/**
 * Resolves once the file system holding `dir` has room (at once after an error that was not about
 * space). A reopen that fails anyway is tried again, a little later each time, up to every 5 s.
 */
export async function roomToReopen(dir: string, stopped: () => boolean, attempt: number) {
  if (attempt > 0) await sleep(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
  while (!stopped()) {
    try {
      const s = await statfs(dir);
      if (s.bavail * s.bsize >= ROOM_BYTES) return;
    } catch {
      return; // cannot tell: let the reopen itself find out
    }
    await sleep(500);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
