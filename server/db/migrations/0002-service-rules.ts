// Issue 6: storage for the service rules R12-R24 (contracts, suspensions, swap tickets, the
// online guarantee, coverage) and the timeline the guarantee is judged from. Existing rows get
// what the new rules need: a contract (ordered and delivered when the subscription was created,
// since it already ran), an open suspension row for a suspended subscription (its free-text
// reason kept as the note, the reason read as 'misuse', whose restore needs NOC or admin), and
// the customer's phone number in E.164 on the subscription (R18).
import { sql, type Kysely } from 'kysely';
import { parsePhoneNumber } from '../../rules/phone-number.js';

// Migrations see the database as it was then, not as schema.ts describes it now.
type AnyDb = Kysely<any>;

const OPEN_SWAP_STATUSES = ['reported', 'dispatched', 'on-site', 'replaced'];

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('subscriptions').addColumn('phone', 'text').execute();
  await db.schema.alterTable('subscriptions').addColumn('licence_seats', 'integer').execute();
  await db.schema.createIndex('subscriptions_phone').on('subscriptions').column('phone').execute();

  await db.schema
    .createTable('contracts')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey().references('subscriptions.id'))
    .addColumn('ordered_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('termination', 'text')
    .addColumn('ends_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('credentials_revoked_at', 'bigint')
    .addColumn('kit_returned_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contracts_ends').on('contracts').column('ends_at').execute();

  await db.schema
    .createTable('final_invoices')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey().references('subscriptions.id'))
    .addColumn('amount_cents', 'integer', (c) => c.notNull())
    .addColumn('issued_on', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('termination', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('suspensions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('by_role', 'text', (c) => c.notNull())
    .addColumn('by_id', 'text', (c) => c.notNull())
    .addColumn('restored_at', 'bigint')
    .addColumn('restored_by_role', 'text')
    .addColumn('restored_by_id', 'text')
    .addColumn('restore_note', 'text')
    .execute();
  await db.schema.createIndex('suspensions_subscription').on('suspensions').columns(['subscription_id', 'since']).execute();
  // One suspension in force per subscription (R22: restore first).
  await db.schema
    .createIndex('suspensions_one_open')
    .on('suspensions')
    .column('subscription_id')
    .unique()
    .where(sql.ref('restored_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('swap_tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('equipment', 'text', (c) => c.notNull())
    .addColumn('defective_device_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'bigint', (c) => c.notNull())
    .addColumn('deadline', 'bigint', (c) => c.notNull())
    .addColumn('at_risk_from', 'bigint', (c) => c.notNull())
    .addColumn('sla_state', 'text', (c) => c.notNull())
    .addColumn('one_off_charge', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('return_status', 'text', (c) => c.notNull())
    .addColumn('ticket', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One open ticket per subscription and equipment, held by the database under concurrency.
  await db.schema
    .createIndex('swap_tickets_one_open')
    .on('swap_tickets')
    .columns(['subscription_id', 'equipment'])
    .unique()
    .where(sql.ref('status'), 'in', OPEN_SWAP_STATUSES)
    .execute();
  await db.schema.createIndex('swap_tickets_status').on('swap_tickets').columns(['status', 'deadline']).execute();

  await db.schema
    .createTable('guarantee_claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('statement', 'text')
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_by_role', 'text', (c) => c.notNull())
    .addColumn('claimed_by_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('assessment', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by_role', 'text')
    .addColumn('decided_by_id', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('guarantee_claims_status').on('guarantee_claims').columns(['status', 'claimed_at']).execute();
  await db.schema.createIndex('guarantee_claims_subscription').on('guarantee_claims').columns(['subscription_id', 'period']).execute();

  // R16: at most one refund per subscription per month, held by the primary key.
  await db.schema
    .createTable('guarantee_refunds')
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'integer', (c) => c.notNull())
    .addColumn('claim_id', 'text', (c) => c.notNull().references('guarantee_claims.id'))
    .addColumn('outage_start', 'bigint')
    .addColumn('outage_end', 'bigint')
    .addColumn('decided_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('guarantee_refunds_pk', ['subscription_id', 'period'])
    .execute();

  await db.schema
    .createTable('presence_log')
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    // A presence message is identified by its own `at`: a retained one delivered again is not a new record.
    .addPrimaryKeyConstraint('presence_log_pk', ['device_id', 'state', 'sent_at'])
    .execute();
  await db.schema.createIndex('presence_log_device_at').on('presence_log').columns(['device_id', 'at']).execute();

  await db.schema
    .createTable('path_changes')
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('path_changes_pk', ['device_id', 'at', 'path'])
    .execute();

  await db.schema
    .createTable('coverage_reports')
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('modem_state', 'text', (c) => c.notNull())
    .addColumn('registration', 'text')
    .addColumn('signal_dbm', 'integer')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('coverage_reports_pk', ['device_id', 'at'])
    .execute();
  await db.schema.createIndex('coverage_reports_subscription').on('coverage_reports').columns(['subscription_id', 'at']).execute();

  await db.schema
    .createTable('ingest_gaps')
    .addColumn('from_at', 'bigint', (c) => c.primaryKey())
    .addColumn('to_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();

  // ---- existing rows ----
  await db
    .insertInto('contracts')
    .columns(['subscription_id', 'ordered_at', 'delivered_at', 'created_at'])
    .expression(db.selectFrom('subscriptions').select(['id', 'created_at', 'created_at', 'created_at']))
    .execute();
  const suspended = await db.selectFrom('subscriptions').select(['id', 'suspended_reason', 'suspended_at', 'created_at']).where('status', '=', 'suspended').execute();
  for (const row of suspended) {
    await db
      .insertInto('suspensions')
      .values({
        id: `sus_migrated_${row.id}`,
        subscription_id: row.id,
        reason: 'misuse',
        note: row.suspended_reason,
        since: row.suspended_at ?? row.created_at,
        by_role: 'system',
        by_id: 'migration-0002',
      })
      .execute();
    await db.updateTable('subscriptions').set({ suspended_reason: 'misuse' }).where('id', '=', row.id).execute();
  }
  const phones = await db.selectFrom('customers').select(['subscription_id', 'phone']).where('phone', 'is not', null).execute();
  for (const row of phones) {
    const parsed = parsePhoneNumber(String(row.phone));
    if (parsed.ok) await db.updateTable('subscriptions').set({ phone: parsed.e164 }).where('id', '=', row.subscription_id).execute();
  }
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'ingest_gaps',
    'coverage_reports',
    'path_changes',
    'presence_log',
    'guarantee_refunds',
    'guarantee_claims',
    'swap_tickets',
    'suspensions',
    'final_invoices',
    'contracts',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await db.schema.dropIndex('subscriptions_phone').ifExists().execute();
  await db.schema.alterTable('subscriptions').dropColumn('licence_seats').execute();
  await db.schema.alterTable('subscriptions').dropColumn('phone').execute();
}
