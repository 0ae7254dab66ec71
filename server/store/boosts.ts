// Boosts (R4 to R9). Two unique keys hold the rules under concurrency: a counted self-service
// boost takes a numbered slot of its month (R7), and a subscription has at most one boost in force.
import type { Selectable } from 'kysely';
import { preparedFirst, preparedInsert, preparedWrite } from '../db/prepared.js';
import type { BoostEndReason, BoostsTable, Db } from '../db/schema.js';

export type BoostRow = Selectable<BoostsTable>;

export const IN_FORCE = ['requested', 'applied'] as const;

// A boost's grant and its ack run these queries, compiled once (db/prepared.ts).
const insertBoostRow = preparedInsert<BoostRow>(
  ['id', 'subscription_id', 'kind', 'status', 'period', 'slot', 'granted_at', 'ends_at', 'applied_at', 'ended_at', 'end_reason', 'email', 'requested_by', 'reason'],
  (db, row) => db.insertInto('boosts').values(row),
);

export async function insertBoost(db: Db, row: BoostRow): Promise<void> {
  await insertBoostRow(db, row);
}

export const getBoost = preparedFirst((db: Db, id: string) => db.selectFrom('boosts').selectAll().where('id', '=', id));

export const boostInForce = preparedFirst((db: Db, subscriptionId: string) =>
  db.selectFrom('boosts').selectAll().where('subscription_id', '=', subscriptionId).where('status', 'in', IN_FORCE),
);

export function usedSlots(db: Db, subscriptionId: string, period: string): Promise<number[]> {
  return db
    .selectFrom('boosts')
    .select('slot')
    .where('subscription_id', '=', subscriptionId)
    .where('period', '=', period)
    .where('slot', 'is not', null)
    .execute()
    .then((rows) => rows.map((r) => r.slot).filter((slot): slot is number => slot !== null));
}

export function listBoosts(db: Db, filter: { subscriptionId?: string; period?: string; inForce?: boolean; limit: number }): Promise<BoostRow[]> {
  let query = db.selectFrom('boosts').selectAll().orderBy('granted_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
  if (filter.period) query = query.where('period', '=', filter.period);
  if (filter.inForce) query = query.where('status', 'in', IN_FORCE);
  return query.execute();
}

/** Boosts in force whose end has come (the sweep's work list). */
export function dueBoosts(db: Db, now: number): Promise<BoostRow[]> {
  return db.selectFrom('boosts').selectAll().where('status', 'in', IN_FORCE).where('ends_at', '<=', now).execute();
}

export function boostsInForce(db: Db): Promise<Pick<BoostRow, 'id' | 'ends_at'>[]> {
  return db.selectFrom('boosts').select(['id', 'ends_at']).where('status', 'in', IN_FORCE).execute();
}

/** Ends a boost that is still in force; returns whether it was. */
export async function endBoost(
  db: Db,
  id: string,
  end: { status: EndStatus; reason: BoostEndReason; at: number; freeSlot?: boolean },
): Promise<boolean> {
  const write = end.freeSlot ? endFreeingSlot : endKeepingSlot;
  return (await write(db, id, end.status, end.reason, end.at)) > 0;
}

type EndStatus = 'ended' | 'cancelled' | 'rejected';
const endKeepingSlot = preparedWrite((db: Db, id: string, status: EndStatus, reason: BoostEndReason, at: number) =>
  db.updateTable('boosts').set({ status, end_reason: reason, ended_at: at }).where('id', '=', id).where('status', 'in', IN_FORCE),
);
const endFreeingSlot = preparedWrite((db: Db, id: string, status: EndStatus, reason: BoostEndReason, at: number) =>
  db.updateTable('boosts').set({ status, end_reason: reason, ended_at: at, slot: null }).where('id', '=', id).where('status', 'in', IN_FORCE),
);

/** The agent confirmed it (R6); returns whether this was the first confirmation. */
export async function markApplied(db: Db, id: string, at: number): Promise<boolean> {
  return (await markAppliedRow(db, id, at)) > 0;
}

const markAppliedRow = preparedWrite((db: Db, id: string, at: number) =>
  db.updateTable('boosts').set({ status: 'applied', applied_at: at }).where('id', '=', id).where('status', '=', 'requested'),
);

export async function boostCounts(db: Db, subscriptionId: string, period: string): Promise<{ selfService: number; operator: number }> {
  const rows = await db
    .selectFrom('boosts')
    .select(['kind', 'slot'])
    .where('subscription_id', '=', subscriptionId)
    .where('period', '=', period)
    .execute();
  return {
    selfService: rows.filter((r) => r.kind === 'self-service' && r.slot !== null).length,
    operator: rows.filter((r) => r.kind === 'operator').length,
  };
}
