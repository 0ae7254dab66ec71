// What a device should run, as a pure function of the subscription's state: suspended (R22)
// means mobile data off and no boost; a boost in force (R4, R5) means the boost profile until
// its end; otherwise the baseline (R3). The seq is the store's business, not this module's.
import type { Desired } from '../../shared/contract/index.js';
import { PROFILES, type ProfileName } from '../../shared/service.js';

export interface DesiredContent {
  readonly profile: ProfileName;
  readonly downKbps: number;
  readonly upKbps: number;
  /** When the boost ends (ms); null for the baseline. */
  readonly untilAt: number | null;
  readonly boostId: string | null;
  readonly suspended: boolean;
}

export interface BoostInForce {
  readonly id: string;
  readonly endsAt: number;
}

export function desiredFor(input: { readonly suspended: boolean; readonly boost: BoostInForce | null; readonly now: number }): DesiredContent {
  const { boost, now } = input;
  if (input.suspended) return { ...PROFILES.baseline, profile: 'baseline', untilAt: null, boostId: null, suspended: true };
  if (boost && boost.endsAt > now) {
    return { ...PROFILES.boost, profile: 'boost', untilAt: boost.endsAt, boostId: boost.id, suspended: false };
  }
  return { ...PROFILES.baseline, profile: 'baseline', untilAt: null, boostId: null, suspended: false };
}

export function sameDesired(a: DesiredContent, b: DesiredContent): boolean {
  return (
    a.profile === b.profile &&
    a.downKbps === b.downKbps &&
    a.upKbps === b.upKbps &&
    a.untilAt === b.untilAt &&
    a.boostId === b.boostId &&
    a.suspended === b.suspended
  );
}

/** The wire message for a stored desired state. */
export function desiredMessage(content: DesiredContent, seq: number, issuedAt: number): Desired {
  return {
    v: 1,
    seq,
    issuedAt: new Date(issuedAt).toISOString(),
    profile: content.profile,
    downKbps: content.downKbps,
    upKbps: content.upKbps,
    until: content.untilAt === null ? null : new Date(content.untilAt).toISOString(),
    boostId: content.boostId,
    suspended: content.suspended,
  };
}
