// The maximum-bit-rate grid a UMTS stick accepts in +CGEQREQ (3GPP TS 24.008 §10.5.6.5, as
// HARDWARE.md gives it): 1–63 in steps of 1, 64–568 in steps of 8, 576–8640 in steps of 64,
// and downlink only 8700–16000 in steps of 100. Requests are snapped to the nearest value, so
// R4's 1400 kbit/s up goes out as 1408 and 3600 down as 3584 (the network would round them
// anyway; the stick may refuse an off-grid value).
import type { Rates } from '../../../shared/service.js';

export type Direction = 'up' | 'down';

interface Segment {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

const BOTH: readonly Segment[] = [
  { from: 1, to: 63, step: 1 },
  { from: 64, to: 568, step: 8 },
  { from: 576, to: 8640, step: 64 },
];
const SEGMENTS: Readonly<Record<Direction, readonly Segment[]>> = {
  up: BOTH,
  down: [...BOTH, { from: 8700, to: 16000, step: 100 }],
};

/** The grid value nearest to `kbps` (ties go down), clamped to the grid's ends. */
export function snapToGrid(kbps: number, direction: Direction): number {
  const segments = SEGMENTS[direction];
  let best = segments[0]!.from;
  for (const s of segments) {
    const inside = Math.min(Math.max(kbps, s.from), s.to);
    const lower = s.from + Math.floor((inside - s.from) / s.step) * s.step;
    const upper = Math.min(lower + s.step, s.to);
    for (const candidate of [lower, upper]) {
      const gap = Math.abs(candidate - kbps);
      const bestGap = Math.abs(best - kbps);
      if (gap < bestGap || (gap === bestGap && candidate < best)) best = candidate;
    }
  }
  return best;
}

export function snapRates(rates: Rates): Rates {
  return { downKbps: snapToGrid(rates.downKbps, 'down'), upKbps: snapToGrid(rates.upKbps, 'up') };
}

/** The grid step around `kbps` (for "within a grid step" comparisons). */
export function gridStep(kbps: number, direction: Direction): number {
  const segment = SEGMENTS[direction].find((s) => kbps <= s.to) ?? SEGMENTS[direction].at(-1)!;
  return segment.step;
}
