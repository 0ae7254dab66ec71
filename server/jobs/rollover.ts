// The month roll-over: closes each finished billing period once (usage and boosts per
// subscription into period_closings) and forgets expired customer sessions. It remembers the
// last period it closed, so after downtime it closes every month it missed, and running it
// twice changes nothing. Quotas and fair use need no reset: they are counted per period.
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import { nextPeriod, periodById, periodOf, previousPeriod, type BillingPeriod } from '../../shared/period.js';
import type { DatabaseHandle } from '../db/database.js';
import { writeTransaction } from '../db/transaction.js';
import { appendAudit, SYSTEM } from '../store/audit.js';
import { boostCounts } from '../store/boosts.js';
import { deleteExpiredSessions } from '../store/credentials.js';
import { insertPeriodClosing, jobLastKey, setJobLastKey } from '../store/jobs.js';
import { allSubscriptionIds } from '../store/subscriptions.js';
import { subscriptionUsedBytes } from '../store/telemetry.js';

export const ROLLOVER_JOB = 'month-rollover';

export async function rollOverMonths(store: DatabaseHandle, clock: Clock, log: Logger): Promise<string[]> {
  const now = clock.now();
  await deleteExpiredSessions(store.db, now);
  const current = periodOf(now);
  const last = await jobLastKey(store.db, ROLLOVER_JOB);
  const closed: string[] = [];
  // First run: only the month just finished; later runs: every month since the last closed one.
  for (let period: BillingPeriod = last ? nextPeriod(periodById(last)) : previousPeriod(current); period.end <= current.start; period = nextPeriod(period)) {
    await closePeriod(store, clock, period.id);
    closed.push(period.id);
  }
  if (closed.length > 0) log.info({ periods: closed }, 'billing periods closed');
  return closed;
}

async function closePeriod(store: DatabaseHandle, clock: Clock, period: string): Promise<void> {
  await writeTransaction(store, async (trx) => {
    let subscriptions = 0;
    for (const subscriptionId of await allSubscriptionIds(trx)) {
      const counts = await boostCounts(trx, subscriptionId, period);
      const inserted = await insertPeriodClosing(trx, {
        subscription_id: subscriptionId,
        period,
        used_bytes: await subscriptionUsedBytes(trx, subscriptionId, period),
        self_service_boosts: counts.selfService,
        operator_boosts: counts.operator,
        closed_at: clock.now(),
      });
      if (inserted) subscriptions++;
    }
    await setJobLastKey(trx, ROLLOVER_JOB, period, clock.now());
    await appendAudit(trx, clock, { actor: SYSTEM, action: 'period.closed', details: { period, subscriptions } });
  });
}
