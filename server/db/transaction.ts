// Write transactions that hold under concurrency on both engines. SQLite: BEGIN IMMEDIATE takes
// the write lock up front, so two writers (this server and the CLI, or two requests) never
// interleave. PostgreSQL: a normal transaction, with rows locked explicitly (`lockSubscription`).
// A transaction that loses a deadlock or a busy race is run again, from the start.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseHandle } from './database.js';
import { prepared } from './prepared.js';
import type { Database, Db } from './schema.js';

const RETRIES = 4;

export async function writeTransaction<T>(store: DatabaseHandle, work: (trx: Db) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return store.dialect === 'sqlite' ? await sqliteImmediate(store.db, work) : await store.db.transaction().execute(work);
    } catch (error) {
      if (attempt >= RETRIES || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}

async function sqliteImmediate<T>(db: Kysely<Database>, work: (trx: Db) => Promise<T>): Promise<T> {
  // Kysely's SQLite driver has one connection guarded by a mutex; `connection()` keeps it for us.
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn as unknown as Transaction<Database>);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw error;
    }
  });
}

/** Locks one subscription's row until the transaction ends (PostgreSQL; SQLite is already exclusive). */
export async function lockSubscription(trx: Db, dialect: DatabaseHandle['dialect'], subscriptionId: string): Promise<boolean> {
  const rows = await (dialect === 'postgres' ? subscriptionForUpdate : subscriptionExists)(trx, subscriptionId);
  return rows.length > 0;
}

const subscriptionExists = prepared((trx: Db, id: string) => trx.selectFrom('subscriptions').select('id').where('id', '=', id));
const subscriptionForUpdate = prepared((trx: Db, id: string) => trx.selectFrom('subscriptions').select('id').where('id', '=', id).forUpdate());

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // 40001 serialization failure, 40P01 deadlock; SQLite busy/locked.
  return code === '40001' || code === '40P01' || code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

/** A unique constraint refused the write (both engines). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
