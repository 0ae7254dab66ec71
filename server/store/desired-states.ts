// Each device's desired state with its monotonic seq, what the broker confirmed as published,
// and what the agent acknowledged.
import type { Selectable } from 'kysely';
import type { DesiredContent } from '../core/desired.js';
import { preparedFirst, preparedWrite } from '../db/prepared.js';
import type { Db, DesiredStatesTable } from '../db/schema.js';

export type DesiredRow = Selectable<DesiredStatesTable>;

// A boost reads and writes these on its grant, its publish and its ack: compiled once (db/prepared.ts).
export const getDesired = preparedFirst((db: Db, deviceId: string) => db.selectFrom('desired_states').selectAll().where('device_id', '=', deviceId));

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
  const c = columnsOf(content);
  await bumpDesiredRow(db, deviceId, c.profile, c.down_kbps, c.up_kbps, c.until_at, c.boost_id, c.suspended, at);
}

const bumpDesiredRow = preparedWrite(
  (db: Db, deviceId: string, profile: DesiredRow['profile'], downKbps: number, upKbps: number, untilAt: number | null, boostId: string | null, suspended: number, at: number) =>
    db
      .updateTable('desired_states')
      .set((eb) => ({ profile, down_kbps: downKbps, up_kbps: upKbps, until_at: untilAt, boost_id: boostId, suspended, seq: eb('seq', '+', 1), issued_at: at }))
      .where('device_id', '=', deviceId),
);

const markPublishedRow = preparedWrite((db: Db, deviceId: string, seq: number, newerThan: number) =>
  db.updateTable('desired_states').set({ published_seq: seq }).where('device_id', '=', deviceId).where('published_seq', '<', newerThan),
);

export async function markPublished(db: Db, deviceId: string, seq: number): Promise<void> {
  await markPublishedRow(db, deviceId, seq, seq);
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
  return (await recordAckRow(db, deviceId, ack.seq, ack.outcome, ack.reason, ack.at, ack.seq, ack.seq)) > 0;
}

// The seq goes in three times (set, and the two conditions): a prepared query takes each argument once.
const recordAckRow = preparedWrite(
  (db: Db, deviceId: string, seq: number, outcome: 'applied' | 'rejected', reason: string | null, at: number, newerThan: number, notAfter: number) =>
    db
      .updateTable('desired_states')
      .set({ acked_seq: seq, ack_outcome: outcome, ack_reason: reason, ack_at: at })
      .where('device_id', '=', deviceId)
      .where('acked_seq', '<', newerThan)
      .where('seq', '>=', notAfter),
);
