// The agent's composition root: validate config, read the router's identity (R1), build the
// parts, wire them, start them, and stop them cleanly (SIGTERM/SIGINT). No decisions here.
import { mkdir } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from '../shared/clock.js';
import type { AgentEvent, Status } from '../shared/contract/messages.js';
import { createLogger, type Logger } from '../shared/log.js';
import { readPemFile } from '../shared/tls.js';
import type { AgentConfig } from './config.js';
import { createDataPlaneController, hangUpAfterRoute, shapingTarget, type DataPlaneConfig, type DataPlaneController } from './dataplane/index.js';
import { defaultQuorum } from './dsl/probe.js';
import { LineWatch, readRouterIdentity, type RouterIdentity } from './dsl/router-watch.js';
import { Tr064Client } from './dsl/tr064-client.js';
import { AgentError, describeError } from './errors.js';
import { FailoverController } from './failover/controller.js';
import { DEFAULT_FAILOVER_SETTINGS, type FailoverSettings } from './failover/machine.js';
import { MeterService } from './meter/meter-service.js';
import type { Modem } from './modem/api.js';
import { createModem, type ModemOptions } from './modem/index.js';
import { ProfileService } from './profile/profile-service.js';
import { fairUseEvent, modemEvent, pathEvent, profileEvent } from './status/events.js';
import { randomIds, type IdSource } from './status/ids.js';
import { StatusPublisher } from './status/status-publisher.js';
import { buildStatus } from './status/status.js';
import { Outbox } from './uplink/outbox.js';
import { Uplink } from './uplink/uplink.js';
import { AGENT_VERSION } from './version.js';

/** Builds the modem; the real one (agent/modem) unless a test of the wiring passes another. */
export type ModemFactory = (options: ModemOptions) => Modem;

export interface AgentDeps {
  readonly createModem?: ModemFactory;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly ids?: IdSource;
  /** Stops waiting for the router at start-up (a shutdown during start). */
  readonly signal?: AbortSignal;
}

export interface RunningAgent {
  readonly router: RouterIdentity;
  status(): Status;
  stop(): Promise<void>;
}

export function failoverSettings(config: AgentConfig): FailoverSettings {
  return {
    ...DEFAULT_FAILOVER_SETTINGS,
    confirmDownMs: config.confirmDownMs,
    confirmUnreachableMs: config.confirmUnreachableMs,
    probeFailRounds: config.probeFailRounds,
    failbackStableMs: config.failbackStableMs,
    flapWindowMs: config.flapWindowMs,
    maxHoldOffMs: config.maxHoldOffMs,
    mobileConnectTimeoutMs: config.mobileConnectTimeoutMs,
  };
}

