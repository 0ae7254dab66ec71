// R16: the online guarantee. The verdict on a claim for a subscription and a calendar month,
// from the recorded timeline (guarantee-timeline.ts):
//   - eligible: the router had neither DSL nor a working mobile session (path `none`) for MORE
//     than 4 consecutive hours (GUARANTEE_OUTAGE_MS; exactly 4 h is not more), and the moment
//     the 4 hours ran out (start + 4 h, when "binnen uiterlijk 4 uur toch weer online" failed)
//     falls in the claimed month: "dan krijgt u het abonnementsgeld van die maand van ons terug".
//     An outage from 31 January 22:00 to 1 February 03:00 is February's.
//   - not eligible, with the evidence (the longest outage, its start and end), when the
//     recorded data rules such an outage out, missing data included;
//   - undecidable when missing data could hide one: some stretch of unknown, filled in as "no
//     connection", would make an outage of more than 4 h whose 4-hour mark falls in the month.
// At most one refund per subscription per month (R16); the refund is that month's fee (R19).
import { z } from 'zod';
import { GUARANTEE_OUTAGE_MS, MONTHLY_FEE_CENTS } from '../../shared/service.js';
import { periodById, PeriodIdSchema, periodOf, type PeriodId } from '../../shared/period.js';
import { RuleError } from './errors.js';
import {
  buildSegments,
  SilencePolicySchema,
  type OutOfService,
  type Segment,
  type SilencePolicy,
  type TimelineRecord,
  type UnknownCause,
} from './guarantee-timeline.js';
import type { Instant } from './time.js';

/** The claim form (R16): "Binnen 4 uur weer online is niet gelukt. Graag maak ik aanspraak op teruggave van mijn abonnementsgeld van deze maand." */
export const GuaranteeClaimBodySchema = z.object({
  period: PeriodIdSchema,
  statement: z.string().max(2000).optional(),
});
export type GuaranteeClaimBody = z.output<typeof GuaranteeClaimBodySchema>;

export const GuaranteeConfigSchema = z.object({ silence: SilencePolicySchema.default('unknown') });
export type GuaranteeConfig = z.output<typeof GuaranteeConfigSchema>;

export interface Outage {
  readonly start: Instant;
  /** Exclusive; the end of what was evaluated when `continuesPastEnd`. */
  readonly end: Instant;
  readonly durationMs: number;
  /** start + 4 h when the outage lasted more than 4 h: the moment the guarantee failed. */
  readonly breachAt: Instant | null;
  /** False when missing data precedes it: it may have begun earlier. */
  readonly startKnown: boolean;
  /** Still going at the end of the month or at the time of judging. */
  readonly continuesPastEnd: boolean;
}

export interface MissingStretch {
  readonly from: Instant;
  readonly to: Instant;
  readonly cause: UnknownCause;
}

export interface Coverage {
  /** Over the claimed month up to the time of judging. */
  readonly knownMs: number;
  readonly unknownMs: number;
  readonly outOfServiceMs: number;
}

interface VerdictBase {
  readonly period: PeriodId;
  /** The month's data was judged up to here: the month's end, or `now` during the month. */
  readonly evaluatedUntil: Instant;
  readonly coverage: Coverage;
  readonly reason: string;
}

export type GuaranteeVerdict =
  | (VerdictBase & { readonly verdict: 'eligible'; readonly outage: Outage })
  | (VerdictBase & { readonly verdict: 'not-eligible'; readonly longestOutage: Outage | null; readonly missing: readonly MissingStretch[] })
  | (VerdictBase & { readonly verdict: 'undecidable'; readonly longestOutage: Outage | null; readonly missing: readonly MissingStretch[] });

export interface JudgeGuaranteeInput {
  readonly period: PeriodId;
  readonly now: Instant;
  /** Everything from `guaranteeRecordRange(period)`. */
  readonly records: readonly TimelineRecord[];
  readonly outOfService?: readonly OutOfService[];
  readonly silence?: SilencePolicy;
}

/**
 * What to load for a claim: the records from `from` to `to`, plus the latest presence and path
 * records before `from` (the state at its start) and, for 'agent-testimony', the first presence
 * record at or after `to`. `from` is 4 h before the month, since an outage whose 4 hours run
 * out in the month may start then; `to` is 4 h after it (or now), to show how an outage at the
 * month's end went on.
 */
