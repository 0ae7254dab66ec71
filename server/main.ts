// The composition root: settings in, parts built and wired, started in order, stopped in
// reverse. `startServer` is also how the demo (issue 7) and the tests run a server in-process.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { systemClock, type Clock } from '../shared/clock.js';
import { createLogger, type Logger } from '../shared/log.js';
import { buildApp } from './app.js';
import { CustomerSessions } from './auth/customers.js';
import { OperatorTokens } from './auth/operators.js';
import { randomSecret } from './auth/secrets.js';
import type { ServerConfig } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { DeviceViewCache } from './http/device-view-cache.js';
import type { AppServices, Readiness } from './http/services.js';
import { BoostExpiry } from './jobs/expiry.js';
import { rollOverMonths } from './jobs/rollover.js';
import { RuleJobs } from './jobs/rule-jobs.js';
import { Scheduler, type TickReport } from './jobs/scheduler.js';
import { runOncePerTick } from './jobs/tick-guard.js';
import { withClusterLock } from './db/cluster-lock.js';
import { SmtpMailer, type Mailer } from './mail/mailer.js';
import { OutboxWorker } from './mail/outbox-worker.js';
import { BrokerAuth } from './mqtt/broker-auth.js';
import { DesiredPublisher } from './mqtt/desired-publisher.js';
import { PortInUseError, startEmbeddedBroker, type EmbeddedBroker } from './mqtt/embedded-broker.js';
import { Ingest } from './mqtt/ingest.js';
import { ServerMetrics } from './metrics/index.js';
import { ServerConnection } from './mqtt/server-connection.js';
import { BoostService } from './services/boosts.js';
import type { AfterCommit, ServiceContext } from './services/context.js';
import { DeviceService } from './services/devices.js';
import { buildRuleServices } from './services/rule-services.js';
import { LiveFeed } from './services/live-feed.js';
import { SubscriptionService } from './services/subscriptions.js';
import { TelemetryService } from './services/telemetry.js';
import { forgetPublished } from './store/desired-states.js';
import { readServerTls } from './tls.js';

export interface StartOptions {
  /** Defaults to the system clock; tests pass a TestClock. */
  readonly clock?: Clock;
  /** Defaults to a pino logger at config.logLevel. */
  readonly log?: Logger;
  /** Defaults to SMTP (config.smtpUrl) or, without it, a logging transport. */
  readonly mailer?: Mailer;
  /** How long to wait for the first broker connection (default 15 s). */
  readonly brokerTimeoutMs?: number;
}

