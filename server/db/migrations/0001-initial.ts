// The first schema. Migrations never change once shipped: a later change is a new numbered file.
// Only portable types (text, integer, bigint) so SQLite and PostgreSQL hold the same data.
import { sql, type Kysely } from 'kysely';

// Migrations see the database as it was then, not as schema.ts describes it now.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('suspended_reason', 'text')
    .addColumn('suspended_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().unique().references('subscriptions.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('serial_number', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('secret_salt', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', 'bigint', (c) => c.notNull())
    .addColumn('credentials_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('presence', 'text')
    .addColumn('presence_at', 'bigint')
    .addColumn('presence_reason', 'text')
    .addColumn('last_seen_at', 'bigint')
    .addColumn('status_json', 'text')
    .addColumn('status_at', 'bigint')
    .addColumn('active_path', 'text')
    .execute();
  await db.schema.createIndex('devices_subscription').on('devices').column('subscription_id').execute();

  await db.schema
    .createTable('desired_states')
    .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('down_kbps', 'integer', (c) => c.notNull())
    .addColumn('up_kbps', 'integer', (c) => c.notNull())
    .addColumn('until_at', 'bigint')
    .addColumn('boost_id', 'text')
    .addColumn('suspended', 'integer', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('published_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('acked_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ack_outcome', 'text')
    .addColumn('ack_reason', 'text')
    .addColumn('ack_at', 'bigint')
    .execute();

  await db.schema
    .createTable('boosts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer')
    .addColumn('granted_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('applied_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('end_reason', 'text')
    .addColumn('email', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  // R7 held by the database: a counted self-service boost takes a numbered slot of its month,
  // so two concurrent requests can never both take the same one (NULL slots do not collide).
  await db.schema
    .createIndex('boosts_quota_slot')
    .on('boosts')
    .columns(['subscription_id', 'period', 'slot'])
    .unique()
    .execute();
  // At most one boost in force per subscription.
  await db.schema
    .createIndex('boosts_one_active')
    .on('boosts')
    .column('subscription_id')
    .unique()
    .where(sql.ref('status'), 'in', ['requested', 'applied'])
    .execute();
  await db.schema.createIndex('boosts_ends').on('boosts').columns(['status', 'ends_at']).execute();

  await db.schema
    .createTable('usage')
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('up_bytes', 'bigint', (c) => c.notNull())
    .addColumn('down_bytes', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_pk', ['device_id', 'period'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['device_id', 'event_id'])
    .execute();
  await db.schema.createIndex('events_device_at').on('events').columns(['device_id', 'at']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_log_subscription').on('audit_log').columns(['subscription_id', 'at']).execute();

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('mail_outbox_due').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('operator_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('customer_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('fair_use_notices')
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('used_bytes', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('fair_use_notices_pk', ['subscription_id', 'period', 'threshold'])
    .execute();

  await db.schema
    .createTable('job_runs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_key', 'text', (c) => c.notNull())
    .addColumn('last_run_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('period_closings')
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('used_bytes', 'bigint', (c) => c.notNull())
    .addColumn('self_service_boosts', 'integer', (c) => c.notNull())
    .addColumn('operator_boosts', 'integer', (c) => c.notNull())
    .addColumn('closed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('period_closings_pk', ['subscription_id', 'period'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'period_closings',
    'job_runs',
    'fair_use_notices',
    'customer_sessions',
    'operator_tokens',
    'mail_outbox',
    'audit_log',
    'events',
    'usage',
    'boosts',
    'desired_states',
    'devices',
    'customers',
    'subscriptions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
