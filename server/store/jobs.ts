// Bookkeeping of the scheduled jobs (what they last finished) and what they produce.
import type { Db } from '../db/schema.js';

export async function jobLastKey(db: Db, name: string): Promise<string | null> {
  const row = await db.selectFrom('job_runs').select('last_key').where('name', '=', name).executeTakeFirst();
  return row?.last_key ?? null;
}

export async function setJobLastKey(db: Db, name: string, key: string, at: number): Promise<void> {
  await db
    .insertInto('job_runs')
    .values({ name, last_key: key, last_run_at: at })
    .onConflict((oc) => oc.column('name').doUpdateSet({ last_key: key, last_run_at: at }))
    .execute();
}

/** Records one fair-use threshold for a subscription's month; false when already recorded. */
export async function insertFairUseNotice(
  db: Db,
  notice: { subscriptionId: string; period: string; threshold: number; at: number; usedBytes: number },
): Promise<boolean> {
  const result = await db
    .insertInto('fair_use_notices')
    .values({
      subscription_id: notice.subscriptionId,
      period: notice.period,
      threshold: notice.threshold,
      at: notice.at,
      used_bytes: notice.usedBytes,
    })
    .onConflict((oc) => oc.columns(['subscription_id', 'period', 'threshold']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function insertPeriodClosing(
  db: Db,
  row: { subscription_id: string; period: string; used_bytes: number; self_service_boosts: number; operator_boosts: number; closed_at: number },
): Promise<boolean> {
  const result = await db
    .insertInto('period_closings')
    .values(row)
    .onConflict((oc) => oc.columns(['subscription_id', 'period']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function periodClosings(db: Db, subscriptionId: string) {
  return db.selectFrom('period_closings').selectAll().where('subscription_id', '=', subscriptionId).orderBy('period').execute();
}
