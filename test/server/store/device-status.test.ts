// The device status route's reads (issue 9): a router with its desired state and usage in one
// query, and queries compiled once (server/db/prepared.ts), give the rows the plain queries give,
// on SQLite and (in .ci/run) PostgreSQL.
import t from 'tap';
import { prepared } from '../../../server/db/prepared.js';
import type { Db } from '../../../server/db/schema.js';
import { getDesired, insertDesired } from '../../../server/store/desired-states.js';
import { deviceState } from '../../../server/store/device-status.js';
import { getDevice, insertDevice, type DeviceRow } from '../../../server/store/devices.js';
import { insertSubscription } from '../../../server/store/subscriptions.js';
import { deviceUsage, insertEvent, recentEvents, upsertUsage } from '../../../server/store/telemetry.js';
import { ParseMemo } from '../../../server/services/parse-memo.js';
import { openTestDatabase } from '../../helpers/database.js';

const AT = Date.parse('2026-11-02T10:00:00Z');

function device(id: string): DeviceRow {
  return {
    id,
    subscription_id: 'sub_1',
    model: '7490',
    model_name: 'FRITZ!Box 7490',
    serial_number: 'SN-1',
    secret_hash: 'x',
    secret_salt: 'y',
    enrolled_at: AT,
    credentials_at: AT,
    revoked_at: null,
    presence: 'online',
    presence_at: AT + 1,
    presence_reason: null,
    last_seen_at: AT + 2,
    status_json: '{"v":1}',
    status_at: AT + 3,
    active_path: 'dsl',
  };
}

t.test('deviceState: the row, its desired state and the period usage, as the separate queries give them', async (t) => {
  const { handle } = await openTestDatabase(t);
  const db = handle.db;
  await insertSubscription(db, { id: 'sub_1', reference: 'r1', status: 'active', suspended_reason: null, suspended_at: null, created_at: AT, phone: null, licence_seats: null });
  await insertDevice(db, device('fb-full'));
  await insertDevice(db, device('fb-bare'));
  await insertDesired(db, 'fb-full', { profile: 'boost', downKbps: 16_000, upKbps: 2_000, untilAt: AT + 3_600_000, boostId: null, suspended: false }, AT);
  await upsertUsage(db, { device_id: 'fb-full', period: '2026-11', seq: 4, up_bytes: 10, down_bytes: 20, at: AT, received_at: AT + 5 });
  await upsertUsage(db, { device_id: 'fb-full', period: '2026-10', seq: 9, up_bytes: 1, down_bytes: 2, at: AT - 1, received_at: AT });

  const full = await deviceState(db, 'fb-full', '2026-11');
  t.same(full, { device: await getDevice(db, 'fb-full'), desired: await getDesired(db, 'fb-full'), usage: await deviceUsage(db, 'fb-full', '2026-11') });
  t.match(full, { desired: { profile: 'boost', seq: 1 }, usage: { seq: 4, up_bytes: 10 } });
  t.same((await deviceState(db, 'fb-full', '2026-10'))?.usage, await deviceUsage(db, 'fb-full', '2026-10'), 'the period asked for');
  t.same(await deviceState(db, 'fb-full', '2026-09'), { ...full, usage: undefined }, 'no usage that period');
  t.same(await deviceState(db, 'fb-bare', '2026-11'), { device: await getDevice(db, 'fb-bare'), desired: undefined, usage: undefined });
  t.equal(await deviceState(db, 'fb-missing', '2026-11'), undefined);
});