export function guaranteeRecordRange(period: PeriodId, now: Instant = Infinity): { readonly from: Instant; readonly to: Instant } {
  const month = periodById(period);
  return { from: month.start - GUARANTEE_OUTAGE_MS, to: Math.min(now, month.end + GUARANTEE_OUTAGE_MS) };
}

export function judgeGuarantee(input: JudgeGuaranteeInput): GuaranteeVerdict {
  const month = periodById(input.period);
  if (!Number.isFinite(input.now) || input.now <= month.start) {
    throw new RuleError('period-not-started', `${input.period} has not started yet`, { period: input.period });
  }
  const end = Math.min(input.now, month.end);
  // Data up to 4 h past the month only shows how an outage at its end went on (evidence).
  const { from: windowStart, to: analysisEnd } = guaranteeRecordRange(input.period, input.now);
  // One millisecond before anything recorded, so that the time before the first record is
  // unknown (no presence yet) and an outage there does not look as if it began with the data.
  const first = input.records.reduce((earliest, r) => Math.min(earliest, r.kind === 'gap' ? r.from : r.at), windowStart) - 1;
  const segments = buildSegments(input.records, input.outOfService ?? [], first, analysisEnd, input.silence ?? 'unknown');

  const base = { period: input.period, evaluatedUntil: end, coverage: coverageOf(segments, month.start, end) };
  const envelopes = envelopesOf(segments);
  const outages = envelopes.flatMap((e) => outagesIn(e, analysisEnd));

  // Eligible when an outage of more than 4 h certainly broke the guarantee in this month.
  for (const { outage, earliestStart } of outages) {
    if (outage.breachAt === null) continue;
    if (earliestStart + GUARANTEE_OUTAGE_MS >= month.start && outage.breachAt < month.end) {
      return { ...base, verdict: 'eligible', outage, reason: `no connection for ${formatDuration(outage.durationMs)}${outage.continuesPastEnd ? ' or more' : ''}, more than 4 hours` };
    }
  }

  const inMonth = outages.map((o) => o.outage).filter((o) => o.end > month.start && o.start < end);
  const longestOutage = inMonth.reduce<Outage | null>((best, o) => (best === null || o.durationMs > best.durationMs ? o : best), null);
  const doubtful = envelopes.filter((e) => couldHideOutage(e, month.start, month.end));
  if (doubtful.length > 0) {
    const missing = doubtful.flatMap((e) => e.filter((s) => s.state.kind === 'unknown').map(toMissing));
    return {
      ...base,
      verdict: 'undecidable',
      longestOutage,
      missing,
      reason: `no data for ${formatDuration(sum(missing))} where an outage of more than 4 hours could have been`,
    };
  }
  const missing = segments.filter((s) => s.state.kind === 'unknown' && s.to > windowStart && s.from < end).map(toMissing);
  return {
    ...base,
    verdict: 'not-eligible',
    longestOutage,
    missing,
    reason: notEligibleReason(longestOutage),
  };
}

function notEligibleReason(longest: Outage | null): string {
  if (longest === null) return 'no outage was recorded in this month';
  const duration = formatDuration(longest.durationMs);
  if (longest.breachAt === null && longest.continuesPastEnd) return `the longest outage has lasted ${duration} so far, not more than 4 hours`;
  if (longest.breachAt === null) return `the longest outage lasted ${duration}, not more than 4 hours`;
  // More than 4 h, but its 4 hours ran out in another month: that month's fee is the one at stake.
  return `the outage of ${duration} passed 4 hours in ${periodOf(longest.breachAt).id}, so it counts for that month`;
}

/** Maximal runs of segments that are `none` or unknown: where an outage is or could be. */
function envelopesOf(segments: readonly Segment[]): Segment[][] {
  const envelopes: Segment[][] = [];
  let current: Segment[] = [];
  for (const segment of segments) {
    const dark = segment.state.kind === 'unknown' || (segment.state.kind === 'path' && segment.state.path === 'none');
    if (dark) current.push(segment);
    else if (current.length > 0) {
      envelopes.push(current);
      current = [];
    }
  }
  if (current.length > 0) envelopes.push(current);
  return envelopes;
}

/**
 * The known outages of an envelope, each with the earliest instant it may really have begun:
 * its own start when a known connection precedes it, else the envelope's start (the unknown
 * before it may have been part of it).
 */