export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<RunningAgent> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? createLogger({ name: 'agent', level: config.logLevel });
  const ids = deps.ids ?? randomIds;
  const dataDir = resolve(config.dataDir);
  // Read before anything starts: a wrong path stops start-up naming the setting (issue 11).
  const mqttCa = config.mqttCaFile ? readPemFile('mqttCaFile', config.mqttCaFile, 'a CA certificate') : undefined;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const client = new Tr064Client({ url: config.routerUrl, username: config.routerUsername, password: config.routerPassword, timeoutMs: config.routerTimeoutMs });
  let router: RouterIdentity;
  try {
    router = await identifyRouter(client, log.child({ component: 'dsl' }), deps.signal);
  } catch (error) {
    client.close();
    throw error;
  }
  log.info({ model: router.modelName, firmware: router.firmware }, 'router identified');

  const modem = (deps.createModem ?? createModem)({
    devicePath: config.devicePath,
    pin: config.simPin ?? null,
    apn: config.apn,
    clock,
    logger: log.child({ component: 'modem' }),
    timeouts: config.modemTimeouts,
    timing: config.modemTiming,
    recovery: config.modemRecovery,
  });
  const outbox = await Outbox.open(join(dataDir, 'outbox.log'), { log: log.child({ component: 'outbox' }) });
  const dataPlaneConfig = dataPlaneSettings(config);
  const dataPlane = dataPlaneConfig ? createDataPlaneController(dataPlaneConfig, { logger: log }) : null;
  const steer = (what: string, action: (d: DataPlaneController) => Promise<unknown>) => {
    if (dataPlane) void action(dataPlane).catch((error: unknown) => log.error({ err: describeError(error), what }, 'data plane not converged'));
  };
  // R3/R4 on the wire: on mobile, the profile (or less, as negotiated); nothing on DSL. Applied
  // when the path, the profile or the negotiated rates change (the controller runs its calls in
  // order, so a failover's route goes before its shaping).
  let shapedRates = '';
  const steerShaping = () => {
    if (!dataPlane) return;
    const rates = shapingTarget(failover.state().path, profile.rates(), modem.snapshot().negotiated);
    if (JSON.stringify(rates) === shapedRates) return;
    shapedRates = JSON.stringify(rates);
    steer('shaping', (d) => d.applyShaping(rates));
  };

  // Late-bound parts the callbacks below reach; all are set before anything starts.
  let profile!: ProfileService;
  let failover!: FailoverController;
  let publisher!: StatusPublisher;
  let meter!: MeterService;

  const sendEvent = (event: AgentEvent) =>
    uplink.send('events', event).catch((error: unknown) => log.error({ err: describeError(error) }, 'event not queued'));

  const uplink = new Uplink({
    url: config.mqttUrl,
    ca: mqttCa,
    deviceId: config.deviceId,
    secret: config.deviceSecret,
    outbox,
    clock,
    log: log.child({ component: 'uplink' }),
    backoff: { initialMs: config.mqttBackoffInitialMs, maxMs: config.mqttBackoffMaxMs },
    keepaliveS: config.mqttKeepaliveS,
    connectTimeoutMs: config.mqttConnectTimeoutMs,
    onDesired: (payload) => void profile.handleDesired(payload),
  });

  meter = await MeterService.open({
    modem,
    clock,
    log: log.child({ component: 'meter' }),
    file: join(dataDir, 'meter.json'),
    capBytes: config.fairUseCapBytes,
    persistIntervalMs: config.meterPersistIntervalMs,
    maxBytesPerSecond: (config.meterMaxRateKbps * 1000) / 8,
    report: async (reports) => {
      for (const fairUse of reports.fairUse) await uplink.send('events', fairUseEvent(fairUse));
      for (const u of reports.usage) {
        await uplink.send('usage', { v: 1, at: new Date(u.at).toISOString(), period: u.period, seq: u.seq, upBytes: u.upBytes, downBytes: u.downBytes });
      }
    },
  });

  profile = await ProfileService.open({
    modem,
    clock,
    log: log.child({ component: 'profile' }),
    file: join(dataDir, 'profile.json'),
    holdBaselineAtCap: config.fairUseHoldBaseline,
    sendAck: (ack) => uplink.send('acks', { v: 1, ...ack }),
    sendEvent: (event) => sendEvent(profileEvent(event, ids)),
    onChange: () => {
      failover.setDataAllowed(profile.dataAllowed());
      steerShaping();
      publisher.changed();
    },
  });

  // With a data plane, a failback's hang-up waits for the route to leave mobile.
  let routed: Promise<unknown> = Promise.resolve();
  failover = new FailoverController({
    clock,
    log: log.child({ component: 'failover' }),
    settings: failoverSettings(config),
    modem: dataPlane ? hangUpAfterRoute(modem, () => routed) : modem,
    dataAllowed: profile.dataAllowed(),
    probe: {
      targets: config.probeTargets,
      quorum: config.probeQuorum ?? defaultQuorum(config.probeTargets.length),
      intervalMs: config.probeIntervalMs,
      timeoutMs: config.probeTimeoutMs,
      localAddress: config.probeBindAddress,
    },
    onPathChange: (change) => {
      steer('path', (d) => (routed = d.applyPath(change.to))); // R2 (and R11 blocking on mobile)
      steerShaping(); // set up on failover, cleared on failback
      void sendEvent(pathEvent(change, ids));
    },
    onChange: () => publisher.changed(),
  });

  const currentStatus = (): Status => {
    const f = failover.state();
    const snapshot = modem.snapshot();
    return buildStatus({
      now: clock.now(),
      activePath: f.path,
      pathSince: f.pathSince,
      dsl: { state: f.dsl.state, since: f.dsl.since, downKbps: f.dsl.downKbps, upKbps: f.dsl.upKbps },
      modem: { state: snapshot.state, registration: snapshot.registration, technology: snapshot.technology, signalDbm: snapshot.signalDbm, operator: snapshot.operator },
      profile: profile.applied(),
      usage: meter.saved(),
      agentVersion: AGENT_VERSION,
      router: { model: router.modelName, firmware: router.firmware },
    });
  };
  publisher = new StatusPublisher({ clock, intervalMs: config.statusIntervalMs, build: currentStatus, publish: (status) => uplink.setStatus(status) });

  let sessionUp = false;
  const unsubscribeModem = modem.on((event) => {
    if (event.type === 'state' && (event.snapshot.state === 'connected') !== sessionUp) {
      sessionUp = !sessionUp;
      // The mobile device (and its qdiscs and routes) comes and goes with the session.
      if (sessionUp) steer('re-apply', (d) => d.reapply());
    }
    // The negotiated rates come with the session. Deferred: a state event fires inside a failover
    // step (the session is asked for first), and the step's new route must be queued before it.
    if (event.type === 'state') queueMicrotask(steerShaping);
    const asEvent = modemEvent(event, clock.now(), ids);
    if (asEvent) void sendEvent(asEvent);
    if (event.type !== 'counters') publisher.changed();
  });
  const unsubscribeCap = meter.onCapChange((reached) => void profile.setCapReached(reached));

  const watch = new LineWatch({
    client,
    clock,
    log: log.child({ component: 'dsl' }),
    intervalMs: config.linePollMs,
    slowIntervalMs: config.lineSlowPollMs,
    slowAfterMs: config.lineSlowAfterMs,
    dslInfoEveryMs: config.dslInfoEveryMs,
    onObservation: (observation, at) => failover.observeLine(observation, at),
  });

  // Start: the uplink first (it only queues), then the stick, then what reads it.
  uplink.start();
  const modemStarted = modem.start().catch((error: unknown) => log.error({ err: describeError(error) }, 'the stick did not start; it keeps retrying'));
  meter.start();
  if (meter.capReached()) void profile.setCapReached(true);
  profile.start();
  failover.start();
  watch.start();
  publisher.start();
  steer('path', (d) => d.applyPath(failover.state().path));
  steerShaping();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('stopping');
      await watch.stop();
      await failover.stop();
      unsubscribeCap();
      await profile.stop();
      await meter.stop();
      unsubscribeModem();
      publisher.publishNow();
      publisher.stop();
      await uplink.stop();
      await outbox.close();
      await modemStarted;
      await modem.stop().catch((error: unknown) => log.warn({ err: describeError(error) }, 'the stick did not stop cleanly'));
      client.close();
      log.info('stopped');
    })());

  return { router, status: currentStatus, stop };
}

