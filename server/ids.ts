// Ids for rows the server creates: a prefix naming the kind, the creation time (so ids sort by
// age, which pagination relies on; within a millisecond, by a counter) and randomness. All of
// them fit the wire's IdSchema and DeviceIdSchema.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.js';

/** `swp` swap tickets, `clm` guarantee claims, `sus` suspensions (issue 6). */
export type IdKind = 'sub' | 'cus' | 'bst' | 'aud' | 'mail' | 'tok' | 'ses' | 'swp' | 'clm' | 'sus';

/** Orders ids made in the same millisecond by this process (a TestClock often stands still). */
let sequence = 0;

export function newId(kind: IdKind, clock: Clock): string {
  const time = Math.max(0, Math.floor(clock.now())).toString(36).padStart(9, '0');
  sequence = (sequence + 1) % 46_656;
  return `${kind}_${time}${sequence.toString(36).padStart(3, '0')}${randomBytes(4).toString('hex')}`;
}

/** A device id for a router that did not bring its own: `fb-` and 12 hex digits. */
export function newDeviceId(): string {
  return `fb-${randomBytes(6).toString('hex')}`;
}
