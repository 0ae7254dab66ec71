// A router as the device views show it: its row, its desired state and one period's usage, in
// one query instead of three (issue 9: the device status route is the API's hottest read).
import { preparedFirst } from '../db/prepared.js';
import type { Db } from '../db/schema.js';
import type { DesiredRow } from './desired-states.js';
import type { DeviceRow } from './devices.js';
import type { UsageRow } from './telemetry.js';

export interface DeviceState {
  readonly device: DeviceRow;
  readonly desired: DesiredRow | undefined;
  readonly usage: UsageRow | undefined;
}

const deviceStateQuery = preparedFirst((db: Db, deviceId: string, period: string) =>
  db
    .selectFrom('devices')
    .leftJoin('desired_states as ds', 'ds.device_id', 'devices.id')
    .leftJoin('usage as u', (join) => join.onRef('u.device_id', '=', 'devices.id').on('u.period', '=', period))
    .selectAll('devices')
    .select([
      'ds.device_id as ds_device_id',
      'ds.seq as ds_seq',
      'ds.profile as ds_profile',
      'ds.down_kbps as ds_down_kbps',
      'ds.up_kbps as ds_up_kbps',
      'ds.until_at as ds_until_at',
      'ds.boost_id as ds_boost_id',
      'ds.suspended as ds_suspended',
      'ds.issued_at as ds_issued_at',
      'ds.published_seq as ds_published_seq',
      'ds.acked_seq as ds_acked_seq',
      'ds.ack_outcome as ds_ack_outcome',
      'ds.ack_reason as ds_ack_reason',
      'ds.ack_at as ds_ack_at',
      'u.device_id as u_device_id',
      'u.period as u_period',
      'u.seq as u_seq',
      'u.up_bytes as u_up_bytes',
      'u.down_bytes as u_down_bytes',
      'u.at as u_at',
      'u.received_at as u_received_at',
    ])
    .where('devices.id', '=', deviceId),
);

export async function deviceState(db: Db, deviceId: string, period: string): Promise<DeviceState | undefined> {
  const row = await deviceStateQuery(db, deviceId, period);
  if (!row) return undefined;
  // Field by field: a rest pattern over this many columns cost more than the query's building.
  const device: DeviceRow = {
    id: row.id,
    subscription_id: row.subscription_id,
    model: row.model,
    model_name: row.model_name,
    serial_number: row.serial_number,
    secret_hash: row.secret_hash,
    secret_salt: row.secret_salt,
    enrolled_at: row.enrolled_at,
    credentials_at: row.credentials_at,
    revoked_at: row.revoked_at,
    presence: row.presence,
    presence_at: row.presence_at,
    presence_reason: row.presence_reason,
    last_seen_at: row.last_seen_at,
    status_json: row.status_json,
    status_at: row.status_at,
    active_path: row.active_path,
  };
  // A left join's columns are null when there is no row; the key column tells which.
  const desired: DesiredRow | undefined =
    row.ds_device_id === null
      ? undefined
      : {
          device_id: row.ds_device_id,
          seq: row.ds_seq!,
          profile: row.ds_profile!,
          down_kbps: row.ds_down_kbps!,
          up_kbps: row.ds_up_kbps!,
          until_at: row.ds_until_at,
          boost_id: row.ds_boost_id,
          suspended: row.ds_suspended!,
          issued_at: row.ds_issued_at!,
          published_seq: row.ds_published_seq!,
          acked_seq: row.ds_acked_seq!,
          ack_outcome: row.ds_ack_outcome,
          ack_reason: row.ds_ack_reason,
          ack_at: row.ds_ack_at,
        };
  const usage: UsageRow | undefined =
    row.u_device_id === null
      ? undefined
      : {
          device_id: row.u_device_id,
          period: row.u_period!,
          seq: row.u_seq!,
          up_bytes: row.u_up_bytes!,
          down_bytes: row.u_down_bytes!,
          at: row.u_at!,
          received_at: row.u_received_at!,
        };
  return { device, desired, usage };
}
