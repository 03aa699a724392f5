// Stored values that reach the screen only as words: each has a message in
// messages.ts (tests/unit/i18n.test.ts checks every one, in both languages).
import type { MessageKey } from './messages.ts';

/** A replication's state as the nodes report it (CouchDB's _scheduler/docs states). */
export const REPLICATION_STATES = ['initializing', 'pending', 'running', 'completed', 'crashing', 'error', 'failed'] as const;

/** A region's replication lanes (server/ops/lanes.ts, shopper-backup.ts), by what they carry and which way. */
export const LANES = ['catalog-pull', 'inventory-pull', 'inventory-push', 'ops-pull', 'ops-push', 'shoppers-push'] as const;

/** A lane's id (`sebaran-ops-push`) as words; an id this version does not know is shown as it is. */
export function laneKey(id: string): MessageKey | null {
  const lane = id.replace(/^sebaran-/, '');
  return (LANES as readonly string[]).includes(lane) ? (`sync.lane.${lane}` as MessageKey) : null;
}

export function syncStateKey(state: string): MessageKey {
  return (REPLICATION_STATES as readonly string[]).includes(state) ? (`sync.state.${state}` as MessageKey) : 'sync.state.unknown';
}
