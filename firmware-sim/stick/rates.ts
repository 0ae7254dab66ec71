// QoS arithmetic of the network: the 3GPP maximum-bit-rate grid (TS 24.008 §10.5.6.5, as
// HARDWARE.md gives it), rounding of off-grid requests, and what a cell grants.

export interface Kbps {
  readonly downKbps: number;
  readonly upKbps: number;
}

export type Rounding = 'down' | 'nearest' | 'up';
export type Direction = 'up' | 'down';

interface Segment {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

const COMMON: readonly Segment[] = [
  { from: 1, to: 63, step: 1 },
  { from: 64, to: 568, step: 8 },
  { from: 576, to: 8640, step: 64 },
];
const GRID: Readonly<Record<Direction, readonly Segment[]>> = {
  up: COMMON,
  down: [...COMMON, { from: 8700, to: 16000, step: 100 }],
};

/** The highest rate the grid can express in that direction. */
export function gridMax(direction: Direction): number {
  const segments = GRID[direction];
  return segments[segments.length - 1]!.to;
}

/** Grid values just below/at and just above/at `kbps` (clamped to the grid's ends). */
function neighbours(kbps: number, direction: Direction): { below: number; above: number } {
  const segments = GRID[direction];
  let below = segments[0]!.from;
  for (const s of segments) {
    if (kbps < s.from) return { below, above: s.from };
    if (kbps <= s.to) {
      const lower = s.from + Math.floor((kbps - s.from) / s.step) * s.step;
      return { below: lower, above: lower === kbps ? lower : Math.min(lower + s.step, s.to) };
    }
    below = s.to;
  }
  return { below, above: below };
}

/** Maps a rate onto the grid. 0 stays 0 (it means "subscribed" in +CGEQREQ). */
export function toGrid(kbps: number, direction: Direction, rounding: Rounding): number {
  if (kbps <= 0) return 0;
  const { below, above } = neighbours(kbps, direction);
  if (rounding === 'down') return below;
  if (rounding === 'up') return above;
  return kbps - below <= above - kbps ? below : above;
}

/** Per-technology capacity of a cell for the E173 (HSDPA 7.2 / HSUPA 5.76, 3GPP categories),
 *  already on the grid. */
export const TECHNOLOGY_CAPACITY: Readonly<Record<string, Kbps>> = {
  gsm: { downKbps: 80, upKbps: 40 }, // GPRS class 10: 4+2 slots × 21.4 kbit/s (CS-4)
  gprs: { downKbps: 80, upKbps: 40 },
  edge: { downKbps: 232, upKbps: 112 }, // EGPRS class 10: 236.8 / 118.4
  umts: { downKbps: 384, upKbps: 384 }, // R99 DCH
  hsdpa: { downKbps: 7168, upKbps: 384 }, // HSDPA cat 8 (7.2 Mbit/s) on the grid
  hsupa: { downKbps: 7168, upKbps: 5760 },
  hspa: { downKbps: 7168, upKbps: 5760 },
};

/**
 * What the network grants for a context: the request on the grid (0 = the subscription),
 * capped to the subscription and to the cell's capacity, the cap itself on the grid.
 */
export function negotiate(requested: Kbps | null, subscribed: Kbps, capacity: Kbps, rounding: Rounding): Kbps {
  const one = (direction: Direction, want: number | undefined, sub: number, cap: number): number => {
    const wanted = want !== undefined && want > 0 ? toGrid(want, direction, rounding) : toGrid(sub, direction, 'down');
    const limit = toGrid(Math.min(sub, cap, gridMax(direction)), direction, 'down');
    return Math.min(wanted, limit);
  };
  return {
    downKbps: one('down', requested?.downKbps, subscribed.downKbps, capacity.downKbps),
    upKbps: one('up', requested?.upKbps, subscribed.upKbps, capacity.upKbps),
  };
}
