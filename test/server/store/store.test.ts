// The store on SQLite (default) and PostgreSQL (SP_DATABASE_URL, in .ci/run): migrations, and the
// rules the database itself holds: cumulative usage keeps the highest seq, an event id is stored
// once per device, a month's quota slot can be taken once, one boost in force per subscription.
import { sql } from 'kysely';
import t from 'tap';
import { MIGRATIONS, migrateToLatest } from '../../../server/db/migrate.js';
import { isUniqueViolation, writeTransaction } from '../../../server/db/transaction.js';
import { insertBoost, type BoostRow } from '../../../server/store/boosts.js';
import { insertDevice, type DeviceRow } from '../../../server/store/devices.js';
import { insertSubscription } from '../../../server/store/subscriptions.js';
import { insertEvent, subscriptionUsedBytes, upsertUsage } from '../../../server/store/telemetry.js';
import { openTestDatabase } from '../../helpers/database.js';

const AT = Date.parse('2026-03-10T09:00:00Z');

function device(id: string, subscriptionId: string): DeviceRow {
  return {
    id,
    subscription_id: subscriptionId,
    model: '7490',
    model_name: 'FRITZ!Box 7490',
    serial_number: null,
    secret_hash: 'x',
    secret_salt: 'y',
    enrolled_at: AT,
    credentials_at: AT,
    revoked_at: null,
    presence: null,
    presence_at: null,
    presence_reason: null,
    last_seen_at: null,
    status_json: null,
    status_at: null,
    active_path: null,
  };
}

function boost(id: string, overrides: Partial<BoostRow> = {}): BoostRow {
  return {
    id,
    subscription_id: 'sub_1',
    kind: 'self-service',
    status: 'ended',
    period: '2026-03',
    slot: null,
    granted_at: AT,
    ends_at: AT + 1,
    applied_at: null,
    ended_at: null,
    end_reason: null,
    email: null,
    requested_by: 'customer:c',
    reason: null,
    ...overrides,
  };
}

t.test('store rules', async (t) => {
  const { handle, database } = await openTestDatabase(t);
  t.equal(handle.dialect, database.kind === 'postgres' ? 'postgres' : 'sqlite', `running on ${database.kind}`);
  const { db } = handle;
  await insertSubscription(db, { id: 'sub_1', reference: 'r1', status: 'active', suspended_reason: null, suspended_at: null, created_at: AT, phone: null, licence_seats: null });
  await insertDevice(db, device('fb-1', 'sub_1'));
  await insertDevice(db, device('fb-2', 'sub_1'));

  t.test('migrations are recorded and running them again changes nothing', async (t) => {
    const again = await migrateToLatest(db as never, handle.dialect);
    t.same(again.results, [], 'nothing left to apply');
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    t.same(applied.rows.map((r) => r.name), Object.keys(MIGRATIONS));
  });

  t.test('usage: the highest seq wins, so repeats and reordering change nothing (R9)', async (t) => {
    const usage = (seq: number, up: number, down: number) => ({ device_id: 'fb-1', period: '2026-03', seq, up_bytes: up, down_bytes: down, at: AT + seq, received_at: AT });
    t.ok(await upsertUsage(db, usage(5, 100, 1_000)));
    t.notOk(await upsertUsage(db, usage(5, 100, 1_000)), 'a repeat');
    t.notOk(await upsertUsage(db, usage(3, 50, 500)), 'an older one arriving late');
    t.ok(await upsertUsage(db, usage(6, 4_000_000_000, 2_000_000_000)), 'a newer one, above 2^32');
    await upsertUsage(db, { ...usage(1, 10, 20), device_id: 'fb-2' });
    t.equal(await subscriptionUsedBytes(db, 'sub_1', '2026-03'), 6_000_000_000 + 30, 'devices add up, up and down together');
    t.equal(await subscriptionUsedBytes(db, 'sub_1', '2026-02'), 0);
  });

  t.test('events: one per device and event id', async (t) => {
    const event = { device_id: 'fb-1', event_id: 'evt-1', type: 'failover', at: AT, received_at: AT, payload: '{}' };
    t.ok(await insertEvent(db, event));
    t.notOk(await insertEvent(db, { ...event, payload: '{"changed":true}' }), 'a duplicate is dropped');
    t.ok(await insertEvent(db, { ...event, device_id: 'fb-2' }), 'the same id from another device is another event');
  });

  t.test('R7 in the database: a quota slot of a month is taken once', async (t) => {
    await insertBoost(db, boost('b1', { slot: 1 }));
    await insertBoost(db, boost('b2', { slot: 2 }));
    const error = await insertBoost(db, boost('b3', { slot: 2 })).then(() => null, (e: unknown) => e);
    t.ok(isUniqueViolation(error), 'the same slot again is refused');
    await insertBoost(db, boost('b4', { slot: 1, period: '2026-04' }));
    await insertBoost(db, boost('op1', { kind: 'operator' }));
    await insertBoost(db, boost('op2', { kind: 'operator' }));
    t.pass('operator boosts have no slot and never collide');
  });

  t.test('one boost in force per subscription', async (t) => {
    await insertBoost(db, boost('active1', { status: 'requested' }));
    const error = await insertBoost(db, boost('active2', { status: 'applied' })).then(() => null, (e: unknown) => e);
    t.ok(isUniqueViolation(error));
  });

  t.test('write transactions serialise concurrent writers and roll back on error', async (t) => {
    // 20 concurrent read-then-write transactions: none may lose an update.
    await db.insertInto('job_runs').values({ name: 'counter', last_key: '0', last_run_at: AT }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        writeTransaction(handle, async (trx) => {
          const query = trx.selectFrom('job_runs').select('last_key').where('name', '=', 'counter');
          // PostgreSQL locks the row; SQLite's BEGIN IMMEDIATE already excludes other writers.
          const row = await (handle.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirstOrThrow();
          await trx.updateTable('job_runs').set({ last_key: String(Number(row.last_key) + 1) }).where('name', '=', 'counter').execute();
        }),
      ),
    );
    const row = await db.selectFrom('job_runs').select('last_key').where('name', '=', 'counter').executeTakeFirstOrThrow();
    t.equal(row.last_key, '20');
    await t.rejects(
      writeTransaction(handle, async (trx) => {
        await trx.updateTable('job_runs').set({ last_key: 'lost' }).where('name', '=', 'counter').execute();
        throw new Error('boom');
      }),
      /boom/,
    );
    const after = await db.selectFrom('job_runs').select('last_key').where('name', '=', 'counter').executeTakeFirstOrThrow();
    t.equal(after.last_key, '20', 'rolled back');
  });
});
