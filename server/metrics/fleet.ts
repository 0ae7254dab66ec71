// What the fleet looks like right now, counted in the store at scrape time: routers by presence
// and by active path, and boosts in force. Plain GROUP BY queries, the same on SQLite and
// PostgreSQL (where count() comes back as a string).
import type { Path } from '../../shared/contract/index.js';
import type { BoostKind, Db } from '../db/schema.js';
import { IN_FORCE } from '../store/boosts.js';

export const PRESENCE_LABELS = ['online', 'offline', 'unknown'] as const;
export const PATH_LABELS = ['dsl', 'mobile', 'none', 'unknown'] as const satisfies ReadonlyArray<Path | 'unknown'>;
export const BOOST_KINDS = ['self-service', 'operator'] as const satisfies readonly BoostKind[];

export type PresenceLabel = (typeof PRESENCE_LABELS)[number];
export type PathLabel = (typeof PATH_LABELS)[number];

export interface FleetCounts {
  /** Enrolled routers (credentials not revoked) by their last presence; `unknown`: never reported. */
  readonly presence: Readonly<Record<PresenceLabel, number>>;
  /** Online routers by the path of their last status; `unknown`: online without a status yet. */
  readonly path: Readonly<Record<PathLabel, number>>;
  /** Boosts in force (not past their end) by kind and status (`requested`: not acked yet). */
  readonly boosts: ReadonlyArray<{ readonly kind: BoostKind; readonly status: (typeof IN_FORCE)[number]; readonly count: number }>;
}

export async function fleetCounts(db: Db, now: number): Promise<FleetCounts> {
  const [byPresence, byPath, boosts] = await Promise.all([
    db
      .selectFrom('devices')
      .select((eb) => ['presence', eb.fn.countAll().as('n')])
      .where('revoked_at', 'is', null)
      .groupBy('presence')
      .execute(),
    db
      .selectFrom('devices')
      .select((eb) => ['active_path', eb.fn.countAll().as('n')])
      .where('revoked_at', 'is', null)
      .where('presence', '=', 'online')
      .groupBy('active_path')
      .execute(),
    db
      .selectFrom('boosts')
      .select((eb) => ['kind', 'status', eb.fn.countAll().as('n')])
      .where('status', 'in', IN_FORCE)
      .where('ends_at', '>', now)
      .groupBy(['kind', 'status'])
      .execute(),
  ]);
  const presence: Record<PresenceLabel, number> = { online: 0, offline: 0, unknown: 0 };
  for (const row of byPresence) presence[row.presence ?? 'unknown'] += Number(row.n);
  const path: Record<PathLabel, number> = { dsl: 0, mobile: 0, none: 0, unknown: 0 };
  for (const row of byPath) path[row.active_path ?? 'unknown'] += Number(row.n);
  return {
    presence,
    path,
    boosts: boosts.map((row) => ({ kind: row.kind, status: row.status as (typeof IN_FORCE)[number], count: Number(row.n) })),
  };
}
