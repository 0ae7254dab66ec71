// Database size per subscription and year on PostgreSQL (issue 10, deploy/CAPACITY.md): seeds
// real subscriptions through the server's services (customer, contract, router, desired state,
// audit), writes a known number of rows of every table that grows with time through the store's
// own functions (the same rows the ingest and the boost service write), then reads
// pg_total_relation_size (heap + indexes + TOAST) per table and divides by its row count. The
// bytes per row times the rows a subscription adds in a year (the model below, stated as
// assumptions) gives the size per 100,000 subscriptions per year.
//
//   SP_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/db-size.ts [subscriptions]
//
// It works in a schema of its own (dropped at the end) and prints a Markdown table.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { adminQuery } from '../test/helpers/database.js';
import { TestClock } from '../shared/clock.js';
import { encodeMessage } from '../shared/contract/index.js';
import { silentLogger } from '../shared/log.js';
import { serverConfig } from '../server/config.js';
import { boostAppliedMail } from '../server/mail/templates.js';
import { startServer } from '../server/main.js';
import { seedSubscription } from '../server/seed.js';
import { appendAudit } from '../server/store/audit.js';
import { insertBoost } from '../server/store/boosts.js';
import { insertFairUseNotice, insertPeriodClosing } from '../server/store/jobs.js';
import { enqueueMail } from '../server/store/outbox.js';
import { insertEvent, upsertUsage } from '../server/store/telemetry.js';
import { insertCoverageReport, insertPathChange, insertPresenceLog } from '../server/store/timeline.js';

/**
 * Rows one subscription (one router) adds per year: the assumptions behind the estimate.
 * Change them and rerun; the measured bytes per row do not depend on them.
 */
export const ROWS_PER_SUBSCRIPTION_YEAR: Readonly<Record<string, number>> = {
  usage: 12, // one row per router and month (later reports update it)
  events: 48, // two DSL outages a month: failover + failback each
  presence_log: 730, // a reconnect a day on average: online + offline (Last Will)
  path_changes: 48, // one per failover and per failback
  coverage_reports: 100, // R21: only while the first 30 days' coverage check needs them
  boosts: 30, // at most 24 self-service (R7) and a few operator boosts
  audit_log: 110, // about 3 per boost (requested, applied, ended), fair use, period closing
  mail_outbox: 48, // a confirmation per boost, fair-use warnings
  period_closings: 12,
  fair_use_notices: 24,
};

/** Rows per subscription that do not grow with time. */
const FIXED_TABLES = ['subscriptions', 'customers', 'contracts', 'devices', 'desired_states'] as const;

const SAMPLE_PER_SUBSCRIPTION: Readonly<Record<string, number>> = {
  usage: 12,
  events: 24,
  presence_log: 40,
  path_changes: 24,
  coverage_reports: 24,
  boosts: 12,
  audit_log: 24,
  mail_outbox: 12,
  period_closings: 12,
  fair_use_notices: 4,
};