t.test('recentEvents: the compiled first page equals the built query, for each device and limit', async (t) => {
  const { handle } = await openTestDatabase(t);
  const db = handle.db;
  await insertSubscription(db, { id: 'sub_1', reference: 'r1', status: 'active', suspended_reason: null, suspended_at: null, created_at: AT, phone: null, licence_seats: null });
  for (const id of ['fb-a', 'fb-b']) {
    await insertDevice(db, device(id));
    for (let i = 0; i < 5; i++) {
      await insertEvent(db, { device_id: id, event_id: `${id}-e${i}`, type: 'note', at: AT + (i % 3) * 1000, received_at: AT + 9_000, payload: `{"v":1,"i":${i}}` });
    }
  }
  const built = (db: Db, deviceId: string, limit: number) =>
    db.selectFrom('events').selectAll().where('device_id', '=', deviceId).orderBy('at', 'desc').orderBy('event_id', 'desc').limit(limit).execute();
  for (const [id, limit] of [['fb-a', 20], ['fb-b', 3], ['fb-a', 1], ['fb-none', 20]] as const) {
    t.same(await recentEvents(db, id, { limit }), await built(db, id, limit), `${id}, limit ${limit}`);
  }
  t.same((await recentEvents(db, 'fb-a', { limit: 20, before: AT + 1000 })).map((e) => e.event_id), ['fb-a-e3', 'fb-a-e0'], 'older pages still work');
});

t.test('prepared: an argument the query does not take as it is, once, is refused', async (t) => {
  const { handle } = await openTestDatabase(t);
  const twice = prepared((db: Db, id: string) => db.selectFrom('devices').selectAll().where('id', '=', id).where('subscription_id', '=', id));
  await t.rejects(twice(handle.db, 'x'), /argument 0 reaches the parameters 2 times/);
  const unused = prepared((db: Db, _id: string) => db.selectFrom('devices').selectAll());
  await t.rejects(unused(handle.db, 'x'), /argument 0 reaches the parameters 0 times/);
});

t.test('ParseMemo: the same text is parsed once; changed text again; bounded', async (t) => {
  const memo = new ParseMemo<{ n: number }>(2);
  let parses = 0;
  const parse = (text: string) => ({ n: (parses++, Number(text)) });
  const first = memo.get('a', '1', parse);
  t.equal(memo.get('a', '1', parse), first, 'reused');
  t.equal(parses, 1);
  t.same(memo.get('a', '2', parse), { n: 2 }, 'new text, parsed again');
  memo.get('b', '3', parse);
  memo.get('a', '2', parse); // a is now the most recently used
  memo.get('c', '4', parse); // evicts b
  t.equal(memo.size, 2);
  const before = parses;
  memo.get('a', '2', parse);
  t.equal(parses, before, 'a kept');
  memo.get('b', '3', parse);
  t.equal(parses, before + 1, 'b was evicted');
});

t.test('SQLite rows named in JavaScript (db/database.ts) are the objects better-sqlite3 makes', async (t) => {
  const { handle } = await openTestDatabase(t);
  if (handle.dialect !== 'sqlite') return t.pass('SQLite only');
  const { sql } = await import('kysely');
  const BetterSqlite3 = (await import('better-sqlite3')).default;
  const query = "select 1 as a, 2 as a, 'x' as b, null as c, 2.5 as d, x'00ff' as e";
  const expected = new BetterSqlite3(':memory:').prepare(query).all();
  t.same((await sql.raw(query).execute(handle.db)).rows, expected, 'same columns, values and duplicate handling');
  await sql`create table named_rows (id integer primary key, v text)`.execute(handle.db);
  const insert = await sql<{ id: number; v: string }>`insert into named_rows (v) values ('one'), ('two') returning *`.execute(handle.db);
  t.same(insert.rows, [{ id: 1, v: 'one' }, { id: 2, v: 'two' }], 'returning rows too');
  const select = () => sql<Record<string, unknown>>`select * from named_rows order by id`.execute(handle.db);
  t.same((await select()).rows, [{ id: 1, v: 'one' }, { id: 2, v: 'two' }]);
  await sql`alter table named_rows add column w integer default 7`.execute(handle.db);
  t.same((await select()).rows, [{ id: 1, v: 'one', w: 7 }, { id: 2, v: 'two', w: 7 }], 'a cached statement after a schema change');
});
