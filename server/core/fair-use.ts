// R9 fair use as plain arithmetic: the month's mobile bytes (up and down together) against the
// cap, the thresholds reached, and whether a self-service boost is still allowed.
export interface FairUsePolicy {
  readonly capBytes: number;
  /** The warning threshold, percent of the cap (80 by default). */
  readonly warnPercent: number;
  /** At 100 %: `hold-baseline` (no self-service boost, an active one ends) or `warn-only`. */
  readonly atCap: 'hold-baseline' | 'warn-only';
}

export type FairUseLevel = 'normal' | 'warning' | 'capped';

export interface FairUseStatus {
  readonly usedBytes: number;
  readonly capBytes: number;
  /** Percent of the cap used, one decimal. */
  readonly percent: number;
  readonly level: FairUseLevel;
  /** False when the policy holds the line at the baseline. */
  readonly boostAllowed: boolean;
}

export function fairUseStatus(usedBytes: number, policy: FairUsePolicy): FairUseStatus {
  const percent = Math.floor((usedBytes * 1000) / policy.capBytes) / 10;
  const level: FairUseLevel = usedBytes >= policy.capBytes ? 'capped' : percent >= policy.warnPercent ? 'warning' : 'normal';
  return {
    usedBytes,
    capBytes: policy.capBytes,
    percent,
    level,
    boostAllowed: !(level === 'capped' && policy.atCap === 'hold-baseline'),
  };
}

/** The thresholds (percent) that `usedBytes` has reached, lowest first: [], [80] or [80, 100]. */
export function thresholdsReached(usedBytes: number, policy: FairUsePolicy): number[] {
  const reached: number[] = [];
  if (usedBytes * 100 >= policy.warnPercent * policy.capBytes) reached.push(policy.warnPercent);
  if (usedBytes >= policy.capBytes) reached.push(100);
  return reached;
}
