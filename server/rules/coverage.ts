// R21: did the stick have usable mobile coverage in the first 30 days after delivery? From the
// stick's registration and signal as the agent reports them in `status` messages. Decisions:
// - the window is the same 30 days as the annulment right: delivery day (day 0) to the end of
//   day 30, Amsterdam dates;
// - only reports in which the stick was present and unlocked say anything about coverage
//   (searching, registered, connecting, connected); absent, initialising or SIM-locked ones are
//   ignored, so a stick that was never plugged in gives "unknown", not "no coverage";
// - a report is usable when registered (home or roaming by default) with a signal at or above
//   −105 dBm; unknown signal (rssi 99) is not usable;
// - covered when at least half of the informative reports are usable, no usable coverage
//   below that, unknown with fewer than 10 informative reports. All thresholds are config.
// Reports are counted, not weighted by time: the agent sends status on change and periodically.
import { z } from 'zod';
import { RegistrationSchema, type ModemState, type Registration, type Status } from '../../shared/contract/messages.js';
import { addLocalDays, localDateOf, startOfLocalDate, type Instant } from './time.js';

export const CoverageConfigSchema = z.object({
  windowDays: z.number().int().min(1).max(365).default(30),
  minSignalDbm: z.number().int().min(-120).max(-30).default(-105),
  usableRegistrations: z.array(RegistrationSchema).min(1).default(['home', 'roaming']),
  /** The share of informative reports that must be usable for "covered". */
  minUsableShare: z.number().min(0).max(1).default(0.5),
  /** Fewer informative reports than this: "unknown". */
  minReports: z.number().int().min(1).max(100_000).default(10),
});
export type CoverageConfig = z.output<typeof CoverageConfigSchema>;
export const DEFAULT_COVERAGE_CONFIG: CoverageConfig = CoverageConfigSchema.parse({});

export interface CoverageReport {
  readonly at: Instant;
  readonly modemState: ModemState;
  readonly registration: Registration | null;
  readonly signalDbm: number | null;
}

/** A recorded `status` message as a coverage report. */
export function coverageReportFromStatus(status: Status): CoverageReport {
  return {
    at: Date.parse(status.at),
    modemState: status.modem.state,
    registration: status.modem.registration,
    signalDbm: status.modem.signalDbm,
  };
}

const INFORMATIVE_STATES: readonly ModemState[] = ['searching', 'registered', 'connecting', 'connected'];

export type CoverageVerdictName = 'covered' | 'no-usable-coverage' | 'unknown';

export interface CoverageEvidence {
  readonly windowStart: Instant;
  /** Exclusive: the end of day 30. */
  readonly windowEnd: Instant;
  /** All reports in the window. */
  readonly reports: number;
  /** Reports with the stick present and unlocked. */
  readonly informative: number;
  readonly usable: number;
  /** usable / informative, or null with none informative. */
  readonly usableShare: number | null;
  readonly bestSignalDbm: number | null;
  readonly medianSignalDbm: number | null;
  /** Informative reports per registration state (`none` when not reported). */
  readonly registrations: Readonly<Partial<Record<Registration | 'none', number>>>;
  readonly firstAt: Instant | null;
  readonly lastAt: Instant | null;
}

export interface CoverageVerdict {
  readonly verdict: CoverageVerdictName;
  /** The 30 days are over: the verdict will not change. */
  readonly final: boolean;
  readonly evidence: CoverageEvidence;
}

export function judgeCoverage(
  deliveredAt: Instant,
  reports: readonly CoverageReport[],
  now: Instant,
  config: CoverageConfig = DEFAULT_COVERAGE_CONFIG,
): CoverageVerdict {
  const deliveryDate = localDateOf(deliveredAt);
  const windowStart = startOfLocalDate(deliveryDate);
  const windowEnd = startOfLocalDate(addLocalDays(deliveryDate, config.windowDays + 1));
  const inWindow = reports.filter((r) => r.at >= windowStart && r.at < windowEnd && r.at <= now);
  const informative = inWindow.filter((r) => INFORMATIVE_STATES.includes(r.modemState));
  const usable = informative.filter(
    (r) => r.registration !== null && config.usableRegistrations.includes(r.registration) && r.signalDbm !== null && r.signalDbm >= config.minSignalDbm,
  );
  const signals = informative.flatMap((r) => (r.signalDbm === null ? [] : [r.signalDbm])).sort((a, b) => a - b);
  const registrations: Partial<Record<Registration | 'none', number>> = {};
  for (const r of informative) registrations[r.registration ?? 'none'] = (registrations[r.registration ?? 'none'] ?? 0) + 1;
  const times = inWindow.map((r) => r.at);
  const usableShare = informative.length === 0 ? null : usable.length / informative.length;

  let verdict: CoverageVerdictName;
  if (informative.length < config.minReports || usableShare === null) verdict = 'unknown';
  else verdict = usableShare >= config.minUsableShare ? 'covered' : 'no-usable-coverage';

  return {
    verdict,
    final: now >= windowEnd,
    evidence: {
      windowStart,
      windowEnd,
      reports: inWindow.length,
      informative: informative.length,
      usable: usable.length,
      usableShare,
      bestSignalDbm: signals.length > 0 ? signals[signals.length - 1]! : null,
      medianSignalDbm: signals.length > 0 ? median(signals) : null,
      registrations,
      firstAt: times.length > 0 ? times.reduce((a, b) => Math.min(a, b)) : null,
      lastAt: times.length > 0 ? times.reduce((a, b) => Math.max(a, b)) : null,
    },
  };
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * R21 Decision: what the NOC lists: subscriptions without usable coverage, and those whose 30
 * days ended without enough reports to tell (the stick may never have been plugged in).
 */
export function coverageWatchlist<T extends { readonly subscriptionId: string; readonly coverage: CoverageVerdict }>(items: Iterable<T>): T[] {
  return [...items].filter((i) => i.coverage.verdict === 'no-usable-coverage' || (i.coverage.verdict === 'unknown' && i.coverage.final));
}
