// What devices send: cumulative usage per period (the highest seq wins, so a repeated or
// reordered message changes nothing) and events (unique per device and event id, so a
// duplicate is dropped).
import type { Selectable } from 'kysely';
import { prepared, preparedInsert } from '../db/prepared.js';
import type { Db, EventsTable, UsageTable } from '../db/schema.js';

export type UsageRow = Selectable<UsageTable>;
export type EventRow = Selectable<EventsTable>;

/** Stores a usage report unless a report with the same or a higher seq is already there. */
export async function upsertUsage(db: Db, row: UsageRow): Promise<boolean> {
  const result = await db
    .insertInto('usage')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['device_id', 'period'])
        .doUpdateSet((eb) => ({
          seq: eb.ref('excluded.seq'),
          up_bytes: eb.ref('excluded.up_bytes'),
          down_bytes: eb.ref('excluded.down_bytes'),
          at: eb.ref('excluded.at'),
          received_at: eb.ref('excluded.received_at'),
        }))
        .where('usage.seq', '<', (eb) => eb.ref('excluded.seq')),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function deviceUsage(db: Db, deviceId: string, period: string): Promise<UsageRow | undefined> {
  return db.selectFrom('usage').selectAll().where('device_id', '=', deviceId).where('period', '=', period).executeTakeFirst();
}

/** Per device of the subscription (revoked ones too: their bytes were used this month). */
export function subscriptionUsageRows(db: Db, subscriptionId: string, period: string): Promise<UsageRow[]> {
  return db
    .selectFrom('usage')
    .innerJoin('devices', 'devices.id', 'usage.device_id')
    .selectAll('usage')
    .where('devices.subscription_id', '=', subscriptionId)
    .where('usage.period', '=', period)
    .orderBy('usage.device_id')
    .execute();
}

export async function subscriptionUsedBytes(db: Db, subscriptionId: string, period: string): Promise<number> {
  const rows = await subscriptionUsageRows(db, subscriptionId, period);
  return rows.reduce((sum, row) => sum + row.up_bytes + row.down_bytes, 0);
}

const insertEventRow = preparedInsert<EventRow>(['device_id', 'event_id', 'type', 'at', 'received_at', 'payload'], (db, row) =>
  db.insertInto('events').values(row).onConflict((oc) => oc.columns(['device_id', 'event_id']).doNothing()),
);

/** Inserts an event; false when this device already sent this event id. */
export async function insertEvent(db: Db, row: EventRow): Promise<boolean> {
  return (await insertEventRow(db, row)) > 0;
}

const latestEvents = prepared((db: Db, deviceId: string, limit: number) =>
  db.selectFrom('events').selectAll().where('device_id', '=', deviceId).orderBy('at', 'desc').orderBy('event_id', 'desc').limit(limit),
);

export function recentEvents(db: Db, deviceId: string, page: { limit: number; before?: number | undefined }): Promise<EventRow[]> {
  // The first page (the device status route, issue 9) is a query compiled once (db/prepared.ts).
  if (page.before === undefined) return latestEvents(db, deviceId, page.limit);
  let query = db
    .selectFrom('events')
    .selectAll()
    .where('device_id', '=', deviceId)
    .orderBy('at', 'desc')
    .orderBy('event_id', 'desc')
    .limit(page.limit);
  if (page.before !== undefined) query = query.where('at', '<', page.before);
  return query.execute();
}