/**
 * The data plane's settings, with the DSL source address taken from probeBindAddress: the probes
 * bind to it, and the data plane keeps traffic from it on DSL once the default route points at
 * mobile (the config schema requires one of the two with a data plane).
 */
function dataPlaneSettings(config: AgentConfig): DataPlaneConfig | null {
  const dataPlane = config.dataPlane;
  if (!dataPlane) return null;
  const bind = config.probeBindAddress;
  return { ...dataPlane, dsl: { ...dataPlane.dsl, source: dataPlane.dsl.source ?? (bind !== undefined && isIPv4(bind) ? bind : null) } };
}

/**
 * DeviceInfo GetInfo until the box answers: a box that is still booting is waited for; a wrong
 * password or an unsupported model (R1) stops the agent with the reason.
 */
async function identifyRouter(client: Tr064Client, log: Logger, signal?: AbortSignal): Promise<RouterIdentity> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readRouterIdentity(client);
    } catch (error) {
      if (error instanceof AgentError && (error.code === 'unsupported-router' || error.code === 'router-auth')) throw error;
      const delay = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
      log.warn({ err: describeError(error), retryInMs: delay }, 'router not answering yet');
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(new AgentError('router-unreachable', 'stopped while waiting for the router'));
        const timer = setTimeout(resolve, delay);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new AgentError('router-unreachable', 'stopped while waiting for the router'));
        });
      });
    }
  }
}
