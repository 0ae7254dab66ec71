// Everything an agent-level end-to-end test needs, in the shape of every such test: the firmware
// simulator (a real TR-064 box over HTTP and a Huawei stick on a real pty), a real MQTT broker,
// a stand-in for the server, a loopback "internet" for the probes, and the agent itself, in this
// process or as a child process started the way systemd starts it (`serviceplus agent`).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Test } from 'tap';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../firmware-sim/index.js';
import type { Status } from '../../../shared/contract/messages.js';
import { createLogger } from '../../../shared/log.js';
import { envName } from '../../../shared/config.js';
import { loadAgentConfig, type AgentConfig } from '../../../agent/config.js';
import { startAgent, type RunningAgent } from '../../../agent/main.js';
import { uniqueDeviceId, type TestBroker } from '../../helpers/broker.js';
import { startCuttableProxy, type CuttableProxy } from './cuttable-proxy.js';
import { startFakeInternet, type FakeInternet } from './fake-internet.js';
import { ServerStandIn } from './server-standin.js';
import { tempDir } from './temp.js';
import { until } from './until.js';

export interface RigOptions {
  /** The broker to use (the test's own `startTestBroker()`, so CI runs it on Mosquitto too); closed at teardown. */
  readonly broker: TestBroker;
  readonly sim?: SimulatorOptions;
  /** Agent settings over the test defaults (JSON keys). */
  readonly settings?: Record<string, unknown>;
}

export interface Rig {
  readonly sim: Simulator;
  readonly broker: TestBroker;
  /** Between the agent and the broker, to take the control plane away. */
  readonly proxy: CuttableProxy;
  readonly server: ServerStandIn;
  readonly internet: FakeInternet;
  readonly deviceId: string;
  readonly dataDir: string;
  /** The settings as environment variables, for a child process. */
  readonly env: Record<string, string>;
  readonly config: AgentConfig;
  /** What teardown closes, last first; the agent goes on top so it stops before its peers. */
  readonly closers: Array<() => Promise<unknown>>;
}

/** Test timings: the decided defaults, but a short failback and quick probes and reconnects. */
export const TEST_SETTINGS = {
  failbackStableMs: 2_000,
  probeIntervalMs: 300,
  probeTimeoutMs: 500,
  mqttBackoffInitialMs: 100,
  mqttBackoffMaxMs: 1_000,
  meterPersistIntervalMs: 1_000,
  statusIntervalMs: 60_000,
  modemTiming: { devicePollMs: 100 },
};

export async function startRig(t: Test, options: RigOptions): Promise<Rig> {
  // Closed last-in first-out at teardown, also when start-up fails half way.
  const closers: Array<() => Promise<unknown>> = [];
  t.teardown(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  });
  const broker = options.broker;
  closers.push(() => broker.close());
  const sim = await startSimulator({ control: null, ...options.sim, stick: options.sim?.stick ?? { latencyScale: 0.2 } });
  closers.push(() => sim.close());
  const proxy = await startCuttableProxy(broker.url);
  closers.push(() => proxy.close());
  const deviceId = uniqueDeviceId('agent-e2e');
  const server = await ServerStandIn.connect(broker.url, deviceId);
  closers.push(() => server.cleanUp());
  const internet = await startFakeInternet(3);
  closers.push(() => internet.close());
  const dataDir = await tempDir(t, 'sp-agent-e2e-');
  const router = sim.router;
  const settings: Record<string, unknown> = {
    routerUrl: router?.url ?? 'http://127.0.0.1:9',
    routerUsername: router?.username ?? 'admin',
    routerPassword: router?.password ?? 'no-router',
    devicePath: sim.stick?.devicePath ?? '/dev/ttyUSB-none',
    deviceId,
    mqttUrl: proxy.url,
    deviceSecret: 'e2e-device-secret',
    dataDir,
    probeTargets: internet.targets,
    ...TEST_SETTINGS,
    ...options.settings,
  };
  const env = Object.fromEntries(Object.entries(settings).map(([key, value]) => [envName(key), typeof value === 'string' ? value : JSON.stringify(value)]));
  const config = loadAgentConfig({ env });
  return { sim, broker, proxy, server, internet, deviceId, dataDir, env, config, closers };
}

/** The agent in this process; stopped at teardown (before the rig, which was set up first). */
export async function startAgentIn(rig: Rig): Promise<RunningAgent> {
  const log = createLogger({ name: 'agent', level: process.env['SP_TEST_AGENT_LOG'] ?? 'silent' });
  const agent = await startAgent(rig.config, { log });
  rig.closers.push(() => agent.stop());
  return agent;
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** The agent as `node bin/serviceplus.js agent`, configured by SP_* variables like under systemd. */
export function startAgentProcess(rig: Rig, extraEnv: Record<string, string> = {}): AgentProcess {
  const cli = new URL('../../../bin/serviceplus.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, 'agent'], {
    env: { ...process.env, ...rig.env, SP_LOG_LEVEL: process.env['SP_TEST_AGENT_LOG'] ?? 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  rig.closers.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000))]);
      if (done === 'timeout') child.kill('SIGKILL');
    }
  });
  return { child, output: () => output, exited };
}

/** Waits until the agent's retained status says so. */
export function statusWhere(rig: Rig, what: string, predicate: (status: Status) => boolean, timeoutMs = 30_000): Promise<Status> {
  return rig.server.waitFor(what, () => rig.server.of('status').findLast(predicate), timeoutMs);
}

export { until };
