// Whether a boost may be granted, as pure decisions over facts the store gathered inside one
// locked transaction. The store then holds the outcome with its unique keys (R7 slots, one
// boost in force), so a decision taken on stale facts cannot over-grant.
import type { Path } from '../../shared/contract/index.js';
import type { FairUseStatus } from './fair-use.js';

export type SelfServiceRefusal = 'subscription-suspended' | 'no-device' | 'boost-on-dsl' | 'fair-use-cap-reached' | 'boost-quota-exhausted';

export type SelfServiceDecision =
  | { readonly kind: 'grant'; readonly slot: number; readonly endsAt: number }
  /** R7: a request while a boost is in force uses nothing up and returns that boost. */
  | { readonly kind: 'already-active'; readonly boostId: string }
  | { readonly kind: 'refuse'; readonly code: SelfServiceRefusal; readonly detail: string };

export interface SelfServiceFacts {
  readonly now: number;
  readonly suspended: boolean;
  readonly activeBoostId: string | null;
  /** The active path of each enrolled router from its last status; null when none reported yet. */
  readonly devicePaths: readonly (Path | null)[];
  /** Slots (1..quota) already counted this month. */
  readonly usedSlots: readonly number[];
  readonly quota: number;
  readonly fairUse: FairUseStatus;
  readonly durationMs: number;
}

export function decideSelfServiceBoost(facts: SelfServiceFacts): SelfServiceDecision {
  if (facts.suspended) {
    return refuse('subscription-suspended', 'The service is suspended (R22); boosts are off until it is restored.');
  }
  if (facts.devicePaths.length === 0) return refuse('no-device', 'No router is enrolled for this subscription yet.');
  if (facts.activeBoostId !== null) return { kind: 'already-active', boostId: facts.activeBoostId };

  const known = facts.devicePaths.filter((path): path is Path => path !== null);
  // R7 decision: a boost is for an outage. Unknown paths (no status yet) do not block it.
  if (known.length > 0 && known.every((path) => path === 'dsl')) {
    return refuse('boost-on-dsl', 'Your router is on DSL; the boost is for when DSL is down and the mobile line carries your traffic.');
  }
  if (!facts.fairUse.boostAllowed) {
    return refuse(
      'fair-use-cap-reached',
      `This month's mobile data (${formatGb(facts.fairUse.usedBytes)}) has reached the ${formatGb(facts.fairUse.capBytes)} fair-use cap (R9).`,
    );
  }
  const used = new Set(facts.usedSlots);
  for (let slot = 1; slot <= facts.quota; slot++) {
    if (!used.has(slot)) return { kind: 'grant', slot, endsAt: facts.now + facts.durationMs };
  }
  return refuse(
    'boost-quota-exhausted',
    `You have used both self-service boosts of this month (${facts.quota} per calendar month, R7). The helpdesk can raise the speed for longer (R8).`,
  );
}

export type OperatorRefusal = 'subscription-suspended' | 'no-device' | 'boost-duration-too-long';

export type OperatorDecision =
  | { readonly kind: 'grant'; readonly endsAt: number }
  | { readonly kind: 'refuse'; readonly code: OperatorRefusal; readonly detail: string };

/** R8: an operator boost has a chosen duration up to a maximum and does not count toward R7. */
export function decideOperatorBoost(facts: {
  readonly now: number;
  readonly suspended: boolean;
  readonly deviceCount: number;
  readonly durationMs: number;
  readonly maxDurationMs: number;
}): OperatorDecision {
  if (facts.durationMs > facts.maxDurationMs) {
    return refuse('boost-duration-too-long', `At most ${facts.maxDurationMs / 3_600_000} hours may be granted; ${facts.durationMs / 3_600_000} were asked.`);
  }
  if (facts.suspended) return refuse('subscription-suspended', 'The service is suspended (R22); restore it before boosting.');
  if (facts.deviceCount === 0) return refuse('no-device', 'No router is enrolled for this subscription yet.');
  return { kind: 'grant', endsAt: facts.now + facts.durationMs };
}

function refuse<C extends string>(code: C, detail: string): { kind: 'refuse'; code: C; detail: string } {
  return { kind: 'refuse', code, detail };
}

function formatGb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
