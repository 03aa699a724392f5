// Stored values that reach the screen only as words: each has a message in
// messages.ts (tests/unit/i18n.test.ts checks every one, in both languages).
import type { MessageKey } from './messages.ts';

/** A replication's state as the nodes report it (CouchDB's _scheduler/docs states). */
export const REPLICATION_STATES = ['initializing', 'pending', 'running', 'completed', 'crashing', 'error', 'failed'] as const;

export function syncStateKey(state: string): MessageKey {
  return (REPLICATION_STATES as readonly string[]).includes(state) ? (`sync.state.${state}` as MessageKey) : 'sync.state.unknown';
}
