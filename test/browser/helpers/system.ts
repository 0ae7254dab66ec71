// The whole chain for a browser test, real parts only: the server (startServer with a test
// database and its own embedded broker, on the system clock: the agent keeps real time), a
// customer subscription with an enrolled router, the firmware simulator (TR-064 router and a
// Huawei stick on a pty), loopback "internet" for the agent's probes, and the agent itself with
// the short test timings of test/e2e. Everything stops at teardown, last started first.
import type { Test } from 'tap';
import { startSimulator, type Simulator } from '../../../firmware-sim/index.js';
import { loadAgentConfig } from '../../../agent/config.js';
import { startAgent, type RunningAgent } from '../../../agent/main.js';
import { systemClock } from '../../../shared/clock.js';
import { createLogger } from '../../../shared/log.js';
import { seedSubscription, type Seeded } from '../../../server/seed.js';
import type { DeviceView } from '../../../server/services/views.js';
import { TEST_SETTINGS } from '../../agent/helpers/agent-rig.js';
import { startFakeInternet } from '../../agent/helpers/fake-internet.js';
import { tempDir } from '../../agent/helpers/temp.js';
import { testDatabase } from '../../helpers/database.js';
import { uniqueDeviceId } from '../../helpers/broker.js';
import { startTestServer, type TestServer } from '../../server/helpers/server.js';
import { waitFor } from '../../server/helpers/wait.js';

export interface SystemOptions {
  /** Server settings over the test defaults. */
  readonly server?: Record<string, unknown>;
  /** Give the server the simulator's control URL: the NOC dashboard's demo panel drives it. */
  readonly demoPanel?: boolean;
}

export interface System {
  readonly server: TestServer;
  readonly url: string;
  readonly sim: Simulator;
  readonly agent: RunningAgent;
  readonly seeded: Seeded;
  readonly deviceId: string;
  readonly customer: { readonly login: string; readonly password: string; readonly email: string };
  /** The server's view of the router, read through the API as the NOC sees it. */
  device(): Promise<DeviceView>;
  /** Waits until the server's view of the router satisfies `predicate`. */
  deviceWhere(what: string, predicate: (device: DeviceView) => boolean, timeoutMs?: number): Promise<DeviceView>;
}

export async function startSystem(t: Test, options: SystemOptions = {}): Promise<System> {
  const closers: Array<() => Promise<unknown>> = [];
  t.teardown(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  });
  const sim = await startSimulator({ control: options.demoPanel ? { port: 0 } : null, stick: { latencyScale: 0.2 } });
  closers.push(() => sim.close());
  const database = await testDatabase(t);
  const server = await startTestServer(t, database, {
    clock: systemClock,
    config: {
      boostDurationMinutes: 5,
      loginRateLimitMax: 50,
      ...(options.demoPanel && sim.controlUrl ? { demoSimControlUrl: sim.controlUrl } : {}),
      ...options.server,
    },
  });
  const deviceId = uniqueDeviceId('browser');
  const customer = { login: `anna.${deviceId}`, password: 'correct horse battery', email: 'anna@example.org' };
  const seeded = await seedSubscription(server.server, {
    reference: 'SP-104217',
    customer: { name: 'Anna de Vries', login: customer.login, password: customer.password, email: customer.email },
    routerModel: 'FRITZ!Box 7490',
    deviceId,
  });
  const credentials = seeded.device!;
  // The customer has the kit (R24): the contract runs from now, so swap tickets and claims apply.
  const delivered = await server.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/contract/delivery`, { token: server.tokens.helpdesk, body: {} });
  if (delivered.statusCode !== 200) throw new Error(`recording the delivery answered ${delivered.statusCode}: ${delivered.body}`);

  const internet = await startFakeInternet(3);
  closers.push(() => internet.close());
  const dataDir = await tempDir(t, 'sp-browser-agent-');
  const config = loadAgentConfig({
    env: {},
    overrides: {
      routerUrl: sim.router!.url,
      routerUsername: sim.router!.username,
      routerPassword: sim.router!.password,
      devicePath: sim.stick!.devicePath,
      deviceId,
      mqttUrl: credentials.mqttUrl,
      deviceSecret: credentials.password,
      dataDir,
      probeTargets: internet.targets,
      ...TEST_SETTINGS,
      // Status on every change and at least every 2 s, so the pages follow quickly.
      statusIntervalMs: 2_000,
    },
  });
  const agent = await startAgent(config, { log: createLogger({ name: 'agent', level: process.env['SP_TEST_AGENT_LOG'] ?? 'silent' }) });
  // Teardowns run last-registered first: the agent stops before the server, then the simulator.
  t.teardown(() => agent.stop());

  const device = async (): Promise<DeviceView> => {
    const response = await server.call('GET', `/api/v1/devices/${deviceId}`, { token: server.tokens.noc });
    return response.json() as DeviceView;
  };
  return {
    server,
    url: server.server.url,
    sim,
    agent,
    seeded,
    deviceId,
    customer,
    device,
    deviceWhere: async (what, predicate, timeoutMs = 30_000) => waitFor(async () => {
      const view = await device();
      return predicate(view) ? view : undefined;
    }, what, timeoutMs),
  };
}
