// Work that must run on one server instance at a time (issue 10): on PostgreSQL a transaction-
// scoped advisory lock, keyed by the lock's name and the current schema (so two deployments, or
// two test runs, on one database never block each other), held for as long as the work runs and
// released by the commit, or by the server's death (its connection closes). On SQLite there is
// only ever one instance: the work just runs.
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.js';

/** Namespace of our advisory locks (the first of the two int4 keys). */
const NAMESPACE = 'serviceplus';

export type Locked<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

export interface ClusterLockOptions {
  /** Wait for the holder to finish (true) or give up at once (false). */
  readonly wait: boolean;
}

/**
 * Runs `work` holding the cluster-wide lock `name`. The lock's transaction is on a connection of
 * its own; `work` uses the store as usual (its own transactions), so nothing it writes depends
 * on the lock's commit. Errors from `work` are thrown after the lock is released.
 */
export async function withClusterLock<T>(store: DatabaseHandle, name: string, options: ClusterLockOptions, work: () => Promise<T>): Promise<Locked<T>> {
  if (store.dialect !== 'postgres') return { ran: true, value: await work() };
  return store.db.transaction().execute(async (trx): Promise<Locked<T>> => {
    const key = sql`hashtext(${NAMESPACE}), hashtext(current_schema() || ':' || ${name})`;
    if (options.wait) {
      await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
    } else {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${key}) as locked`.execute(trx);
      if (!rows[0]?.locked) return { ran: false };
    }
    return { ran: true, value: await work() };
  });
}
