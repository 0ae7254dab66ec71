// Suspensions (R22, R23): one row per suspension, open until restored. The open row is the rules'
// current `SuspensionState`; all of them are the out-of-service spans the guarantee skips (R16).
import type { Selectable } from 'kysely';
import type { Db, SuspensionsTable } from '../db/schema.js';
import type { Actor, ActorRole } from '../rules/actor.js';
import { ACTIVE, type SuspensionReason, type SuspensionState } from '../rules/suspension.js';

export type SuspensionRow = Selectable<SuspensionsTable>;

export function openSuspension(db: Db, subscriptionId: string): Promise<SuspensionRow | undefined> {
  return db.selectFrom('suspensions').selectAll().where('subscription_id', '=', subscriptionId).where('restored_at', 'is', null).executeTakeFirst();
}

export function suspensionStateOf(row: SuspensionRow | undefined): SuspensionState {
  if (!row) return ACTIVE;
  return {
    status: 'suspended',
    reason: row.reason as SuspensionReason,
    note: row.note,
    since: row.since,
    by: { role: row.by_role as ActorRole, id: row.by_id },
  };
}

export async function insertSuspension(
  db: Db,
  row: { id: string; subscriptionId: string; reason: SuspensionReason; note: string | null; since: number; by: Actor },
): Promise<void> {
  await db
    .insertInto('suspensions')
    .values({
      id: row.id,
      subscription_id: row.subscriptionId,
      reason: row.reason,
      note: row.note,
      since: row.since,
      by_role: row.by.role,
      by_id: row.by.id,
      restored_at: null,
      restored_by_role: null,
      restored_by_id: null,
      restore_note: null,
    })
    .execute();
}

export async function closeSuspension(db: Db, subscriptionId: string, restore: { at: number; by: Actor; note: string | null }): Promise<void> {
  await db
    .updateTable('suspensions')
    .set({ restored_at: restore.at, restored_by_role: restore.by.role, restored_by_id: restore.by.id, restore_note: restore.note })
    .where('subscription_id', '=', subscriptionId)
    .where('restored_at', 'is', null)
    .execute();
}

/** The suspensions that overlap [from, to). */
export function suspensionsBetween(db: Db, subscriptionId: string, from: number, to: number): Promise<SuspensionRow[]> {
  return db
    .selectFrom('suspensions')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('since', '<', to)
    .where((eb) => eb.or([eb('restored_at', 'is', null), eb('restored_at', '>', from)]))
    .orderBy('since')
    .execute();
}
