// The whole system in one process: the server (embedded Aedes, SQLite in the data folder), the
// firmware simulator (realistic latencies, HTTP control on), a demo subscription with a customer
// login and an enrolled FRITZ!Box, the agent wired to both, and an operator token for the NOC.
// close() stops them in reverse order: the agent first, so it says goodbye over MQTT.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { loadAgentConfig } from '../agent/config.js';
import { startAgent, type RunningAgent } from '../agent/main.js';
import { startSimulator, type Simulator } from '../firmware-sim/index.js';
import { serverConfig } from '../server/config.js';
import { startServer, type RunningServer } from '../server/main.js';
import { PortInUseError } from '../server/mqtt/embedded-broker.js';
import { createOperatorToken, seedSubscription } from '../server/seed.js';
import { createLogger, type Logger } from '../shared/log.js';
import { prepareDataDir, type DemoPaths } from './data-dir.js';
import { DemoMailer } from './mailer.js';
import { DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, type DemoOptions } from './options.js';

export const DEMO_ROUTER_MODEL = 'FRITZ!Box 7490';

export interface DemoCustomer {
  readonly name: string;
  readonly login: string;
  readonly password: string;
  readonly email: string;
  readonly subscriptionId: string;
}

export interface DemoStack {
  readonly server: RunningServer;
  readonly sim: Simulator;
  readonly agent: RunningAgent;
  readonly mailer: DemoMailer;
  readonly paths: DemoPaths;
  readonly customer: DemoCustomer;
  readonly deviceId: string;
  /** Role noc: the NOC dashboard and its demo panel. */
  readonly operatorToken: string;
  readonly simControlUrl: string;
  /** What did not go as asked, for the newcomer (a busy default port). */
  readonly notes: readonly string[];
  readonly log: Logger;
  close(): Promise<void>;
}

export interface DemoDefaults {
  /** The ports tried when none was asked for (8080 and 1883); tests pass ports they hold. */
  readonly ports?: { readonly http: number; readonly mqtt: number };
}

export async function startDemo(options: DemoOptions, defaults: DemoDefaults = {}): Promise<DemoStack> {
  const paths = await prepareDataDir(options.dataDir);
  const destination = pino.destination({ dest: paths.log, sync: true, mkdir: true });
  const log = createLogger({ name: 'demo', level: options.logLevel, destination });
  const closers: Array<{ what: string; close: () => Promise<unknown> }> = [];
  const closeAll = async () => {
    for (const { what, close } of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        log.warn({ err: error, what }, 'demo: error while stopping');
      }
    }
    log.info('demo stopped');
    destination.flushSync();
  };

  try {
    const sim = await startSimulator({
      router: { model: DEMO_ROUTER_MODEL },
      stick: { latencyScale: options.latencyScale },
      control: { port: 0 },
      logger: log.child({ program: 'sim' }),
    });
    closers.push({ what: 'simulator', close: () => sim.close() });
    if (!sim.router || !sim.stick || !sim.controlUrl) throw new Error('the simulator started without its router, stick or control interface');

    const mailer = new DemoMailer(paths.mail, log.child({ program: 'mail' }));
    const notes: string[] = [];
    if (!/^(127\.|::1$|localhost$)/.test(options.host)) {
      notes.push(`Listening on ${options.host}: the pages, the API and the MQTT broker can be reached from the network (the simulator stays on 127.0.0.1).`);
    }
    const ports = defaults.ports ?? { http: DEFAULT_HTTP_PORT, mqtt: DEFAULT_MQTT_PORT };
    const server = await startServerOnFreePorts(options, ports, paths, sim.controlUrl, mailer, log.child({ program: 'server' }), notes);
    closers.push({ what: 'server', close: () => server.close() });

    const customer = { name: 'Demo Customer', login: 'demo', password: `demo-${randomBytes(3).toString('hex')}`, email: 'demo@example.com' };
    const seeded = await seedSubscription(server, { reference: 'DEMO-0001', customer, routerModel: DEMO_ROUTER_MODEL, deviceId: 'demo-fritzbox' });
    const device = seeded.device!;
    const operatorToken = await createOperatorToken(server, { name: 'demo-noc', role: 'noc' });

    const internet = new URL(server.url);
    const agentConfig = loadAgentConfig({
      env: {},
      overrides: {
        routerUrl: sim.router.url,
        routerUsername: sim.router.username,
        routerPassword: sim.router.password,
        devicePath: sim.stick.devicePath,
        deviceId: device.deviceId,
        mqttUrl: device.mqttUrl,
        deviceSecret: device.password,
        dataDir: paths.agent,
        // "The internet" the agent probes while DSL is up: the server's HTTP port on this machine.
        probeTargets: [`${internet.hostname.replace(/^\[|\]$/g, '')}:${internet.port}`],
        failbackStableMs: options.failbackSeconds * 1000,
        meterPersistIntervalMs: 10_000,
        mqttBackoffInitialMs: 250,
        mqttBackoffMaxMs: 5_000,
        logLevel: options.logLevel,
      },
    });
    const agent = await startAgent(agentConfig, { log: log.child({ program: 'agent' }) });
    closers.push({ what: 'agent', close: () => agent.stop() });
    // Someone in the house keeps browsing: the stick moves data whenever it has a session, so the
    // customer page shows mobile data used.
    sim.stick.setLoad({ down: 0.5, up: 0.15 });

    log.info({ url: server.url, mqttUrl: server.mqttUrl, sim: sim.controlUrl, deviceId: device.deviceId }, 'demo started');
    return {
      server,
      sim,
      agent,
      mailer,
      paths,
      customer: { ...customer, subscriptionId: seeded.subscriptionId },
      deviceId: device.deviceId,
      operatorToken,
      simControlUrl: sim.controlUrl,
      notes,
      log,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Default ports that are taken give way to free ones (and say so); ports asked for do not. */
async function startServerOnFreePorts(
  options: DemoOptions,
  ports: { readonly http: number; readonly mqtt: number },
  paths: DemoPaths,
  simControlUrl: string,
  mailer: DemoMailer,
  log: Logger,
  notes: string[],
): Promise<RunningServer> {
  let httpPort = options.httpPort ?? ports.http;
  let mqttPort = options.mqttPort ?? ports.mqtt;
  for (;;) {
    const config = serverConfig({
      httpHost: options.host,
      httpPort,
      mqttHost: options.host,
      mqttPort,
      dataDir: paths.server,
      logLevel: options.logLevel,
      mqttPersistentSession: false,
      boostDurationSeconds: options.boostSeconds,
      demoSimControlUrl: simControlUrl,
    });
    try {
      return await startServer(config, { log, mailer });
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      if (error.variable === 'SP_HTTP_PORT' && options.httpPort === null && httpPort !== 0) {
        notes.push(`HTTP port ${httpPort} is in use, so the demo took a free one (choose with --http-port).`);
        httpPort = 0;
        continue;
      }
      if (error.variable === 'SP_MQTT_PORT' && options.mqttPort === null && mqttPort !== 0) {
        notes.push(`MQTT port ${mqttPort} is in use, so the demo took a free one (choose with --mqtt-port).`);
        mqttPort = 0;
        continue;
      }
      throw error;
    }
  }
}
