// The audit log: who changed what, when. Written in the same transaction as the change.
import type { Selectable } from 'kysely';
import type { Clock } from '../../shared/clock.js';
import type { AuditLogTable, Db, OperatorRole } from '../db/schema.js';
import { newId } from '../ids.js';
import { preparedInsert } from '../db/prepared.js';

export type AuditRow = Selectable<AuditLogTable>;

export interface Actor {
  readonly kind: 'operator' | 'customer' | 'system' | 'device';
  readonly id: string;
  /** An operator's role, for rules that depend on it (R22: who may lift a suspension). */
  readonly role?: OperatorRole;
}

export const SYSTEM: Actor = { kind: 'system', id: 'server' };

export interface AuditEntry {
  readonly actor: Actor;
  readonly action: string;
  readonly subscriptionId?: string | null;
  readonly subjectId?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

const insertAuditRow = preparedInsert<AuditRow>(['id', 'at', 'actor_kind', 'actor_id', 'action', 'subscription_id', 'subject_id', 'details'], (db, row) => db.insertInto('audit_log').values(row));

export async function appendAudit(db: Db, clock: Clock, entry: AuditEntry): Promise<void> {
  await insertAuditRow(db, {
    id: newId('aud', clock),
    at: clock.now(),
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    action: entry.action,
    subscription_id: entry.subscriptionId ?? null,
    subject_id: entry.subjectId ?? null,
    details: JSON.stringify(entry.details ?? {}),
  });
}

export function listAudit(
  db: Db,
  filter: { subscriptionId?: string | undefined; action?: string | undefined; before?: string | undefined; limit: number },
): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.execute();
}
