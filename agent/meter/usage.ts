// Mobile usage per billing period (R9), fed by counter samples. Pure: the meter service does
// the I/O. Upload and download both count toward the cap; each threshold fires once a period.
import { z } from 'zod';
import { periodById, periodOf, PeriodIdSchema, type PeriodId } from '../../shared/period.js';
import { counterDelta, CounterSampleSchema, type CounterSample, type DeltaKind } from './counters.js';

export const THRESHOLD_PERCENTS = [80, 100] as const;
export type ThresholdPercent = (typeof THRESHOLD_PERCENTS)[number];

export const UsageStateSchema = z.object({
  period: PeriodIdSchema,
  upBytes: z.number().int().nonnegative(),
  downBytes: z.number().int().nonnegative(),
  /** Thresholds already announced this period. */
  fired: z.array(z.union([z.literal(80), z.literal(100)])),
  /** The reading the next delta is measured from. */
  last: CounterSampleSchema.nullable(),
  /**
   * The last reading with the stick's totals (^DSFLOWQRY), and what was counted from session
   * figures since: the next totals put right whatever the session figures missed (the tail of a
   * session that ended between two ~2 s reports).
   */
  anchor: CounterSampleSchema.nullable().default(null),
  sinceAnchor: z.object({ up: z.number().int().nonnegative(), down: z.number().int().nonnegative() }).default({ up: 0, down: 0 }),
});
export type UsageState = z.infer<typeof UsageStateSchema>;

export interface PeriodUsage {
  readonly period: PeriodId;
  readonly upBytes: number;
  readonly downBytes: number;
}

export interface SampleResult {
  readonly state: UsageState;
  /** The period that ended with this sample, with its final figures. */
  readonly closed: PeriodUsage | null;
  /** Thresholds crossed by this sample, in the current period, lowest first. */
  readonly crossed: readonly ThresholdPercent[];
  readonly kind: DeltaKind;
  readonly addedBytes: number;
}

export function initialUsage(now: number): UsageState {
  return { period: periodOf(now).id, upBytes: 0, downBytes: 0, fired: [], last: null, anchor: null, sinceAnchor: { up: 0, down: 0 } };
}

export function usedBytes(state: Pick<UsageState, 'upBytes' | 'downBytes'>): number {
  return state.upBytes + state.downBytes;
}

/** Starts the period of `now` if the state is still in an older one. */
export function rollPeriod(state: UsageState, now: number): { state: UsageState; closed: PeriodUsage | null } {
  const current = periodOf(now).id;
  if (current === state.period || current < state.period) return { state, closed: null };
  return {
    state: { ...state, period: current, upBytes: 0, downBytes: 0, fired: [] },
    closed: { period: state.period, upBytes: state.upBytes, downBytes: state.downBytes },
  };
}

/** The bytes a sample adds, with the anchor bookkeeping that reconciles session figures with totals. */
function measure(state: UsageState, sample: CounterSample): { up: number; down: number; kind: DeltaKind; anchor: UsageState['anchor']; sinceAnchor: UsageState['sinceAnchor'] } {
  const delta = counterDelta(state.last, sample);
  const hasTotals = sample.totalTxBytes !== null && sample.totalRxBytes !== null;
  if (!hasTotals) {
    const sinceAnchor = state.anchor ? { up: state.sinceAnchor.up + delta.upBytes, down: state.sinceAnchor.down + delta.downBytes } : state.sinceAnchor;
    return { up: delta.upBytes, down: delta.downBytes, kind: delta.kind, anchor: state.anchor, sinceAnchor };
  }
  const fresh = { anchor: sample, sinceAnchor: { up: 0, down: 0 } };
  if (state.anchor === null || state.last === null) return { up: delta.upBytes, down: delta.downBytes, kind: delta.kind, ...fresh };
  const byTotals = counterDelta(state.anchor, sample);
  if (byTotals.kind === 'reset') return { up: delta.upBytes, down: delta.downBytes, kind: delta.kind, ...fresh };
  // Since the anchor the totals grew by byTotals; the session figures already counted sinceAnchor.
  const counted = { up: state.sinceAnchor.up, down: state.sinceAnchor.down };
  return {
    up: Math.max(0, byTotals.upBytes - counted.up),
    down: Math.max(0, byTotals.downBytes - counted.down),
    kind: byTotals.kind,
    ...fresh,
  };
}

export function applySample(state: UsageState, sample: CounterSample, capBytes: number): SampleResult {
  const m = measure(state, sample);
  const delta = { upBytes: m.up, downBytes: m.down, kind: m.kind };
  let closed: PeriodUsage | null = null;
  let up = delta.upBytes;
  let down = delta.downBytes;
  const samplePeriod = periodOf(sample.readAt).id;
  let next: UsageState = state;
  if (samplePeriod > state.period) {
    // The bytes since the last reading straddle the month end: split them by time.
    const boundary = periodById(samplePeriod).start;
    const from = state.last?.readAt ?? boundary;
    const span = sample.readAt - from;
    const share = span > 0 ? Math.min(1, Math.max(0, (boundary - from) / span)) : 0;
    const oldUp = Math.round(up * share);
    const oldDown = Math.round(down * share);
    closed = { period: state.period, upBytes: state.upBytes + oldUp, downBytes: state.downBytes + oldDown };
    up -= oldUp;
    down -= oldDown;
    next = { ...state, period: samplePeriod, upBytes: 0, downBytes: 0, fired: [] };
  }
  next = { ...next, upBytes: next.upBytes + up, downBytes: next.downBytes + down, last: sample, anchor: m.anchor, sinceAnchor: m.sinceAnchor };
  const crossed = THRESHOLD_PERCENTS.filter((p) => !next.fired.includes(p) && usedBytes(next) >= (capBytes * p) / 100);
  if (crossed.length > 0) next = { ...next, fired: [...next.fired, ...crossed] };
  return { state: next, closed, crossed, kind: delta.kind, addedBytes: delta.upBytes + delta.downBytes };
}

/**
 * How soon to read the counters again so the cap is not overrun by more than the rate times this
 * delay (the stick reports by itself only every ~2 s): null while the cap is far away or passed.
 */
export function fastReadDelayMs(state: UsageState, capBytes: number, maxBytesPerSecond: number, fastMs = 500): number | null {
  const remaining = capBytes - usedBytes(state);
  if (remaining <= 0 || state.fired.includes(100)) return null;
  const secondsToCap = remaining / maxBytesPerSecond;
  return secondsToCap <= 10 ? fastMs : null;
}
