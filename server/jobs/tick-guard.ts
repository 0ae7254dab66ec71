// Once per tick across server instances (issue 10). Every instance's cron fires at each tick; the
// first to take the job's cluster lock (server/db/cluster-lock.ts) and claim the tick in
// job_runs (`tick:<job>`, a conditional upsert that only moves forward) runs the sweep; the others
// find the lock taken or the tick claimed and skip it. A tick that fires while the same job's
// previous tick still runs somewhere is skipped (every sweep catches up on the next one).
import type { DatabaseHandle } from '../db/database.js';
import { withClusterLock } from '../db/cluster-lock.js';
import type { Db } from '../db/schema.js';

export type TickOutcome = 'ran' | 'skipped';

/** `tick:<job>` in job_runs holds the last tick claimed, as a fixed-width number (text order = time order). */
export function tickKey(tickAt: number): string {
  return String(Math.max(0, Math.trunc(tickAt))).padStart(16, '0');
}

/** Claims tick `tickAt` of `job`; false when this tick (or a later one) is claimed already. */
export async function claimTick(db: Db, job: string, tickAt: number, now: number): Promise<boolean> {
  const key = tickKey(tickAt);
  const result = await db
    .insertInto('job_runs')
    .values({ name: `tick:${job}`, last_key: key, last_run_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ last_key: key, last_run_at: now }).where('job_runs.last_key', '<', key))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Runs `work` for tick `tickAt` unless another instance runs or ran it; `tickAt` null is the
 * catch-up at start, which only waits its turn behind nobody (skipped while another instance runs
 * the job, since that run does the same).
 */
export async function runOncePerTick(
  store: DatabaseHandle,
  job: string,
  tickAt: number | null,
  now: () => number,
  work: () => Promise<unknown>,
): Promise<TickOutcome> {
  const locked = await withClusterLock(store, `job:${job}`, { wait: false }, async () => {
    if (tickAt !== null && !(await claimTick(store.db, job, tickAt, now()))) return false;
    await work();
    return true;
  });
  return locked.ran && locked.value ? 'ran' : 'skipped';
}
