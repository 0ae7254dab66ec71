// Operator bearer tokens and customer sessions, both stored as SHA-256 of the token.
import type { Selectable } from 'kysely';
import type { CustomerSessionsTable, Db, OperatorTokensTable } from '../db/schema.js';

export type OperatorTokenRow = Selectable<OperatorTokensTable>;
export type SessionRow = Selectable<CustomerSessionsTable>;

export async function insertOperatorToken(db: Db, row: OperatorTokenRow): Promise<void> {
  await db.insertInto('operator_tokens').values(row).execute();
}

export function operatorTokenByHash(db: Db, hash: string): Promise<OperatorTokenRow | undefined> {
  return db.selectFrom('operator_tokens').selectAll().where('token_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
}

export function listOperatorTokens(db: Db): Promise<OperatorTokenRow[]> {
  return db.selectFrom('operator_tokens').selectAll().orderBy('created_at').execute();
}

export async function countOperatorTokens(db: Db): Promise<number> {
  const row = await db.selectFrom('operator_tokens').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function revokeOperatorToken(db: Db, id: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('operator_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchOperatorToken(db: Db, id: string, at: number): Promise<void> {
  await db.updateTable('operator_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto('customer_sessions').values(row).execute();
}

export function sessionByHash(db: Db, hash: string, now: number): Promise<SessionRow | undefined> {
  return db.selectFrom('customer_sessions').selectAll().where('token_hash', '=', hash).where('expires_at', '>', now).executeTakeFirst();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('customer_sessions').where('id', '=', id).execute();
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('customer_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
