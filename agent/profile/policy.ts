// Which desired states the agent takes, and which profile is in force at a given time. Pure.
// A desired state is taken only with a seq above the last one taken (retained replays and stale
// messages are ignored) and within the service's bounds (the contract's schema checks those);
// a boost ends by itself at `until` (R5); at the fair-use cap the line holds the baseline (R9).
import { z } from 'zod';
import type { Desired } from '../../shared/contract/messages.js';
import { PROFILES, type ProfileName, type Rates } from '../../shared/service.js';

/** A desired state as the agent keeps it (times in ms). */
export const HeldDesiredSchema = z.object({
  seq: z.number().int().positive(),
  profile: z.enum(['baseline', 'boost']),
  downKbps: z.number().int().positive(),
  upKbps: z.number().int().positive(),
  until: z.number().int().nullable(),
  boostId: z.string().nullable(),
  suspended: z.boolean(),
});
export type HeldDesired = z.infer<typeof HeldDesiredSchema>;

export function holdDesired(desired: Desired): HeldDesired {
  return {
    seq: desired.seq,
    profile: desired.profile,
    downKbps: desired.downKbps,
    upKbps: desired.upKbps,
    until: desired.until === null ? null : Date.parse(desired.until),
    boostId: desired.boostId,
    suspended: desired.suspended,
  };
}

export type Verdict =
  | { readonly kind: 'take' }
  | { readonly kind: 'ignore'; readonly why: string }
  | { readonly kind: 'reject'; readonly reason: string };

export interface JudgeContext {
  readonly lastSeq: number;
  readonly now: number;
  /** R9: the cap is reached and the policy holds the baseline. */
  readonly capHold: boolean;
}

export function judgeDesired(desired: HeldDesired, ctx: JudgeContext): Verdict {
  if (desired.seq === ctx.lastSeq) return { kind: 'ignore', why: `seq ${desired.seq} already applied` };
  if (desired.seq < ctx.lastSeq) return { kind: 'reject', reason: `stale: seq ${desired.seq} is not above the last applied seq ${ctx.lastSeq}` };
  const bound = PROFILES[desired.profile];
  if (desired.downKbps > bound.downKbps || desired.upKbps > bound.upKbps) {
    return { kind: 'reject', reason: `rates ${desired.downKbps}/${desired.upKbps} kbit/s exceed the ${desired.profile} bound ${bound.downKbps}/${bound.upKbps}` };
  }
  if (desired.until !== null && desired.until <= ctx.now) {
    return { kind: 'reject', reason: `already ended at ${new Date(desired.until).toISOString()} (R5)` };
  }
  if (desired.profile === 'boost' && ctx.capHold && !desired.suspended) {
    return { kind: 'reject', reason: 'fair-use cap reached this month: holding the baseline (R9)' };
  }
  return { kind: 'take' };
}

export interface Effective {
  readonly name: ProfileName;
  readonly rates: Rates;
  readonly until: number | null;
  readonly boostId: string | null;
  readonly suspended: boolean;
  readonly seq: number;
}

/** The profile in force: the held desired state, unless it ended or the cap holds the baseline. */
export function effectiveProfile(held: HeldDesired | null, now: number, capHold: boolean): Effective {
  if (held === null) return { name: 'baseline', rates: PROFILES.baseline, until: null, boostId: null, suspended: false, seq: 0 };
  const boostOn = held.profile === 'boost' && held.until !== null && held.until > now && !capHold;
  if (held.profile === 'boost' && !boostOn) {
    return { name: 'baseline', rates: PROFILES.baseline, until: null, boostId: null, suspended: held.suspended, seq: held.seq };
  }
  return {
    name: held.profile,
    rates: { downKbps: held.downKbps, upKbps: held.upKbps },
    until: held.until,
    boostId: held.boostId,
    suspended: held.suspended,
    seq: held.seq,
  };
}

/** The grid step of a UMTS rate request at `kbps` (HARDWARE.md, +CGEQREQ). */
export function gridStep(kbps: number, direction: 'up' | 'down'): number {
  if (kbps <= 568) return 8;
  if (kbps <= 8640) return 64;
  return direction === 'down' ? 100 : 64;
}

/** "Applied" means the network granted the requested rate within a grid step. */
export function grantedInFull(requested: Rates, negotiated: Rates): boolean {
  return (
    negotiated.downKbps >= requested.downKbps - gridStep(requested.downKbps, 'down') &&
    negotiated.upKbps >= requested.upKbps - gridStep(requested.upKbps, 'up')
  );
}