function outagesIn(envelope: readonly Segment[], end: Instant): { outage: Outage; earliestStart: Instant }[] {
  const envelopeStart = envelope[0]!.from;
  return envelope
    .filter((s) => s.state.kind === 'path')
    .map((s) => {
      const durationMs = s.to - s.from;
      const outage: Outage = {
        start: s.from,
        end: s.to,
        durationMs,
        breachAt: durationMs > GUARANTEE_OUTAGE_MS ? s.from + GUARANTEE_OUTAGE_MS : null,
        startKnown: s.from === envelopeStart,
        continuesPastEnd: s.to === end,
      };
      return { outage, earliestStart: envelopeStart };
    });
}

/**
 * Could some filling-in of the unknown stretches make an outage of more than 4 h whose 4-hour
 * mark falls in [monthStart, monthEnd)? Such an outage starts at the envelope's start or inside
 * an unknown stretch, and can last at most to the envelope's end.
 */
function couldHideOutage(envelope: readonly Segment[], monthStart: Instant, monthEnd: Instant): boolean {
  if (!envelope.some((s) => s.state.kind === 'unknown')) return false;
  const envelopeEnd = envelope[envelope.length - 1]!.to;
  const lowest = monthStart - GUARANTEE_OUTAGE_MS;
  const highest = Math.min(monthEnd, envelopeEnd) - GUARANTEE_OUTAGE_MS; // exclusive
  const starts: [Instant, Instant][] = [[envelope[0]!.from, envelope[0]!.from]];
  for (const s of envelope) if (s.state.kind === 'unknown') starts.push([s.from, s.to]);
  return starts.some(([a, b]) => Math.max(a, lowest) <= b && Math.max(a, lowest) < highest);
}

function coverageOf(segments: readonly Segment[], from: Instant, to: Instant): Coverage {
  let knownMs = 0;
  let unknownMs = 0;
  let outOfServiceMs = 0;
  for (const s of segments) {
    const ms = Math.max(0, Math.min(s.to, to) - Math.max(s.from, from));
    if (s.state.kind === 'path') knownMs += ms;
    else if (s.state.kind === 'unknown') unknownMs += ms;
    else outOfServiceMs += ms;
  }
  return { knownMs, unknownMs, outOfServiceMs };
}

function toMissing(segment: Segment): MissingStretch {
  return { from: segment.from, to: segment.to, cause: segment.state.kind === 'unknown' ? segment.state.cause : 'no-data' };
}

function sum(stretches: readonly MissingStretch[]): number {
  return stretches.reduce((total, s) => total + (s.to - s.from), 0);
}

/** `3 h 59 min`, `4 h 1 min`, `25 min 30 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'min'],
    [seconds % 60, 's'],
  ] as const;
  const shown = parts.filter(([value]) => value > 0).map(([value, unit]) => `${value} ${unit}`);
  return shown.length > 0 ? shown.join(' ') : `${ms} ms`;
}

// ---- claims: one refund per subscription per month ----

export interface GuaranteeRefund {
  readonly subscriptionId: string;
  readonly period: PeriodId;
  /** R19: that month's fee. */
  readonly amountCents: number;
  readonly outageStart: Instant;
  readonly outageEnd: Instant;
  readonly decidedAt: Instant;
}

export type GuaranteeDecision =
  | (GuaranteeVerdict & { readonly verdict: 'eligible'; readonly refund: GuaranteeRefund })
  | Exclude<GuaranteeVerdict, { verdict: 'eligible' }>
  | { readonly verdict: 'already-refunded'; readonly period: PeriodId; readonly refund: GuaranteeRefund; readonly reason: string };

export interface GuaranteeClaimInput extends JudgeGuaranteeInput {
  readonly subscriptionId: string;
  /** The subscription's refunds so far (any months). */
  readonly refunds: readonly GuaranteeRefund[];
}

/**
 * R16: decides a claim. A month already refunded is not judged again; an eligible verdict
 * carries the refund record to store (unique per subscription and month in storage too).
 */
export function decideGuaranteeClaim(input: GuaranteeClaimInput): GuaranteeDecision {
  const earlier = input.refunds.find((r) => r.subscriptionId === input.subscriptionId && r.period === input.period);
  if (earlier) {
    return { verdict: 'already-refunded', period: input.period, refund: earlier, reason: `${input.period} has already been refunded` };
  }
  const verdict = judgeGuarantee(input);
  if (verdict.verdict !== 'eligible') return verdict;
  return {
    ...verdict,
    refund: {
      subscriptionId: input.subscriptionId,
      period: input.period,
      amountCents: MONTHLY_FEE_CENTS,
      outageStart: verdict.outage.start,
      outageEnd: verdict.outage.end,
      decidedAt: input.now,
    },
  };
}
