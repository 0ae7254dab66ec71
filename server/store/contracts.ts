// Contracts (R19-R21, R24) and the EUR 0 final invoice (R20): rows in, rows out. The rules'
// `Contract` is rebuilt from a row by `contractOf`; the termination is kept as the rules' JSON.
import type { Selectable } from 'kysely';
import { preparedFirst } from '../db/prepared.js';
import type { ContractsTable, Db, FinalInvoicesTable } from '../db/schema.js';
import type { Contract, Termination } from '../rules/contract.js';

export type ContractRow = Selectable<ContractsTable>;
export type FinalInvoiceRow = Selectable<FinalInvoicesTable>;

export function contractOf(row: ContractRow): Contract {
  return {
    subscriptionId: row.subscription_id,
    orderedAt: row.ordered_at,
    deliveredAt: row.delivered_at,
    termination: row.termination === null ? null : (JSON.parse(row.termination) as Termination),
  };
}

export async function insertContract(db: Db, row: { subscriptionId: string; orderedAt: number; deliveredAt: number | null; at: number }): Promise<void> {
  await db
    .insertInto('contracts')
    .values({
      subscription_id: row.subscriptionId,
      ordered_at: row.orderedAt,
      delivered_at: row.deliveredAt,
      termination: null,
      ends_at: null,
      ended_at: null,
      credentials_revoked_at: null,
      kit_returned_at: null,
      created_at: row.at,
    })
    .execute();
}

export const getContract = preparedFirst((db: Db, subscriptionId: string) => db.selectFrom('contracts').selectAll().where('subscription_id', '=', subscriptionId));

/** Stores what the rules changed: the delivery and the termination. */
export async function saveContract(db: Db, contract: Contract): Promise<void> {
  await db
    .updateTable('contracts')
    .set({
      delivered_at: contract.deliveredAt,
      termination: contract.termination === null ? null : JSON.stringify(contract.termination),
      ends_at: contract.termination?.endsAt ?? null,
    })
    .where('subscription_id', '=', contract.subscriptionId)
    .execute();
}

export async function markContractEnded(db: Db, subscriptionId: string, at: number): Promise<boolean> {
  const result = await db.updateTable('contracts').set({ ended_at: at }).where('subscription_id', '=', subscriptionId).where('ended_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function markCredentialsRevoked(db: Db, subscriptionId: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('contracts')
    .set({ credentials_revoked_at: at })
    .where('subscription_id', '=', subscriptionId)
    .where('credentials_revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setKitReturned(db: Db, subscriptionId: string, at: number): Promise<void> {
  await db.updateTable('contracts').set({ kit_returned_at: at }).where('subscription_id', '=', subscriptionId).execute();
}

/** The end job's work list: contracts whose end has come and whose end actions are not all done. */
export function dueContractEnds(db: Db, now: number): Promise<ContractRow[]> {
  return db
    .selectFrom('contracts')
    .selectAll()
    .where('ends_at', '<=', now)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('credentials_revoked_at', 'is', null)]))
    .orderBy('ends_at')
    .execute();
}

/** Terminations still to carry out, to arm the timer at start. */
export function pendingContractEnds(db: Db): Promise<Pick<ContractRow, 'subscription_id' | 'ends_at'>[]> {
  return db.selectFrom('contracts').select(['subscription_id', 'ends_at']).where('ends_at', 'is not', null).where('ended_at', 'is', null).execute();
}

/** Contracts delivered at or after `since` (the coverage list's "new subscriptions"). */
export function contractsDeliveredSince(db: Db, since: number): Promise<ContractRow[]> {
  return db.selectFrom('contracts').selectAll().where('delivered_at', '>=', since).orderBy('delivered_at', 'desc').execute();
}

/** Inserts the final invoice once; false when it exists. */
export async function insertFinalInvoice(db: Db, row: FinalInvoiceRow): Promise<boolean> {
  const result = await db
    .insertInto('final_invoices')
    .values(row)
    .onConflict((oc) => oc.column('subscription_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function getFinalInvoice(db: Db, subscriptionId: string): Promise<FinalInvoiceRow | undefined> {
  return db.selectFrom('final_invoices').selectAll().where('subscription_id', '=', subscriptionId).executeTakeFirst();
}
