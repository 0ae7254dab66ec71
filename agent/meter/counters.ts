// Bytes moved between two readings of the stick's counters. Pure. The counters restart when the
// stick restarts or a new session begins, and some firmwares keep them in 32 bits (they wrap at
// 4 GiB): a counter going backwards is a wrap only when that gives a plausible amount for the
// time between the readings, otherwise it is a reset and everything on the counter is new.
import { z } from 'zod';

export const CounterSampleSchema = z.object({
  sessionTxBytes: z.number().int().nonnegative(),
  sessionRxBytes: z.number().int().nonnegative(),
  sessionSeconds: z.number().int().nonnegative(),
  totalTxBytes: z.number().int().nonnegative().nullable(),
  totalRxBytes: z.number().int().nonnegative().nullable(),
  readAt: z.number().int(),
});
/** The fields of the modem's DataCounters the meter keeps. */
export type CounterSample = z.infer<typeof CounterSampleSchema>;

export type DeltaKind = 'first' | 'steady' | 'wrap' | 'reset';

export interface CounterDelta {
  /** Bytes sent by the stick (from the customer). */
  readonly upBytes: number;
  /** Bytes received by the stick (towards the customer). */
  readonly downBytes: number;
  readonly kind: DeltaKind;
}

const WRAP_32 = 2 ** 32;
/** Above any UMTS rate (16 Mbit/s down + 8.6 up), with margin; bounds what a wrap may explain. */
const MAX_PLAUSIBLE_BYTES_PER_S = 4_000_000;
/** Allowed drift between the stick's session clock and ours, in seconds. */
const SESSION_CLOCK_SLACK_S = 5;

export function counterDelta(prev: CounterSample | null, cur: CounterSample): CounterDelta {
  if (prev === null) return { upBytes: 0, downBytes: 0, kind: 'first' };
  const elapsedS = Math.max(1, (cur.readAt - prev.readAt) / 1000);
  const limit = elapsedS * MAX_PLAUSIBLE_BYTES_PER_S;

  if (prev.totalTxBytes !== null && prev.totalRxBytes !== null && cur.totalTxBytes !== null && cur.totalRxBytes !== null) {
    // Totals span sessions: the best source when both readings have them (^DSFLOWQRY).
    return pair(prev.totalTxBytes, cur.totalTxBytes, prev.totalRxBytes, cur.totalRxBytes, limit);
  }
  const sessionGrew = cur.sessionSeconds - prev.sessionSeconds;
  const sameSession = sessionGrew >= 0 && sessionGrew <= elapsedS + SESSION_CLOCK_SLACK_S;
  if (!sameSession) return { upBytes: cur.sessionTxBytes, downBytes: cur.sessionRxBytes, kind: 'reset' };
  return pair(prev.sessionTxBytes, cur.sessionTxBytes, prev.sessionRxBytes, cur.sessionRxBytes, limit);
}

function pair(prevUp: number, curUp: number, prevDown: number, curDown: number, limit: number): CounterDelta {
  const up = one(prevUp, curUp, limit);
  const down = one(prevDown, curDown, limit);
  if (up === null || down === null) return { upBytes: curUp, downBytes: curDown, kind: 'reset' };
  const kind: DeltaKind = curUp < prevUp || curDown < prevDown ? 'wrap' : 'steady';
  return { upBytes: up, downBytes: down, kind };
}

/** The growth of one counter, or null when it went back in a way only a reset explains. */
function one(prev: number, cur: number, limit: number): number | null {
  if (cur >= prev) return cur - prev;
  if (prev < WRAP_32) {
    const wrapped = cur + WRAP_32 - prev;
    if (wrapped <= limit) return wrapped;
  }
  return null;
}