const baseUrl = process.env['SP_DATABASE_URL'];
if (!baseUrl?.startsWith('postgres')) {
  console.error('set SP_DATABASE_URL=postgres://… (this measures PostgreSQL)');
  process.exit(2);
}
const subscriptions = Number(process.argv[2] ?? 1000);
const schema = `sp_dbsize_${randomBytes(4).toString('hex')}`;
await admin(`create schema ${schema}`);
const url = new URL(baseUrl);
url.searchParams.set('options', `-c search_path=${schema}`);
const dataDir = mkdtempSync(join(tmpdir(), 'sp-dbsize-'));
const clock = new TestClock(Date.parse('2026-01-01T08:00:00Z'));
const server = await startServer(
  serverConfig({ httpHost: '127.0.0.1', httpPort: 0, mqttHost: '127.0.0.1', mqttPort: 0, databaseUrl: url.toString(), dataDir, logLevel: 'silent', passwordHashCost: 10 }),
  { clock, log: silentLogger() },
);
try {
  const { db } = server.services.store;
  const started = Date.now();
  for (let from = 0; from < subscriptions; from += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, subscriptions - from) }, async () => {
        const suffix = randomBytes(6).toString('hex');
        const seeded = await seedSubscription(server, {
          customer: { name: `Customer ${suffix}`, login: `size-${suffix}`, password: 'a password of some length', email: `customer-${suffix}@example.nl`, phone: '+31612345678' },
          contract: { orderedAt: clock.now(), deliveredAt: clock.now() },
          routerModel: 'FRITZ!Box 7490',
        });
        await fill(seeded.subscriptionId, seeded.customerId, seeded.device!.deviceId);
      }),
    );
  }
  await sql`analyze`.execute(db);
  const rows: Array<{ table: string; rows: number; bytes: number; perRow: number; perYear: number }> = [];
  for (const table of [...FIXED_TABLES, ...Object.keys(ROWS_PER_SUBSCRIPTION_YEAR)]) {
    const { rows: result } = await sql<{ n: number; bytes: number }>`select (select count(*) from ${sql.table(table)}) as n, pg_total_relation_size(${table}::regclass) as bytes`.execute(db);
    const n = Number(result[0]!.n);
    const bytes = Number(result[0]!.bytes);
    const perRow = bytes / n;
    // A fixed table holds one row per subscription (counted in its first year).
    const perYear = perRow * (ROWS_PER_SUBSCRIPTION_YEAR[table] ?? 1);
    rows.push({ table, rows: n, bytes, perRow, perYear });
  }
  const perSubscriptionYear = rows.reduce((sum, row) => sum + row.perYear, 0);
  console.log(`# PostgreSQL size per subscription (${subscriptions} subscriptions seeded in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  console.log('| table | rows measured | total size | bytes/row (incl. indexes) | rows per subscription-year | bytes per subscription-year |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const per = ROWS_PER_SUBSCRIPTION_YEAR[row.table];
    console.log(`| ${row.table} | ${row.rows} | ${(row.bytes / 1024 / 1024).toFixed(2)} MiB | ${row.perRow.toFixed(0)} | ${per ?? '1 (fixed)'} | ${row.perYear.toFixed(0)} |`);
  }
  console.log(`\nper subscription and year: ${(perSubscriptionYear / 1024).toFixed(1)} KiB`);
  console.log(`per 100,000 subscriptions and year: ${((perSubscriptionYear * 100_000) / 1024 ** 3).toFixed(2)} GiB (tables and indexes; no WAL, no bloat)`);
} finally {
  await server.close();
  await admin(`drop schema if exists ${schema} cascade`);
  rmSync(dataDir, { recursive: true, force: true });
}

/** Writes SAMPLE_PER_SUBSCRIPTION rows of each growing table for one subscription, as the server writes them. */
async function fill(subscriptionId: string, customerId: string, deviceId: string): Promise<void> {
  const { db } = server.services.store;
  const t0 = clock.now();
  const hour = 3_600_000;
  for (let i = 0; i < SAMPLE_PER_SUBSCRIPTION['usage']!; i++) {
    const period = `2026-${String(i + 1).padStart(2, '0')}`;
    await upsertUsage(db, { device_id: deviceId, period, seq: 4_000 + i, up_bytes: 180_000_000 + i, down_bytes: 2_900_000_000 + i, at: t0 + i * 720 * hour, received_at: t0 + i * 720 * hour });
  }
  for (let i = 0; i < SAMPLE_PER_SUBSCRIPTION['events']!; i++) {
    const at = new Date(t0 + i * 300 * hour).toISOString();
    const event = { v: 1 as const, id: `evt-${String(i).padStart(8, '0')}`, at, type: 'failover' as const, from: 'dsl' as const, to: 'mobile' as const, reason: 'DSL link down', evidence: ['PhysicalLinkStatus Down for 900 ms', 'PPP Disconnected'] };
    await insertEvent(db, { device_id: deviceId, event_id: event.id, type: event.type, at: Date.parse(at), received_at: Date.parse(at) + 40, payload: encodeMessage('events', event).toString('utf8') });
  }
  for (let i = 0; i < SAMPLE_PER_SUBSCRIPTION['presence_log']!; i++) {
    const at = t0 + i * 12 * hour;
    await insertPresenceLog(db, { device_id: deviceId, at, sent_at: at, received_at: at + 30, state: i % 2 === 0 ? 'online' : 'offline', reason: i % 2 === 0 ? null : 'connection-lost' });
  }
  for (let i = 0; i < SAMPLE_PER_SUBSCRIPTION['path_changes']!; i++) {
    await insertPathChange(db, { device_id: deviceId, at: t0 + i * 150 * hour, path: i % 2 === 0 ? 'mobile' : 'dsl', received_at: t0 + i * 150 * hour + 50 });
  }
  for (let i = 0; i < SAMPLE_PER_SUBSCRIPTION['coverage_reports']!; i++) {
    await insertCoverageReport(db, { device_id: deviceId, subscription_id: subscriptionId, at: t0 + i * hour, modem_state: 'connected', registration: 'home', signal_dbm: -79, received_at: t0 + i * hour + 40 });
  }
  const customer = { kind: 'customer' as const, id: customerId };
  for (let i = 0; i < SAMPLE_PER_SUBSCRIPTION['boosts']!; i++) {
    const granted = t0 + i * 720 * hour;
    const id = `bst_${randomBytes(10).toString('hex')}`;
    const period = `2026-${String(i + 1).padStart(2, '0')}`;
    await insertBoost(db, {
      id,
      subscription_id: subscriptionId,
      kind: 'self-service',
      status: 'ended',
      period,
      slot: 1,
      granted_at: granted,
      ends_at: granted + 24 * hour,
      applied_at: granted + 2_000,
      ended_at: granted + 24 * hour,
      end_reason: 'expired',
      email: `customer@example.nl`,
      requested_by: `customer:${customerId}`,
      reason: null,
    });
    if (i < SAMPLE_PER_SUBSCRIPTION['mail_outbox']!) await enqueueMail(db, clock, boostAppliedMail({ id, ends_at: granted + 24 * hour }, 'customer@example.nl', { downKbps: 3584, upKbps: 1408 }));
    for (const action of ['boost.requested', 'boost.applied'] as const) {
      await appendAudit(db, clock, { actor: customer, action, subscriptionId, subjectId: id, details: { kind: 'self-service', slot: 1, endsAt: new Date(granted + 24 * hour).toISOString() } });
    }
    await insertPeriodClosing(db, { subscription_id: subscriptionId, period, used_bytes: 3_080_000_000, self_service_boosts: 1, operator_boosts: 0, closed_at: granted });
  }
  for (let i = 0; i < SAMPLE_PER_SUBSCRIPTION['fair_use_notices']!; i++) {
    const period = `2026-${String(i + 1).padStart(2, '0')}`;
    await insertFairUseNotice(db, { subscriptionId, period, threshold: 80, at: t0, usedBytes: 4_300_000_000 });
  }
}

function admin(text: string): Promise<void> {
  return adminQuery(baseUrl!, text);
}
