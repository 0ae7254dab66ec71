// Online-guarantee claims and refunds (R16). The refunds' primary key (subscription, month)
// holds "at most one refund per subscription per month" under concurrency.
import type { Selectable } from 'kysely';
import type { ClaimStatus, Db, GuaranteeClaimsTable, GuaranteeRefundsTable } from '../db/schema.js';
import type { GuaranteeRefund } from '../rules/guarantee.js';

export type ClaimRow = Selectable<GuaranteeClaimsTable>;
export type RefundRow = Selectable<GuaranteeRefundsTable>;

export async function insertClaim(db: Db, row: ClaimRow): Promise<void> {
  await db.insertInto('guarantee_claims').values(row).execute();
}

export async function updateClaim(
  db: Db,
  id: string,
  change: Pick<ClaimRow, 'status' | 'verdict' | 'reason' | 'assessment' | 'decided_at' | 'decided_by_role' | 'decided_by_id' | 'note'>,
): Promise<void> {
  await db.updateTable('guarantee_claims').set(change).where('id', '=', id).execute();
}

export function getClaim(db: Db, id: string): Promise<ClaimRow | undefined> {
  return db.selectFrom('guarantee_claims').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ClaimListRow extends ClaimRow {
  readonly reference: string;
}

export function listClaims(db: Db, filter: { status?: ClaimStatus | undefined; subscriptionId?: string | undefined; limit: number }): Promise<ClaimListRow[]> {
  let query = db
    .selectFrom('guarantee_claims')
    .innerJoin('subscriptions', 'subscriptions.id', 'guarantee_claims.subscription_id')
    .selectAll('guarantee_claims')
    .select('subscriptions.reference')
    .orderBy('guarantee_claims.claimed_at', 'desc')
    .orderBy('guarantee_claims.id', 'desc')
    .limit(filter.limit);
  if (filter.status) query = query.where('guarantee_claims.status', '=', filter.status);
  if (filter.subscriptionId) query = query.where('guarantee_claims.subscription_id', '=', filter.subscriptionId);
  return query.execute();
}

/**
 * Inserts a refund; the primary key refuses a second one for the month (a unique violation).
 * `outageKnown: false` for a refund decided by hand, which names no outage.
 */
export async function insertRefund(db: Db, refund: GuaranteeRefund, claimId: string, options: { outageKnown: boolean }): Promise<void> {
  await db
    .insertInto('guarantee_refunds')
    .values({
      subscription_id: refund.subscriptionId,
      period: refund.period,
      amount_cents: refund.amountCents,
      claim_id: claimId,
      outage_start: options.outageKnown ? refund.outageStart : null,
      outage_end: options.outageKnown ? refund.outageEnd : null,
      decided_at: refund.decidedAt,
    })
    .execute();
}

export function refundsOf(db: Db, subscriptionId: string): Promise<RefundRow[]> {
  return db.selectFrom('guarantee_refunds').selectAll().where('subscription_id', '=', subscriptionId).orderBy('period').execute();
}

export function refundOfClaim(db: Db, claimId: string): Promise<RefundRow | undefined> {
  return db.selectFrom('guarantee_refunds').selectAll().where('claim_id', '=', claimId).executeTakeFirst();
}

/** The rules' form (they only match subscription and month); a refund decided by hand names no outage: 0. */
export function refundOf(row: RefundRow): GuaranteeRefund {
  return {
    subscriptionId: row.subscription_id,
    period: row.period,
    amountCents: row.amount_cents,
    outageStart: row.outage_start ?? 0,
    outageEnd: row.outage_end ?? 0,
    decidedAt: row.decided_at,
  };
}
