// Issue 10: three server instances over one PostgreSQL and one MQTT 5 broker (this machine's
// Mosquitto), 300 light simulated agents (the agent's real uplink and outbox). Shows: each
// telemetry message stored exactly once (shared subscriptions: one instance per message);
// concurrent self-boosts for one subscription through different instances never exceed the
// quota (R7, held by the database); kill -9 of an instance mid-run loses no acknowledged boost
// and no usage; each scheduled sweep runs once per tick across the instances (ticks are driven
// explicitly, the instances' TestClocks moved together; the crons are set to fire never).
//
// Runs only when SP_DATABASE_URL names PostgreSQL and SP_MQTT_URL a broker (`.ci/run`'s second
// pass); otherwise, or when either is unreachable, it is skipped with the reason.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import type { Status } from '../../shared/contract/index.js';
import { periodOf } from '../../shared/period.js';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.js';
import type { TickReport } from '../../server/jobs/scheduler.js';
import type { IngestCounts } from '../../server/mqtt/ingest-stats.js';
import type { Seeded } from '../../server/seed.js';
import { status } from '../fixtures/messages.js';
import { startTestBroker } from '../helpers/broker.js';
import { createTestDatabase } from '../helpers/database.js';
import { clearRetained } from '../server/helpers/device.js';
import { waitFor } from '../server/helpers/wait.js';
import { endBrokerSessions, Instance, sendTelemetry, startFleet, type FleetAgent } from './cluster.js';

const AGENTS = 300;
const QUOTA_SUBSCRIPTIONS = 20;
const KILL_SUBSCRIPTIONS = 20;
/** Events and usage reports per agent in the first phase. */
const FIRST = 2;
const START = Date.parse('2026-03-10T09:00:00Z');
const BOOST_SECONDS = 600;
const NEVER = '0 0 1 1 *'; // the crons fire on 1 January only: this test drives the ticks itself
const JOBS = ['boost-expiry-sweep', 'month-rollover', 'mail-outbox', 'desired-republish', 'contract-ends', 'swap-sla-watch', 'ingest-heartbeat'];

const skip = await skipReason();
if (skip) t.comment(`three-instances: skipped: ${skip}`);

