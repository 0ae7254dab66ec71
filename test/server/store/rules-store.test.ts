// The database holds the rules that must survive concurrency, on SQLite and (in CI) PostgreSQL:
// one refund per subscription and month (R16), one open swap ticket per subscription and
// equipment (R12), one suspension in force (R22); and migration 0002 gives existing rows what
// the new rules need.
import { Migrator, type Kysely } from 'kysely';
import t from 'tap';
import { MIGRATIONS } from '../../../server/db/migrate.js';
import { openDatabase } from '../../../server/db/database.js';
import { isUniqueViolation } from '../../../server/db/transaction.js';
import { insertClaim, insertRefund } from '../../../server/store/guarantee.js';
import { insertSubscription } from '../../../server/store/subscriptions.js';
import { insertSuspension } from '../../../server/store/suspensions.js';
import { insertSwapTicket, saveSwapTicket } from '../../../server/store/swap-tickets.js';
import type { SwapTicket } from '../../../server/rules/swap-ticket.js';
import { openTestDatabase, testDatabase } from '../../helpers/database.js';

const AT = Date.parse('2026-03-10T09:00:00Z');

async function rejectsUnique(t: { ok(value: unknown, message: string): void }, work: Promise<unknown>, what: string): Promise<void> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(error !== null && isUniqueViolation(error), what);
}

function ticket(id: string, status: 'reported' | 'closed'): SwapTicket {
  const base = {
    id,
    subscriptionId: 'sub_1',
    equipment: 'router' as const,
    defectiveDeviceId: 'fb-1',
    defectiveSerial: null,
    description: 'dead',
    reportedAt: AT,
    reportedBy: { role: 'helpdesk' as const, id: 'anna' },
    reportedOutsideHours: false,
    slaStartsAt: AT,
    deadline: AT + 4 * 3_600_000,
    defectiveReturn: { status: 'not-due' as const },
    fault: { status: 'unassessed' as const },
    history: [],
  };
  return status === 'reported'
    ? { ...base, stage: { status: 'reported' } }
    : { ...base, stage: { status: 'cancelled', cancelledFrom: 'reported', cancelledAt: AT, reason: 'x', technicianId: null } as SwapTicket['stage'] };
}

t.test('rules held by the database', async (t) => {
  const { handle } = await openTestDatabase(t);
  const db = handle.db;
  await insertSubscription(db, { id: 'sub_1', reference: 'r1', status: 'active', suspended_reason: null, suspended_at: null, created_at: AT, phone: null, licence_seats: null });

  t.test('R16: one refund per subscription and month', async (t) => {
    for (const id of ['clm_1', 'clm_2']) {
      await insertClaim(db, {
        id,
        subscription_id: 'sub_1',
        period: '2026-03',
        statement: null,
        claimed_at: AT,
        claimed_by_role: 'customer',
        claimed_by_id: 'cus_1',
        status: 'decided',
        verdict: 'eligible',
        reason: 'x',
        assessment: '{}',
        decided_at: AT,
        decided_by_role: 'system',
        decided_by_id: 'guarantee',
        note: null,
      });
    }
    const refund = { subscriptionId: 'sub_1', period: '2026-03', amountCents: 1000, outageStart: AT, outageEnd: AT + 1, decidedAt: AT };
    await insertRefund(db, refund, 'clm_1', { outageKnown: true });
    await rejectsUnique(t, insertRefund(db, refund, 'clm_2', { outageKnown: true }), 'a second refund for the month is refused');
    await insertRefund(db, { ...refund, period: '2026-04' }, 'clm_2', { outageKnown: false });
    t.pass('another month is refunded');
  });

  t.test('R12: one open ticket per subscription and equipment', async (t) => {
    await insertSwapTicket(db, ticket('swp_1', 'reported'), { atRiskFrom: AT, at: AT });
    await rejectsUnique(t, insertSwapTicket(db, ticket('swp_2', 'reported'), { atRiskFrom: AT, at: AT }), 'a second open router ticket is refused');
    await saveSwapTicket(db, ticket('swp_1', 'closed'), AT);
    await insertSwapTicket(db, ticket('swp_2', 'reported'), { atRiskFrom: AT, at: AT });
    t.pass('once the first is no longer open, a new one opens');
  });

  t.test('R22: one suspension in force', async (t) => {
    const by = { role: 'noc' as const, id: 'piet' };
    await insertSuspension(db, { id: 'sus_1', subscriptionId: 'sub_1', reason: 'misuse', note: null, since: AT, by });
    await rejectsUnique(t, insertSuspension(db, { id: 'sus_2', subscriptionId: 'sub_1', reason: 'equipment-lost', note: null, since: AT, by }), 'a second open suspension is refused');
  });
});

t.test('migration 0002 on existing rows', async (t) => {
  const database = await testDatabase(t);
  const handle = await openDatabase(database.settings, { migrate: false });
  t.teardown(() => handle.close());
  const db = handle.db as unknown as Kysely<any>;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  t.notOk((await migrator.migrateTo('0001-initial')).error);
  await db.insertInto('subscriptions').values({ id: 'sub_old', reference: 'r-old', status: 'suspended', suspended_reason: 'router stolen', suspended_at: AT, created_at: AT - 1000 }).execute();
  await db.insertInto('customers').values({ id: 'cus_old', subscription_id: 'sub_old', name: 'n', login: 'old', password_hash: 'x', email: null, phone: '020-398 76 56', created_at: AT }).execute();
  t.notOk((await migrator.migrateToLatest()).error);

  const subscription = await db.selectFrom('subscriptions').selectAll().where('id', '=', 'sub_old').executeTakeFirstOrThrow();
  t.match(subscription, { phone: '+31203987656', licence_seats: null, suspended_reason: 'misuse' });
  const contract = await db.selectFrom('contracts').selectAll().where('subscription_id', '=', 'sub_old').executeTakeFirstOrThrow();
  t.equal(Number(contract.delivered_at), AT - 1000, 'an existing subscription was in service: delivered when created');
  const suspension = await db.selectFrom('suspensions').selectAll().where('subscription_id', '=', 'sub_old').executeTakeFirstOrThrow();
  t.match(suspension, { reason: 'misuse', note: 'router stolen', restored_at: null, by_role: 'system' });
});
