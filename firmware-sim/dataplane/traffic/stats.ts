// Pure arithmetic over what the traffic tools recorded: the longest gap between delivered
// packets (how the industry measures a failover), percentiles of round trips, rates.

export interface Gap {
  /** Length of the gap in ms. */
  readonly ms: number;
  /** Arrival time (ms since the epoch) of the last packet before the gap, and the first after. */
  readonly from: number;
  readonly to: number;
}

/**
 * The longest time between two consecutive deliveries among `times` (any order), counting only
 * gaps that end after `after` (when given): the gap that spans a cut made at `after` counts.
 */
export function longestGap(times: readonly number[], after = -Infinity): Gap | null {
  const sorted = [...times].sort((a, b) => a - b);
  let best: Gap | null = null;
  for (let i = 1; i < sorted.length; i++) {
    const from = sorted[i - 1]!;
    const to = sorted[i]!;
    if (to <= after) continue;
    if (!best || to - from > best.ms) best = { ms: to - from, from, to };
  }
  return best;
}

/** The p-th percentile (0..100) by the nearest-rank method; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** kbit/s (1000 bit) from a byte count over a duration in ms. */
export function kbps(bytes: number, ms: number): number {
  return ms > 0 ? (bytes * 8) / ms : 0;
}

/** Relative difference of `measured` from `expected`, as a fraction (0.01 = 1 %). */
export function deviation(measured: number, expected: number): number {
  return Math.abs(measured - expected) / expected;
}