t.test('three server instances on PostgreSQL and Mosquitto, 300 agents', { skip: skip ?? false, timeout: 120_000 }, async (t) => {
  const began = Date.now();
  const since = () => ((Date.now() - began) / 1000).toFixed(1);
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const broker = await startTestBroker();
  const run = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'sp-cluster-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const clientIds = [1, 2, 3].map((n) => `sp-cluster-${run}-${n}`);
  let clock = START;
  const iso = () => new Date(clock).toISOString();
  const period = periodOf(START).id;

  const settings = (n: number) => ({
    name: `instance-${n}`,
    // SP_CLUSTER_LOG_DIR keeps the instances' logs (debug level) after the run.
    logDir: process.env['SP_CLUSTER_LOG_DIR'] ?? dataDir,
    dataDir: join(dataDir, `instance-${n}`),
    env: {
      SP_DATABASE_URL: database.settings.databaseUrl!,
      SP_MQTT_URL: broker.url,
      SP_MQTT_CLIENT_ID: clientIds[n - 1]!,
      SP_MQTT_SHARED_GROUP: `sp-cluster-${run}`,
      SP_MQTT_PERSISTENT_SESSION: 'true',
      SP_MQTT_SESSION_EXPIRY_SECONDS: '300',
      SP_HTTP_HOST: '127.0.0.1',
      SP_HTTP_PORT: '0',
      SP_LOG_LEVEL: process.env['SP_CLUSTER_LOG_DIR'] ? 'debug' : 'warn',
      SP_PASSWORD_HASH_COST: '10',
      SP_LOGIN_RATE_LIMIT_MAX: '100000',
      SP_BOOST_DURATION_SECONDS: String(BOOST_SECONDS),
      SP_SWEEP_CRON: NEVER,
      SP_ROLLOVER_CRON: NEVER,
      SP_OUTBOX_CRON: NEVER,
      SP_TEST_CLOCK_START: String(clock), // a restarted instance starts at the others' time
    },
  });
  // The schema is migrated once, before the instances start together (as a deployment's first step).
  const store = await openDatabase(database.settings, { poolSize: 4 });
  t.teardown(() => store.close());
  const instances = await Promise.all([1, 2, 3].map((n) => Instance.start(settings(n))));
  t.comment(`${since()} s: three instances started`);
  t.teardown(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await endBrokerSessions(broker.url, clientIds);
  });

  const ticks: Array<{ at: number; reports: TickReport[] }> = [];
  /** Moves every live instance's clock on, then has them all run the tick at the new instant at once. */
  const advanceAndTick = async (ms: number) => {
    clock += ms;
    const live = instances.filter((instance) => instance.alive);
    await Promise.all(live.map((instance) => instance.request({ cmd: 'advance', ms })));
    const reports = await Promise.all(live.map((instance) => instance.request<TickReport>({ cmd: 'tick', at: clock })));
    ticks.push({ at: clock, reports });
  };

  // ---- 300 subscriptions with a router each, and their agents on mobile (R6 allows boosts there)
  const seeded = (await Promise.all(instances.map((instance) => instance.request<Seeded[]>({ cmd: 'seed', count: AGENTS / 3 })))).flat();
  const devices = seeded.map((s) => s.device!);
  t.teardown(() => clearRetained(broker.url, devices.map((d) => d.deviceId)));
  const agentDir = join(dataDir, 'agents');
  mkdirSync(agentDir);
  t.comment(`${since()} s: instances started, ${AGENTS} subscriptions seeded`);
  const fleet = await startFleet(devices, agentDir, iso);
  t.teardown(() => Promise.all(fleet.map((member) => member.agent.stop())));
  for (const member of fleet) {
    member.agent.uplink.setStatus(mobileStatus(iso(), period));
  }
  await waitFor(async () => (await countOnMobile(store)) === AGENTS, 'every router on mobile', 40_000);
  await waitFor(async () => fleet.every((member) => member.desired.size > 0), 'every router has its desired state', 20_000);

  t.comment(`${since()} s: ${AGENTS} agents connected, on mobile`);
  // ---- telemetry: each message stored exactly once, by one instance
  const sentAt = Date.now();
  await sendTelemetry(fleet, { events: FIRST, usage: FIRST }, period, iso);
  await waitFor(async () => (await count(store, 'events')) === AGENTS * FIRST, 'the events stored', 40_000);
  await waitForUsage(store, fleet);
  t.comment(`ingest: ${AGENTS * FIRST * 2} messages stored in ${((Date.now() - sentAt) / 1000).toFixed(1)} s by three instances (a shared machine: a floor, not a benchmark)`);
  const stats = await Promise.all(instances.map((instance) => instance.request<IngestCounts>({ cmd: 'stats' })));
  const storedEvents = stats.map((s) => s.stored['events'] ?? 0);
  t.equal(sum(storedEvents), AGENTS * FIRST, `the instances stored ${AGENTS * FIRST} events between them: each once`);
  t.equal(sum(stats.map((s) => s.ignored.duplicate)), 0, 'no instance saw a message another one handled (shared subscription)');
  t.ok(storedEvents.every((n) => n > 0), `the broker spread them over all three instances (${storedEvents.join(' / ')})`);

  t.comment(`${since()} s: telemetry stored`);
  // ---- R7: concurrent self-boosts through different instances never exceed the quota
  const quotaSubs = seeded.slice(0, QUOTA_SUBSCRIPTIONS);
  const tokens = await Promise.all(quotaSubs.map((s, i) => login(instances[i % 3]!, s.login)));
  const granted: string[] = [];
  for (let round = 1; round <= 3; round++) {
    const answers = await Promise.all(
      quotaSubs.flatMap((s, i) => instances.map((instance) => instance.call('POST', `/api/v1/subscriptions/${s.subscriptionId}/boosts`, { token: tokens[i]!, body: { email: 'c@example.nl' } }))),
    );
    const created = answers.filter((a) => a.status === 201);
    if (round < 3) {
      t.equal(created.length, QUOTA_SUBSCRIPTIONS, `round ${round}: exactly one of the three requests per subscription created a boost`);
      t.ok(answers.every((a) => a.status === 201 || a.status === 200), `round ${round}: the others were answered with that boost`);
    } else {
      t.equal(created.length, 0, 'round 3: none created');
      t.ok(answers.every((a) => a.status === 409 && String(a.body['type']).endsWith('/boost-quota-exhausted')), 'round 3: every request refused, quota exhausted');
    }
    granted.push(...created.map((a) => String((a.body['boost'] as { id: string }).id)));
    await advanceAndTick(BOOST_SECONDS * 1000); // the boosts end (R5)
  }
  const perSubscription = await store.db
    .selectFrom('boosts')
    .select(['subscription_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.count<number>('slot').distinct().as('slots')])
    .where('kind', '=', 'self-service')
    .where('subscription_id', 'in', quotaSubs.map((s) => s.subscriptionId))
    .groupBy('subscription_id')
    .execute();
  t.equal(perSubscription.length, QUOTA_SUBSCRIPTIONS, 'every quota-test subscription has self-service boosts');
  t.ok(perSubscription.every((row) => Number(row.n) === 2 && Number(row.slots) === 2), 'each subscription holds exactly 2 self-service boosts in 2 distinct slots');
  t.equal(granted.length, QUOTA_SUBSCRIPTIONS * 2, 'and 201 was answered exactly for those');

  t.comment(`${since()} s: quota rounds done`);
  // ---- kill -9 of one instance mid-run
  const victim = instances[1]!;
  const killSubs = seeded.slice(QUOTA_SUBSCRIPTIONS, QUOTA_SUBSCRIPTIONS + KILL_SUBSCRIPTIONS);
  const killTokens = await Promise.all(killSubs.map((s) => login(instances[0]!, s.login)));
  await sendTelemetry(fleet, { events: 1, usage: 1 }, period, iso);
  const before = await count(store, 'events');
  const requests = killSubs.map((s, i) => victim.call('POST', `/api/v1/subscriptions/${s.subscriptionId}/boosts`, { token: killTokens[i]!, body: { email: 'k@example.nl' } }));
  // Mid-run: once a few boosts are acknowledged, with others in flight and telemetry still arriving.
  await new Promise<void>((resolve) => {
    let acked = 0;
    let settledCount = 0;
    for (const request of requests) {
      void request
        .then((a) => {
          if (a.status === 201 && ++acked === 5) resolve();
        }, () => {})
        .finally(() => {
          if (++settledCount === requests.length) resolve();
        });
    }
  });
  await victim.kill();
  const settled = await Promise.allSettled(requests);
  const acknowledged = settled.flatMap((r) => (r.status === 'fulfilled' && r.value.status === 201 ? [String((r.value.body['boost'] as { id: string }).id)] : []));
  t.ok(acknowledged.length >= 1, `${acknowledged.length} of ${KILL_SUBSCRIPTIONS} boosts acknowledged through the instance before it was killed`);
  t.comment(`events stored when the instance was killed: ${before}..${await count(store, 'events')} of ${AGENTS * (FIRST + 1)}`);

  // The survivors' tick publishes the desired states the dead instance committed but did not get out.
  await advanceAndTick(60_000);
  const unpublished = await store.db.selectFrom('desired_states').select('device_id').whereRef('published_seq', '<', 'seq').execute();
  t.equal(unpublished.length, 0, 'every desired state is published after the survivors\' tick');
  await sendTelemetry(fleet, { events: 1, usage: 1 }, period, iso);

  // systemd restarts it under the same client id: the broker hands over the messages it kept for it.
  instances[1] = await Instance.start(settings(2));
  await waitFor(async () => (await count(store, 'events')) === AGENTS * (FIRST + 2), 'every event stored after the restart', 40_000);
  await waitForUsage(store, fleet);
  t.pass('no usage lost: every router\'s stored usage is its last report');
  const events = await store.db.selectFrom('events').select(['device_id', 'event_id']).execute();
  t.equal(events.length, AGENTS * (FIRST + 2), 'as many rows as events sent');
  t.equal(new Set(events.map((e) => `${e.device_id}/${e.event_id}`)).size, AGENTS * (FIRST + 2), `each of the ${AGENTS * (FIRST + 2)} events stored once`);
  await waitFor(
    async () => {
      const rows = await store.db.selectFrom('boosts').select(['id', 'status']).where('id', 'in', acknowledged).execute();
      return rows.length === acknowledged.length && rows.every((row) => row.status === 'applied');
    },
    'every acknowledged boost applied by its router',
    30_000,
  );
  t.pass(`no acknowledged boost lost: all ${acknowledged.length} exist and were applied by their routers`);
  await advanceAndTick(60_000);

  t.comment(`${since()} s: kill and restart done`);
  // ---- each scheduled sweep ran once per tick, across the instances
  for (const { at, reports } of ticks) {
    for (const job of JOBS) {
      const ran = reports.filter((report) => report[job] === 'ran').length;
      if (ran !== 1) t.fail(`tick ${new Date(at).toISOString()}: ${job} ran ${ran} times`);
    }
  }
  t.pass(`${ticks.length} ticks × ${JOBS.length} jobs: each ran on exactly one instance`);
  const runners = new Set(ticks.flatMap(({ reports }) => reports.flatMap((report, i) => (Object.values(report).includes('ran') ? [i] : []))));
  t.comment(`instances that ran sweeps: ${[...runners].join(', ')}`);
  const ended = await store.db
    .selectFrom('audit_log')
    .select(['subject_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('action', '=', 'boost.ended')
    .where('subject_id', 'in', granted)
    .groupBy('subject_id')
    .execute();
  t.equal(ended.length, granted.length, 'every quota-test boost ended (R5)');
  t.ok(ended.every((row) => Number(row.n) === 1), 'each ended once, although three instances swept');
});

async function login(instance: Instance, loginName: string): Promise<string> {
  const answer = await instance.call('POST', '/api/v1/sessions', { body: { login: loginName, password: 'cluster password' } });
  if (answer.status !== 201) throw new Error(`login failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return String(answer.body['token']);
}

async function count(store: DatabaseHandle, table: 'events' | 'devices'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countOnMobile(store: DatabaseHandle): Promise<number> {
  const row = await store.db.selectFrom('devices').select((eb) => eb.fn.countAll<number>().as('n')).where('active_path', '=', 'mobile').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Waits until every router's stored usage is the last report it sent. */
async function waitForUsage(store: DatabaseHandle, fleet: readonly FleetAgent[]): Promise<void> {
  const want = new Map(fleet.map((member) => [member.deviceId, member.usage]));
  await waitFor(
    async () => {
      const rows = await store.db.selectFrom('usage').select(['device_id', 'seq', 'up_bytes', 'down_bytes']).execute();
      const matching = rows.filter((row) => {
        const sent = want.get(row.device_id);
        return sent && row.seq === sent.seq && row.up_bytes === sent.upBytes && row.down_bytes === sent.downBytes;
      });
      return matching.length === fleet.length;
    },
    'every router\'s last usage report stored',
    40_000,
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mobileStatus(at: string, period: string): Status {
  return status({ at, activePath: 'mobile', pathSince: at, usage: { period, upBytes: 0, downBytes: 0 } });
}

/** Why this test cannot run here, or null. */
async function skipReason(): Promise<string | null> {
  const databaseUrl = process.env['SP_DATABASE_URL'];
  const mqttUrl = process.env['SP_MQTT_URL'];
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) return 'needs SP_DATABASE_URL=postgres://… (several instances share one PostgreSQL)';
  if (!mqttUrl) return 'needs SP_MQTT_URL=mqtt://… (an MQTT 5 broker with shared subscriptions, e.g. Mosquitto)';
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    return `PostgreSQL at ${new URL(databaseUrl).host} is not reachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
  const target = new URL(mqttUrl);
  const reachable = await new Promise<string | null>((resolve) => {
    const socket = createConnection({ host: target.hostname, port: Number(target.port || 1883), timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timed out');
    });
    socket.once('error', (error) => resolve(error.message));
  });
  return reachable === null ? null : `the MQTT broker at ${target.host} is not reachable: ${reachable}`;
}
