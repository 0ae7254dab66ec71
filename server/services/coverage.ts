// R21 coverage check: from the stick's registration and signal in the status messages of the
// first 30 days after delivery (recorded by the ingest while the window may need them), each new
// subscription gets a verdict (server/rules/coverage.ts); the NOC lists those without usable
// coverage, and those whose 30 days ended without enough reports to tell.
import { z } from 'zod';
import { DAY_MS } from '../../shared/service.js';
import type { Db } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { coverageWatchlist, judgeCoverage, type CoverageReport, type CoverageVerdict, type CoverageVerdictName } from '../rules/coverage.js';
import { addLocalDays, localDateOf, startOfLocalDate } from '../rules/time.js';
import { contractsDeliveredSince, getContract } from '../store/contracts.js';
import { getSubscription } from '../store/subscriptions.js';
import { coverageReportsOf } from '../store/timeline.js';
import type { ServiceContext } from './context.js';
import type { CoverageVerdicts } from './contracts.js';
import type { ModemState, Registration } from '../../shared/contract/index.js';

const Instant = z.string().describe('ISO 8601 instant');
const iso = (ms: number): string => new Date(ms).toISOString();

export const CoverageViewSchema = z.object({
  subscriptionId: z.string(),
  reference: z.string(),
  deliveredAt: Instant.nullable(),
  verdict: z.enum(['covered', 'no-usable-coverage', 'unknown']),
  /** The 30 days are over: the verdict will not change. */
  final: z.boolean(),
  /** Null until the kit is delivered. */
  evidence: z
    .object({
      windowStart: Instant,
      windowEnd: Instant,
      reports: z.number().int(),
      informative: z.number().int(),
      usable: z.number().int(),
      usableShare: z.number().nullable(),
      bestSignalDbm: z.number().nullable(),
      medianSignalDbm: z.number().nullable(),
      registrations: z.record(z.string(), z.number()),
      firstAt: Instant.nullable(),
      lastAt: Instant.nullable(),
    })
    .nullable(),
});
export type CoverageView = z.infer<typeof CoverageViewSchema>;

export class CoverageService implements CoverageVerdicts {
  constructor(private readonly ctx: ServiceContext) {}

  async view(subscriptionId: string): Promise<CoverageView> {
    const db = this.ctx.store.db;
    const subscription = await getSubscription(db, subscriptionId);
    const contract = await getContract(db, subscriptionId);
    if (!subscription || !contract) throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
    const deliveredAt = contract.delivered_at;
    const base = { subscriptionId, reference: subscription.reference, deliveredAt: deliveredAt === null ? null : iso(deliveredAt) };
    if (deliveredAt === null) return { ...base, verdict: 'unknown', final: false, evidence: null };
    return { ...base, ...verdictView(await this.judge(db, subscriptionId, deliveredAt)) };
  }

  async verdictName(subscriptionId: string): Promise<CoverageVerdictName | null> {
    const contract = await getContract(this.ctx.store.db, subscriptionId);
    if (!contract || contract.delivered_at === null) return null;
    return (await this.judge(this.ctx.store.db, subscriptionId, contract.delivered_at)).verdict;
  }

  /** R21 Decision: subscriptions delivered in the last `sinceDays` days without usable coverage. */
  async watchlist(filter: { sinceDays: number }): Promise<CoverageView[]> {
    const db = this.ctx.store.db;
    const contracts = await contractsDeliveredSince(db, this.ctx.clock.now() - filter.sinceDays * DAY_MS);
    const judged = [];
    for (const contract of contracts) judged.push({ subscriptionId: contract.subscription_id, coverage: await this.judge(db, contract.subscription_id, contract.delivered_at!) });
    const views: CoverageView[] = [];
    for (const item of coverageWatchlist(judged)) {
      const subscription = await getSubscription(db, item.subscriptionId);
      const contract = contracts.find((c) => c.subscription_id === item.subscriptionId)!;
      views.push({ subscriptionId: item.subscriptionId, reference: subscription?.reference ?? item.subscriptionId, deliveredAt: iso(contract.delivered_at!), ...verdictView(item.coverage) });
    }
    return views;
  }

  /**
   * For the ingest: whether a report at `at` may still count for the subscription's coverage
   * check: until the delivery is recorded (it may be recorded later, dated earlier), then to the
   * end of the window.
   */
  async wantsReports(db: Db, subscriptionId: string, at: number): Promise<boolean> {
    const contract = await getContract(db, subscriptionId);
    if (!contract) return false;
    return contract.delivered_at === null || at < this.window(contract.delivered_at).end;
  }

  private window(deliveredAt: number): { start: number; end: number } {
    const date = localDateOf(deliveredAt);
    return { start: startOfLocalDate(date), end: startOfLocalDate(addLocalDays(date, this.ctx.config.coverage.windowDays + 1)) };
  }

  private async judge(db: Db, subscriptionId: string, deliveredAt: number): Promise<CoverageVerdict> {
    const window = this.window(deliveredAt);
    const rows = await coverageReportsOf(db, subscriptionId, window.start, window.end);
    const reports: CoverageReport[] = rows.map((r) => ({
      at: r.at,
      modemState: r.modem_state as ModemState,
      registration: r.registration as Registration | null,
      signalDbm: r.signal_dbm,
    }));
    return judgeCoverage(deliveredAt, reports, this.ctx.clock.now(), this.ctx.config.coverage);
  }
}

function verdictView(coverage: CoverageVerdict): Pick<CoverageView, 'verdict' | 'final' | 'evidence'> {
  const e = coverage.evidence;
  return {
    verdict: coverage.verdict,
    final: coverage.final,
    evidence: {
      windowStart: iso(e.windowStart),
      windowEnd: iso(e.windowEnd),
      reports: e.reports,
      informative: e.informative,
      usable: e.usable,
      usableShare: e.usableShare,
      bestSignalDbm: e.bestSignalDbm,
      medianSignalDbm: e.medianSignalDbm,
      registrations: Object.fromEntries(Object.entries(e.registrations).map(([k, v]) => [k, v ?? 0])),
      firstAt: e.firstAt === null ? null : iso(e.firstAt),
      lastAt: e.lastAt === null ? null : iso(e.lastAt),
    },
  };
}
