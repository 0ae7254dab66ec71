// What the ingest records over time for the rules that look back (R16 guarantee, R21 coverage):
// every presence message (an offline one dated when it arrived), every change of the active path
// a status reported (failover, failback and outage events are in `events`), the stick's
// registration and signal while the coverage window needs them, and the stretches in which the
// server itself recorded nothing. Each insert ignores a message it has already recorded.
import type { Selectable } from 'kysely';
import type { Path } from '../../shared/contract/index.js';
import type { CoverageReportsTable, Db, IngestGapsTable, PathChangesTable, PresenceLogTable } from '../db/schema.js';

export type PresenceLogRow = Selectable<PresenceLogTable>;
export type PathChangeRow = Selectable<PathChangesTable>;
export type CoverageReportRow = Selectable<CoverageReportsTable>;
export type IngestGapRow = Selectable<IngestGapsTable>;

export const PATH_EVENT_TYPES = ['failover', 'failback', 'outage'] as const;

export async function insertPresenceLog(db: Db, row: PresenceLogRow): Promise<void> {
  await db
    .insertInto('presence_log')
    .values(row)
    .onConflict((oc) => oc.columns(['device_id', 'state', 'sent_at']).doNothing())
    .execute();
}

/**
 * A revoked router's Last Will is refused by the ingest (it no longer exists for the broker), so
 * its silence is recorded at the revocation: its last path does not run on in the timeline.
 */
export function recordRevokedOffline(db: Db, deviceId: string, at: number): Promise<void> {
  return insertPresenceLog(db, { device_id: deviceId, at, sent_at: at, received_at: at, state: 'offline', reason: 'shutdown' });
}

export async function insertPathChange(db: Db, row: PathChangeRow): Promise<void> {
  await db
    .insertInto('path_changes')
    .values(row)
    .onConflict((oc) => oc.columns(['device_id', 'at', 'path']).doNothing())
    .execute();
}

export async function insertCoverageReport(db: Db, row: CoverageReportRow): Promise<void> {
  await db
    .insertInto('coverage_reports')
    .values(row)
    .onConflict((oc) => oc.columns(['device_id', 'at']).doNothing())
    .execute();
}

export async function insertIngestGap(db: Db, row: IngestGapRow): Promise<void> {
  await db
    .insertInto('ingest_gaps')
    .values(row)
    .onConflict((oc) => oc.column('from_at').doNothing())
    .execute();
}

export function coverageReportsOf(db: Db, subscriptionId: string, from: number, to: number): Promise<CoverageReportRow[]> {
  return db
    .selectFrom('coverage_reports')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('at', '>=', from)
    .where('at', '<', to)
    .orderBy('at')
    .execute();
}

/** Every router the subscription ever had (revoked ones too: their records cover their time). */
export function deviceIdsEver(db: Db, subscriptionId: string): Promise<string[]> {
  return db
    .selectFrom('devices')
    .select('id')
    .where('subscription_id', '=', subscriptionId)
    .execute()
    .then((rows) => rows.map((r) => r.id));
}

export interface PresenceRecordRow {
  readonly at: number;
  readonly state: 'online' | 'offline';
  readonly reason: string | null;
}

export interface PathRecordRow {
  readonly at: number;
  readonly path: Path;
  readonly source: 'status' | (typeof PATH_EVENT_TYPES)[number];
}

/**
 * Presence records of these devices from `from` to `to`, plus the latest one before `from` (the
 * state at the start) and the first one after `to`; in order of time, then of arrival.
 */
export async function presenceRecords(db: Db, deviceIds: readonly string[], from: number, to: number): Promise<PresenceRecordRow[]> {
  if (deviceIds.length === 0) return [];
  const base = () => db.selectFrom('presence_log').select(['at', 'state', 'reason', 'received_at']).where('device_id', 'in', deviceIds);
  const [before, within, after] = await Promise.all([
    base().where('at', '<', from).orderBy('at', 'desc').orderBy('received_at', 'desc').limit(1).execute(),
    base().where('at', '>=', from).where('at', '<=', to).orderBy('at').orderBy('received_at').execute(),
    base().where('at', '>', to).orderBy('at').orderBy('received_at').limit(1).execute(),
  ]);
  return [...before, ...within, ...after].map((r) => ({ at: r.at, state: r.state, reason: r.reason }));
}

/** Path records from statuses and from failover/failback/outage events, with the latest before `from`. */
export async function pathRecords(db: Db, deviceIds: readonly string[], from: number, to: number): Promise<PathRecordRow[]> {
  if (deviceIds.length === 0) return [];
  const statuses = () => db.selectFrom('path_changes').select(['at', 'path', 'received_at']).where('device_id', 'in', deviceIds);
  const events = () =>
    db.selectFrom('events').select(['at', 'type', 'payload', 'received_at']).where('device_id', 'in', deviceIds).where('type', 'in', PATH_EVENT_TYPES);
  const [statusBefore, statusWithin, eventBefore, eventWithin] = await Promise.all([
    statuses().where('at', '<', from).orderBy('at', 'desc').limit(1).execute(),
    statuses().where('at', '>=', from).where('at', '<=', to).execute(),
    events().where('at', '<', from).orderBy('at', 'desc').limit(1).execute(),
    events().where('at', '>=', from).where('at', '<=', to).execute(),
  ]);
  const fromStatus = [...statusBefore, ...statusWithin].map((r) => ({ at: r.at, path: r.path, source: 'status' as const, receivedAt: r.received_at }));
  const fromEvents = [...eventBefore, ...eventWithin].map((r) => ({
    at: r.at,
    path: (JSON.parse(r.payload) as { to: Path }).to,
    source: r.type as (typeof PATH_EVENT_TYPES)[number],
    receivedAt: r.received_at,
  }));
  const all = [...fromStatus, ...fromEvents].sort((a, b) => a.at - b.at || a.receivedAt - b.receivedAt);
  // Of the records before `from`, only the latest says anything about the start.
  const firstInside = all.findIndex((r) => r.at >= from);
  const kept = firstInside === -1 ? all.slice(-1) : firstInside === 0 ? all : all.slice(firstInside - 1);
  return kept.map(({ at, path, source }) => ({ at, path, source }));
}

export function gapsBetween(db: Db, from: number, to: number): Promise<IngestGapRow[]> {
  return db.selectFrom('ingest_gaps').selectAll().where('from_at', '<', to).where('to_at', '>', from).orderBy('from_at').execute();
}
