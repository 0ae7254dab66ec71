// Each device's desired state with its monotonic seq, what the broker confirmed as published,
// and what the agent acknowledged.
import type { Selectable } from 'kysely';
import type { DesiredContent } from '../core/desired.js';
import type { Db, DesiredStatesTable } from '../db/schema.js';

export type DesiredRow = Selectable<DesiredStatesTable>;

export function getDesired(db: Db, deviceId: string): Promise<DesiredRow | undefined> {
  return db.selectFrom('desired_states').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
}

export function contentOf(row: DesiredRow): DesiredContent {
  return {
    profile: row.profile,
    downKbps: row.down_kbps,
    upKbps: row.up_kbps,
    untilAt: row.until_at,
    boostId: row.boost_id,
    suspended: row.suspended === 1,
  };
}

function columnsOf(content: DesiredContent) {
  return {
    profile: content.profile,
    down_kbps: content.downKbps,
    up_kbps: content.upKbps,
    until_at: content.untilAt,
    boost_id: content.boostId,
    suspended: content.suspended ? 1 : 0,
  };
}

export async function insertDesired(db: Db, deviceId: string, content: DesiredContent, at: number): Promise<void> {
  await db
    .insertInto('desired_states')
    .values({ device_id: deviceId, seq: 1, issued_at: at, published_seq: 0, acked_seq: 0, ...columnsOf(content) })
    .execute();
}

/** Replaces the content and moves seq on by one. */
export async function bumpDesired(db: Db, deviceId: string, content: DesiredContent, at: number): Promise<void> {
  await db
    .updateTable('desired_states')
    .set((eb) => ({ ...columnsOf(content), seq: eb('seq', '+', 1), issued_at: at }))
    .where('device_id', '=', deviceId)
    .execute();
}

export async function markPublished(db: Db, deviceId: string, seq: number): Promise<void> {
  await db
    .updateTable('desired_states')
    .set({ published_seq: seq })
    .where('device_id', '=', deviceId)
    .where('published_seq', '<', seq)
    .execute();
}

/** After a fresh (empty) embedded broker starts, nothing is retained any more. */
export async function forgetPublished(db: Db): Promise<void> {
  await db.updateTable('desired_states').set({ published_seq: 0 }).execute();
}

export function unpublishedDeviceIds(db: Db): Promise<string[]> {
  return db
    .selectFrom('desired_states')
    .select('device_id')
    .whereRef('published_seq', '<', 'seq')
    .execute()
    .then((rows) => rows.map((r) => r.device_id));
}

/** Records an ack if it is newer than the last one; returns whether it was. */
export async function recordAck(
  db: Db,
  deviceId: string,
  ack: { seq: number; outcome: 'applied' | 'rejected'; reason: string | null; at: number },
): Promise<boolean> {
  const result = await db
    .updateTable('desired_states')
    .set({ acked_seq: ack.seq, ack_outcome: ack.outcome, ack_reason: ack.reason, ack_at: ack.at })
    .where('device_id', '=', deviceId)
    .where('acked_seq', '<', ack.seq)
    .where('seq', '>=', ack.seq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
