// Which of two reports about a device wins, so a replayed, repeated or reordered message changes
// nothing. Status: the newer `at` wins. Usage: cumulative per period, the higher seq wins (the
// store does it in its upsert). Presence: the newer `at` wins, with one exception, the Last Will.
import type { Presence } from '../../shared/contract/index.js';

export interface StoredPresence {
  readonly state: 'online' | 'offline';
  readonly at: number;
}

/**
 * A Last Will (`offline`, `connection-lost`) is written when the agent connects, so its `at` is
 * that session's start, older than the `online` that followed it; it is accepted while the
 * device is online. Anything else must be newer than what is stored; an equal one is a replay.
 */
export function presenceWins(stored: StoredPresence | null, incoming: Presence): boolean {
  if (stored === null) return true;
  const at = Date.parse(incoming.at);
  if (incoming.state === 'offline' && incoming.reason === 'connection-lost' && stored.state === 'online') return true;
  return at > stored.at;
}

export function statusWins(storedAt: number | null, incomingAt: number): boolean {
  return storedAt === null || incomingAt > storedAt;
}
