// Queries compiled once (server/db/prepared.ts, issue 9): a boost's grant and its ack run their
// statements through them, inside transactions. On SQLite and (in .ci/run) PostgreSQL.
import t from 'tap';
import { prepared, preparedInsert, preparedWrite } from '../../../server/db/prepared.js';
import type { Db } from '../../../server/db/schema.js';
import { writeTransaction } from '../../../server/db/transaction.js';
import { bumpDesired, getDesired, insertDesired, markPublished, recordAck } from '../../../server/store/desired-states.js';
import { appendAudit, listAudit } from '../../../server/store/audit.js';
import { boostInForce, endBoost, getBoost, insertBoost, markApplied, type BoostRow } from '../../../server/store/boosts.js';
import { insertSubscription } from '../../../server/store/subscriptions.js';
import { TestClock } from '../../../shared/clock.js';
import { openTestDatabase } from '../../helpers/database.js';

const AT = Date.parse('2026-11-02T10:00:00Z');

async function withSubscription(t: Parameters<typeof openTestDatabase>[0]) {
  const { handle } = await openTestDatabase(t);
  await insertSubscription(handle.db, { id: 'sub_1', reference: 'r1', status: 'active', suspended_reason: null, suspended_at: null, created_at: AT, phone: null, licence_seats: null });
  return handle;
}

t.test('a query is compiled once per database, also when it runs in transactions', async (t) => {
  const handle = await withSubscription(t);
  let builds = 0;
  const byId = prepared((db: Db, id: string) => (builds++, db.selectFrom('subscriptions').select('reference').where('id', '=', id)));
  t.same(await byId(handle.db, 'sub_1'), [{ reference: 'r1' }]);
  for (let i = 0; i < 3; i++) t.same(await writeTransaction(handle, (trx) => byId(trx, 'sub_1')), [{ reference: 'r1' }], `transaction ${i}`);
  t.same(await byId(handle.db, 'nope'), []);
  t.equal(builds, 1, 'built and compiled once');

  const other = await withSubscription(t);
  await byId(other.db, 'sub_1');
  t.equal(builds, 2, 'another database compiles its own');
});

t.test('preparedWrite: the number of rows changed; preparedInsert: the whole row, missing values as null', async (t) => {
  const handle = await withSubscription(t);
  const insert = preparedInsert<{ id: string; reference: string; status: 'active'; created_at: number; phone?: string | null }>(['id', 'reference', 'status', 'created_at', 'phone'], (db, row) =>
    db.insertInto('subscriptions').values({ ...row, suspended_reason: null, suspended_at: null, licence_seats: null }),
  );
  t.equal(await insert(handle.db, { id: 'sub_2', reference: 'r2', status: 'active', created_at: AT }), 1);
  const rename = preparedWrite((db: Db, reference: string, id: string) => db.updateTable('subscriptions').set({ reference }).where('id', '=', id));
  t.equal(await rename(handle.db, 'r2b', 'sub_2'), 1);
  t.equal(await rename(handle.db, 'r9', 'nope'), 0);
  const row = await handle.db.selectFrom('subscriptions').selectAll().where('id', '=', 'sub_2').executeTakeFirstOrThrow();
  t.match(row, { reference: 'r2b', phone: null, created_at: AT });
});

t.test("a boost's statements, compiled once: in force, ended, applied, and the desired state's seq, publish and ack", async (t) => {
  const handle = await withSubscription(t);
  const db = handle.db;
  const boost: BoostRow = {
    id: 'bst_1',
    subscription_id: 'sub_1',
    kind: 'operator',
    status: 'requested',
    period: '2026-11',
    slot: null,
    granted_at: AT,
    ends_at: AT + 3_600_000,
    applied_at: null,
    ended_at: null,
    end_reason: null,
    email: null,
    requested_by: 'operator:t',
    reason: 'test',
  };
  await insertBoost(db, boost);
  t.same(await getBoost(db, 'bst_1'), boost, 'stored as given');
  t.same(await boostInForce(db, 'sub_1'), boost);
  t.equal(await markApplied(db, 'bst_1', AT + 5), true);
  t.equal(await markApplied(db, 'bst_1', AT + 6), false, 'applied once');
  t.equal(await endBoost(db, 'bst_1', { status: 'cancelled', reason: 'cancelled', at: AT + 9 }), true);
  t.equal(await endBoost(db, 'bst_1', { status: 'cancelled', reason: 'cancelled', at: AT + 10 }), false, 'no longer in force');
  t.match(await getBoost(db, 'bst_1'), { status: 'cancelled', applied_at: AT + 5, ended_at: AT + 9, end_reason: 'cancelled' });
  t.equal(await boostInForce(db, 'sub_1'), undefined);

  await insertBoost(db, { ...boost, id: 'bst_2', kind: 'self-service', slot: 1 });
  t.equal(await endBoost(db, 'bst_2', { status: 'rejected', reason: 'rejected', at: AT + 11, freeSlot: true }), true);
  t.match(await getBoost(db, 'bst_2'), { status: 'rejected', slot: null }, 'a rejected boost frees its slot (R7)');

  await appendAudit(db, new TestClock(AT), { actor: { kind: 'operator', id: 't' }, action: 'boost.granted', subscriptionId: 'sub_1', subjectId: 'bst_1' });
  t.match(await listAudit(db, { limit: 5 }), [{ action: 'boost.granted', subject_id: 'bst_1', subscription_id: 'sub_1', details: '{}', at: AT }]);

  await handle.db.insertInto('devices').values({ id: 'fb-1', subscription_id: 'sub_1', model: '7490', model_name: 'FRITZ!Box 7490', serial_number: 'SN-1', secret_hash: 'x', secret_salt: 'y', enrolled_at: AT, credentials_at: AT, revoked_at: null, presence: 'online', presence_at: AT, presence_reason: null, status_json: null, status_at: null, last_seen_at: null, active_path: null }).execute();
  await insertDesired(db, 'fb-1', { profile: 'baseline', downKbps: 128, upKbps: 64, untilAt: null, boostId: null, suspended: false }, AT);
  await bumpDesired(db, 'fb-1', { profile: 'boost', downKbps: 3600, upKbps: 1400, untilAt: AT + 3_600_000, boostId: 'bst_1', suspended: false }, AT + 1);
  t.match(await getDesired(db, 'fb-1'), { seq: 2, profile: 'boost', down_kbps: 3600, up_kbps: 1400, until_at: AT + 3_600_000, boost_id: 'bst_1', suspended: 0, issued_at: AT + 1 });
  await markPublished(db, 'fb-1', 2);
  await markPublished(db, 'fb-1', 1);
  t.equal((await getDesired(db, 'fb-1'))?.published_seq, 2, 'published_seq never goes back');
  t.equal(await recordAck(db, 'fb-1', { seq: 3, outcome: 'applied', reason: null, at: AT + 2 }), false, 'an ack of a seq not yet issued');
  t.equal(await recordAck(db, 'fb-1', { seq: 2, outcome: 'applied', reason: null, at: AT + 2 }), true);
  t.equal(await recordAck(db, 'fb-1', { seq: 1, outcome: 'rejected', reason: 'late', at: AT + 3 }), false, 'an older ack');
  t.match(await getDesired(db, 'fb-1'), { acked_seq: 2, ack_outcome: 'applied', ack_at: AT + 2 });
});
