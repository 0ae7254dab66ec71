// R16: the guarantee must not read the server's own downtime as "the router was online". The
// server beats every minute (job_runs); at start, a silence longer than downtimeGapSeconds since
// the last beat is recorded as a gap, which the guarantee's timeline counts as missing data.
// With several instances on one database, any live instance's beat counts.
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { DatabaseHandle } from '../db/database.js';
import { jobLastKey, setJobLastKey } from '../store/jobs.js';
import { insertIngestGap } from '../store/timeline.js';

export const HEARTBEAT_JOB = 'ingest-heartbeat';

export async function beat(store: DatabaseHandle, clock: Clock): Promise<void> {
  const now = clock.now();
  await setJobLastKey(store.db, HEARTBEAT_JOB, String(now), now);
}

/** At start: records the silence since the last beat as a gap if it was longer than `thresholdMs`. */
export async function recordDowntime(store: DatabaseHandle, clock: Clock, thresholdMs: number, log: Logger): Promise<{ from: number; to: number } | null> {
  const last = Number(await jobLastKey(store.db, HEARTBEAT_JOB));
  const now = clock.now();
  if (!Number.isFinite(last) || last <= 0 || now - last <= thresholdMs) return null;
  await insertIngestGap(store.db, { from_at: last, to_at: now, recorded_at: now });
  log.warn({ from: new Date(last).toISOString(), to: new Date(now).toISOString() }, 'recorded a gap: the server was not running');
  return { from: last, to: now };
}
