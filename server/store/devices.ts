// Enrolled routers: credentials and the latest of what each reported (presence, status).
import type { Selectable } from 'kysely';
import type { Path } from '../../shared/contract/index.js';
import { prepared, preparedFirst, preparedWrite } from '../db/prepared.js';
import type { Db, DevicesTable } from '../db/schema.js';

export type DeviceRow = Selectable<DevicesTable>;

export async function insertDevice(db: Db, row: DeviceRow): Promise<void> {
  await db.insertInto('devices').values(row).execute();
}

// The queries of every message's ingest and every boost are compiled once (db/prepared.ts).
export const getDevice = preparedFirst((db: Db, id: string) => db.selectFrom('devices').selectAll().where('id', '=', id));

/** The routers of a subscription that still hold credentials. */
export const activeDevicesOf = prepared((db: Db, subscriptionId: string) =>
  db.selectFrom('devices').selectAll().where('subscription_id', '=', subscriptionId).where('revoked_at', 'is', null).orderBy('enrolled_at'),
);

export interface DeviceFilter {
  readonly subscriptionId?: string | undefined;
  readonly presence?: 'online' | 'offline' | undefined;
  readonly path?: Path | undefined;
  readonly limit: number;
  readonly after?: string | undefined;
}

export function listDevices(db: Db, filter: DeviceFilter): Promise<DeviceRow[]> {
  let query = db.selectFrom('devices').selectAll().orderBy('id').limit(filter.limit);
  if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
  if (filter.presence) query = query.where('presence', '=', filter.presence);
  if (filter.path) query = query.where('active_path', '=', filter.path);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.execute();
}

export async function setCredentials(db: Db, id: string, hash: { secretHash: string; salt: string; at: number }): Promise<void> {
  await db
    .updateTable('devices')
    .set({ secret_hash: hash.secretHash, secret_salt: hash.salt, credentials_at: hash.at, revoked_at: null })
    .where('id', '=', id)
    .execute();
}

/** The device's credentials stop working (a replaced router, an ended contract); false when already revoked. */
export async function revokeDevice(db: Db, id: string, at: number): Promise<boolean> {
  const result = await db.updateTable('devices').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Credentials a broker login is checked against; null when unknown or revoked. */
export async function deviceCredentials(db: Db, id: string): Promise<{ secret_hash: string; secret_salt: string } | null> {
  const row = await db
    .selectFrom('devices')
    .select(['secret_hash', 'secret_salt'])
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ?? null;
}

export async function setPresence(db: Db, id: string, presence: { state: 'online' | 'offline'; at: number; reason: string | null }): Promise<void> {
  await db
    .updateTable('devices')
    .set({ presence: presence.state, presence_at: presence.at, presence_reason: presence.reason })
    .where('id', '=', id)
    .execute();
}

/** Stores a status only if it is newer than the stored one; returns whether it was. */
export async function setStatusIfNewer(db: Db, id: string, status: { json: string; at: number; path: Path }): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set({ status_json: status.json, status_at: status.at, active_path: status.path })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('status_at', 'is', null), eb('status_at', '<', status.at)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

const setLastSeen = preparedWrite((db: Db, id: string, at: number) => db.updateTable('devices').set({ last_seen_at: at }).where('id', '=', id));

export async function touchLastSeen(db: Db, id: string, at: number): Promise<void> {
  await setLastSeen(db, id, at);
}