export interface RunningServer {
  /** The HTTP API, e.g. http://127.0.0.1:8080 (API under /api/v1, OpenAPI at /docs). */
  readonly url: string;
  /** The broker URL agents are given at enrollment. */
  readonly mqttUrl: string;
  readonly embeddedBroker: boolean;
  readonly app: FastifyInstance;
  readonly services: AppServices & { readonly telemetry: TelemetryService };
  /** Run the scheduled jobs now (tests and tools). */
  readonly jobs: {
    sweep(): Promise<number>;
    rollOver(): Promise<string[]>;
    drainOutbox(): Promise<void>;
    /** R20: carry out the contract ends that are due. */
    endContracts(): Promise<number>;
    /** R12: record swap tickets that turned at risk or breached. */
    watchSwapSla(): Promise<number>;
    /**
     * Runs every scheduled job for the cron tick at `at` (ms), as the cron would; with several
     * instances on PostgreSQL each tick's job runs on one of them (issue 10). Says what ran here.
     */
    tick(at: number): Promise<TickReport>;
  };
  readonly ingest: Ingest;
  /** Resolves once every changed desired state is published. */
  desiredPublished(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger({ name: 'server', level: config.logLevel });
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  const closeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        log.warn({ err: error }, 'error while stopping');
      }
    }
  };

  try {
    // Certificate files first: a wrong path stops start-up before anything is opened (issue 11).
    const tls = readServerTls(config);
    const store = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, { backgroundCheckpoints: true, log: log.child({ component: 'store' }) });
    cleanup.push(() => store.close());
    log.info({ database: store.location, dialect: store.dialect }, 'store open');

    // Effects reach parts built below; until then they are no-ops.
    let publisher: DesiredPublisher | undefined;
    let expiry: BoostExpiry | undefined;
    let outbox: OutboxWorker | undefined;
    let broker: EmbeddedBroker | undefined;
    let ruleJobs: RuleJobs | undefined;
    // What changed on which router, for the NOC dashboard's live updates (GET /api/v1/live).
    const live = new LiveFeed(log.child({ component: 'live' }));
    // The device status route's answers; every change below drops the router's (issue 9).
    const deviceViews = new DeviceViewCache(config.statusCacheMs);
    const effects: AfterCommit = {
      desiredChanged: (ids) => {
        publisher?.touch(ids);
        for (const id of ids) {
          deviceViews.invalidate(id);
          live.deviceChanged(id, 'desired');
        }
      },
      boostScheduled: (id, at) => expiry?.schedule(id, at),
      mailQueued: () => outbox?.wake(),
      credentialsChanged: (id) => {
        deviceViews.invalidate(id);
        broker?.disconnectDevice(id);
      },
      contractEndScheduled: (id, at) => ruleJobs?.contractEnds.schedule(id, at),
      swapSlaScheduled: (id, at) => ruleJobs?.swapSla.schedule(id, at),
    };
    const ctx: ServiceContext = { store, clock, config, log, effects };

    const serverPassword = config.mqttUrl ? config.mqttPassword : (config.mqttPassword ?? randomSecret(24));
    const brokerAuth = new BrokerAuth(store, { username: config.mqttUsername, password: serverPassword });
    let mqttUrl: string;
    if (config.mqttUrl) {
      mqttUrl = config.mqttUrl;
    } else {
      broker = await startEmbeddedBroker({ host: config.mqttHost, port: config.mqttPort, auth: brokerAuth, log: log.child({ component: 'broker' }), tls: tls.mqtt });
      cleanup.push(() => broker?.close());
      mqttUrl = broker.url;
      // A fresh embedded broker retains nothing: every desired state must go out again.
      await forgetPublished(store.db);
    }
    const agentMqttUrl = config.mqttPublicUrl ?? stripCredentials(mqttUrl);

    const boosts = new BoostService(ctx);
    const subscriptions = new SubscriptionService(ctx);
    // R12-R24 (issue 6); a router swap's enrollment and the coverage check hook into these two.
    const rules = buildRuleServices(ctx);
    const devices = new DeviceService(ctx, () => agentMqttUrl, rules.swapTickets);
    const telemetry = new TelemetryService(ctx, boosts, rules.coverage);
    const operators = new OperatorTokens(store, clock);
    const customers = new CustomerSessions(store, clock, config);

    const mailer = options.mailer ?? new SmtpMailer(config, log.child({ component: 'mail' }));
    cleanup.push(() => mailer.close());
    // One instance drains the mail outbox at a time (issue 10); on SQLite the lock is a no-op.
    outbox = new OutboxWorker(store, mailer, clock, log.child({ component: 'outbox' }), async (work) => {
      await withClusterLock(store, 'mail-outbox', { wait: true }, work);
    });
    cleanup.push(() => outbox?.stop());

    publisher = new DesiredPublisher(store, log.child({ component: 'desired' }), (deviceId) => deviceViews.invalidate(deviceId));
    const ingest = new Ingest(store, telemetry, clock, log.child({ component: 'ingest' }), (deviceId, kind) => {
      deviceViews.invalidate(deviceId);
      live.deviceChanged(deviceId, kind);
    });
    const connection = new ServerConnection({
      url: mqttUrl,
      username: config.mqttUsername,
      password: serverPassword,
      clientId: config.mqttClientId,
      persistentSession: config.mqttPersistentSession,
      ca: tls.mqttCa,
      sharedGroup: config.mqttUrl ? config.mqttSharedGroup : undefined,
      sessionExpirySeconds: config.mqttSessionExpirySeconds,
      log: log.child({ component: 'mqtt' }),
      onMessage: (topic, payload) => ingest.handle(topic, payload),
      onConnected: () => void publisher?.republishPending().catch((error: unknown) => log.error({ err: error }, 'republishing failed')),
    });
    cleanup.push(() => connection.close());
    // PostgreSQL (possibly several instances): desired states go out on a connection of their own
    // (see desired-publisher.ts); its PUBACKs never wait behind the ingest.
    const publishing =
      store.dialect === 'postgres'
        ? new ServerConnection({
            url: mqttUrl,
            username: config.mqttUsername,
            password: serverPassword,
            clientId: `${config.mqttClientId}.pub`,
            persistentSession: false,
            ca: tls.mqttCa,
            subscribe: false,
            log: log.child({ component: 'mqtt-publish' }),
            onMessage: async () => {},
            onConnected: () => void publisher?.republishPending().catch((error: unknown) => log.error({ err: error }, 'republishing failed')),
          })
        : connection;
    if (publishing !== connection) cleanup.push(() => publishing.close());
    const metrics = new ServerMetrics({ store, clock, ingestCounts: () => ingest.stats.snapshot(), log: log.child({ component: 'metrics' }) });
    publisher.attach(metrics.timePublishes(publishing));
    await connection.waitConnected(options.brokerTimeoutMs ?? 15_000);
    await publishing.waitConnected(options.brokerTimeoutMs ?? 15_000);

    expiry = new BoostExpiry(store, boosts, clock, log.child({ component: 'expiry' }));
    cleanup.push(() => expiry?.stop());
    await expiry.load();
    ruleJobs = await RuleJobs.start({ store, clock, config, log, services: rules, desiredPublished: () => publisher!.idle() });
    cleanup.push(() => ruleJobs?.stop());
    let scheduler: Scheduler | undefined;
    const jobs: RunningServer['jobs'] = {
      sweep: () => expiry!.sweep(),
      rollOver: () => rollOverMonths(store, clock, log.child({ component: 'rollover' })),
      drainOutbox: () => outbox!.drain(),
      endContracts: () => ruleJobs!.contractEnds.sweep(),
      watchSwapSla: () => ruleJobs!.swapSla.sweep(),
      tick: (at) => scheduler!.tick(at),
    };
    scheduler = new Scheduler(
      [
        { name: 'boost-expiry-sweep', schedule: config.sweepCron, run: jobs.sweep },
        { name: 'month-rollover', schedule: config.rolloverCron, run: jobs.rollOver },
        { name: 'mail-outbox', schedule: config.outboxCron, run: jobs.drainOutbox },
        // Desired states another instance changed but did not get out (it died): published here (issue 10).
        { name: 'desired-republish', schedule: config.sweepCron, run: () => publisher!.republishPending().then(() => publisher!.idle()) },
        ...ruleJobs.scheduled(),
      ],
      log.child({ component: 'jobs' }),
      (job, tickAt, run) => runOncePerTick(store, job.name, tickAt, () => clock.now(), run),
    );
    cleanup.push(() => scheduler?.stop());
    await scheduler.start();

    const services: RunningServer['services'] = {
      config,
      clock,
      store,
      subscriptions,
      devices,
      boosts,
      operators,
      customers,
      brokerAuth,
      telemetry,
      ...rules,
      live,
      deviceViews,
      ingestCounts: () => ingest.stats.snapshot(),
      readiness: () => readiness(store, connection),
    };
    const app = await buildApp(services, log.child({ component: 'http' }), { metrics, https: tls.https });
    cleanup.push(() => app.close());
    try {
      await app.listen({ host: config.httpHost, port: config.httpPort });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(config.httpPort, 'SP_HTTP_PORT', 'HTTP');
      throw error;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    const url = `${tls.https ? 'https' : 'http'}://${publicHost(config.httpHost)}:${port}`;
    log.info({ url, mqttUrl: agentMqttUrl, embeddedBroker: broker !== undefined }, 'server started');

    return {
      url,
      mqttUrl: agentMqttUrl,
      embeddedBroker: broker !== undefined,
      app,
      services,
      jobs,
      ingest,
      desiredPublished: () => publisher!.idle(),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Resolves when the process is asked to stop (SIGTERM from a service manager, or Ctrl-C). */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

async function readiness(store: DatabaseHandle, connection: ServerConnection): Promise<Readiness> {
  let database = 'ok';
  try {
    await sql`select 1`.execute(store.db);
  } catch (error) {
    database = `failing: ${(error as Error).message}`;
  }
  const mqtt = connection.connected ? 'ok' : 'disconnected';
  return { ready: database === 'ok' && mqtt === 'ok', checks: { database, mqtt } };
}

function publicHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
}

function stripCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}
