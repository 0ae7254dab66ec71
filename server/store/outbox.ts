// The mail outbox: a mail is written in the transaction that causes it and sent afterwards, with
// retries, so a crash or an SMTP outage loses nothing and a repeated cause sends nothing twice.
import type { Selectable } from 'kysely';
import type { Clock } from '../../shared/clock.js';
import type { Db, MailOutboxTable } from '../db/schema.js';
import { newId } from '../ids.js';

export type OutboxRow = Selectable<MailOutboxTable>;

export interface NewMail {
  readonly dedupeKey: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** Queues a mail; false when a mail with this dedupe key exists already. */
export async function enqueueMail(db: Db, clock: Clock, mail: NewMail): Promise<boolean> {
  const now = clock.now();
  const result = await db
    .insertInto('mail_outbox')
    .values({
      id: newId('mail', clock),
      dedupe_key: mail.dedupeKey,
      to_address: mail.to,
      subject: mail.subject,
      body: mail.body,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      created_at: now,
      sent_at: null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function dueMails(db: Db, now: number, limit: number): Promise<OutboxRow[]> {
  return db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

export async function markSent(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set((eb) => ({ status: 'sent', sent_at: at, attempts: eb('attempts', '+', 1), last_error: null }))
    .where('id', '=', id)
    .execute();
}

export async function markAttemptFailed(db: Db, id: string, failure: { error: string; nextAttemptAt: number; giveUp: boolean }): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set((eb) => ({
      status: failure.giveUp ? 'failed' : 'pending',
      attempts: eb('attempts', '+', 1),
      last_error: failure.error.slice(0, 500),
      next_attempt_at: failure.nextAttemptAt,
    }))
    .where('id', '=', id)
    .execute();
}

export function listOutbox(db: Db, filter: { dedupeKeyPrefix?: string; limit: number }): Promise<OutboxRow[]> {
  let query = db.selectFrom('mail_outbox').selectAll().orderBy('created_at', 'desc').limit(filter.limit);
  if (filter.dedupeKeyPrefix) query = query.where('dedupe_key', 'like', `${filter.dedupeKeyPrefix}%`);
  return query.execute();
}
