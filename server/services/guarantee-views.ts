// What the API shows of an online-guarantee claim (R16): its verdict with the evidence, and the
// refund it produced. The assessment is stored as JSON in this shape (instants in ms).
import { z } from 'zod';
import type { GuaranteeDecision, Outage } from '../rules/guarantee.js';
import type { ClaimRow, RefundRow } from '../store/guarantee.js';
import { ActorViewSchema } from './contract-views.js';

const Instant = z.string().describe('ISO 8601 instant');
const iso = (ms: number): string => new Date(ms).toISOString();

/** The stored form of an assessment. */
export interface Assessment {
  readonly evaluatedUntil: number | null;
  readonly coverage: { readonly knownMs: number; readonly unknownMs: number; readonly outOfServiceMs: number } | null;
  readonly outage: Outage | null;
  readonly longestOutage: Outage | null;
  readonly missing: readonly { readonly from: number; readonly to: number; readonly cause: string }[];
}

export function assessmentOf(decision: GuaranteeDecision): Assessment {
  switch (decision.verdict) {
    case 'already-refunded':
      return { evaluatedUntil: null, coverage: null, outage: null, longestOutage: null, missing: [] };
    case 'eligible':
      return { evaluatedUntil: decision.evaluatedUntil, coverage: decision.coverage, outage: decision.outage, longestOutage: decision.outage, missing: [] };
    default:
      return { evaluatedUntil: decision.evaluatedUntil, coverage: decision.coverage, outage: null, longestOutage: decision.longestOutage, missing: decision.missing };
  }
}

const OutageSchema = z.object({
  start: Instant,
  end: Instant,
  durationMs: z.number(),
  /** start + 4 h for an outage of more than 4 hours: when the guarantee failed. */
  breachAt: Instant.nullable(),
  /** False when missing data precedes it: it may have begun earlier. */
  startKnown: z.boolean(),
  continuesPastEnd: z.boolean(),
});

export const ClaimViewSchema = z.object({
  id: z.string(),
  subscription: z.object({ id: z.string(), reference: z.string() }),
  period: z.string().describe('The claimed month, YYYY-MM (Europe/Amsterdam)'),
  statement: z.string().nullable(),
  /** `pending` while the data cannot decide (undecidable) and no operator decided it. */
  status: z.enum(['pending', 'decided']),
  verdict: z.enum(['eligible', 'not-eligible', 'undecidable', 'already-refunded']),
  reason: z.string(),
  claimedAt: Instant,
  claimedBy: ActorViewSchema,
  decidedAt: Instant.nullable(),
  decidedBy: ActorViewSchema.nullable(),
  note: z.string().nullable(),
  /** R16/R19: the month's fee refunded on this claim. */
  refund: z
    .object({ period: z.string(), amountCents: z.number().int(), outageStart: Instant.nullable(), outageEnd: Instant.nullable(), decidedAt: Instant })
    .nullable(),
  assessment: z.object({
    /** The month's data was judged up to here. */
    evaluatedUntil: Instant.nullable(),
    coverage: z.object({ knownMs: z.number(), unknownMs: z.number(), outOfServiceMs: z.number() }).nullable(),
    /** Eligible: the outage of more than 4 hours. */
    outage: OutageSchema.nullable(),
    longestOutage: OutageSchema.nullable(),
    /** Where data was missing (offline agent, server down, nothing recorded). */
    missing: z.array(z.object({ from: Instant, to: Instant, cause: z.string() })),
  }),
});
export type ClaimView = z.infer<typeof ClaimViewSchema>;

function outageView(outage: Outage | null): z.infer<typeof OutageSchema> | null {
  if (!outage) return null;
  return {
    start: iso(outage.start),
    end: iso(outage.end),
    durationMs: outage.durationMs,
    breachAt: outage.breachAt === null ? null : iso(outage.breachAt),
    startKnown: outage.startKnown,
    continuesPastEnd: outage.continuesPastEnd,
  };
}

export function claimView(row: ClaimRow & { reference: string }, refund: RefundRow | undefined): ClaimView {
  const assessment = JSON.parse(row.assessment) as Assessment;
  return {
    id: row.id,
    subscription: { id: row.subscription_id, reference: row.reference },
    period: row.period,
    statement: row.statement,
    status: row.status,
    verdict: row.verdict,
    reason: row.reason,
    claimedAt: iso(row.claimed_at),
    claimedBy: { role: row.claimed_by_role, id: row.claimed_by_id },
    decidedAt: row.decided_at === null ? null : iso(row.decided_at),
    decidedBy: row.decided_by_role === null || row.decided_by_id === null ? null : { role: row.decided_by_role, id: row.decided_by_id },
    note: row.note,
    refund: refund
      ? {
          period: refund.period,
          amountCents: refund.amount_cents,
          outageStart: refund.outage_start === null ? null : iso(refund.outage_start),
          outageEnd: refund.outage_end === null ? null : iso(refund.outage_end),
          decidedAt: iso(refund.decided_at),
        }
      : null,
    assessment: {
      evaluatedUntil: assessment.evaluatedUntil === null ? null : iso(assessment.evaluatedUntil),
      coverage: assessment.coverage,
      outage: outageView(assessment.outage),
      longestOutage: outageView(assessment.longestOutage),
      missing: assessment.missing.map((m) => ({ from: iso(m.from), to: iso(m.to), cause: m.cause })),
    },
  };
}
