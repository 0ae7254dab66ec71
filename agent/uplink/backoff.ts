// Reconnect delays: exponential with "equal jitter" (half fixed, half random), so a fleet that
// lost its broker at the same moment spreads its reconnects instead of stampeding. Pure.

export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 1_000, maxMs: 60_000 };

/** The delay before reconnect attempt `attempt` (0 for the first retry); `random` in [0, 1). */
export function backoffDelayMs(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
