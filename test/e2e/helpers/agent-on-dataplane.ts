// The whole chain on real packets: the firmware simulator with its data plane (namespaces for
// the customer's LAN, the agent's router host, the DSL line, the mobile network and the
// internet), a real MQTT broker with a stand-in for the server, and the REAL agent started the
// way systemd starts it (`serviceplus agent`, SP_* settings) inside the router namespace, where
// it routes and shapes the customer's traffic with `ip` and `tc` exactly as on its host. It
// reaches the box's TR-064 and the broker through bridges into that namespace (no address or
// link outside the namespaces), and probes the internet host bound to its DSL-side address.
// Used by test/e2e/dataplane-agent.test.ts and bench/dataplane-agent.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '../../../agent/config.js';
import { rootCounters } from '../../../agent/dataplane/tc-state.js';
import { startSimulator, type Simulator } from '../../../firmware-sim/index.js';
import { ADDRESSES, DEVICES, bridgeIntoNamespace, startTool, type Bridge, type DataPlane } from '../../../firmware-sim/dataplane/index.js';
import { envName } from '../../../shared/config.js';
import type { Status } from '../../../shared/contract/messages.js';
import type { Rates } from '../../../shared/service.js';
import { TEST_SETTINGS } from '../../agent/helpers/agent-rig.js';
import { ServerStandIn } from '../../agent/helpers/server-standin.js';
import { uniqueDeviceId, type TestBroker } from '../../helpers/broker.js';

/** Probe targets: listeners on the internet host (fixed ports are safe inside our own namespace). */
export const PROBE_PORTS = [8001, 8002, 8003] as const;

export interface ChainOptions {
  readonly broker: TestBroker;
  /** The stick's latencies (1 = realistic); default 0.2. */
  readonly latencyScale?: number;
  /** Agent settings over the defaults below (JSON keys). */
  readonly settings?: Record<string, unknown>;
  /** Namespace prefix (so a bench's namespaces are told apart); default the simulator's. */
  readonly prefix?: string;
}

export interface Chain {
  readonly sim: Simulator;
  readonly dp: DataPlane;
  readonly server: ServerStandIn;
  readonly deviceId: string;
  readonly agent: { readonly child: ChildProcess; readonly output: () => string; readonly exited: Promise<number | string> };
  /** Waits until the agent's retained status says so. */
  statusWhere(what: string, predicate: (status: Status) => boolean, timeoutMs?: number): Promise<Status>;
  /** Stops the agent (SIGTERM), then everything else; safe to call twice. */
  close(): Promise<void>;
}

/** The agent's settings for the router namespace of the simulated data plane. */
export function chainSettings(): Record<string, unknown> {
  return {
    ...TEST_SETTINGS,
    // Each cut in a test or bench is a fresh outage; the flap guard would stretch failback.
    flapWindowMs: 0,
    // The agent's own probe timing: quick probes with short timeouts fail spuriously on a busy machine.
    probeIntervalMs: 2_000,
    probeTimeoutMs: 1_500,
    probeTargets: PROBE_PORTS.map((port) => `${ADDRESSES.server}:${port}`),
    probeBindAddress: ADDRESSES.routerDsl,
    dataPlane: {
      dsl: { device: DEVICES.router.dsl, gateway: ADDRESSES.dslGateway },
      mobile: { device: DEVICES.router.mobile, gateway: ADDRESSES.mobileGateway },
      blocking: { enabled: true },
    },
  };
}

export async function startChain(options: ChainOptions): Promise<Chain> {
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    const broker = options.broker;
    closers.push(() => broker.close());
    const sim = await startSimulator({
      control: null,
      stick: { latencyScale: options.latencyScale ?? 0.2 },
      dataPlane: options.prefix ? { prefix: options.prefix } : {},
    });
    closers.push(() => sim.close());
    const dp = sim.dataPlane!;
    const deviceId = uniqueDeviceId('dp-agent');
    const server = await ServerStandIn.connect(broker.url, deviceId);
    closers.push(() => server.cleanUp());
    const dataDir = await mkdtemp(join(tmpdir(), 'sp-dp-agent-'));
    closers.push(() => rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
    for (const port of PROBE_PORTS) await startTool(dp, 'inet', { kind: 'tcp-bulk', direction: 'receive', listen: { port } });

    const router = sim.router!;
    const brokerUrl = new URL(broker.url);
    const bridges: Bridge[] = [];
    closers.push(() => Promise.all(bridges.map((b) => b.close())));
    const tr064 = await bridgeIntoNamespace(dp, 'router', { host: '127.0.0.1', port: Number(new URL(router.url).port) });
    bridges.push(tr064);
    const mqtt = await bridgeIntoNamespace(dp, 'router', { host: brokerUrl.hostname, port: Number(brokerUrl.port || 1883) });
    bridges.push(mqtt);

    const settings: Record<string, unknown> = {
      routerUrl: `http://${tr064.host}:${tr064.port}`,
      routerUsername: router.username,
      routerPassword: router.password,
      devicePath: sim.stick!.devicePath,
      deviceId,
      mqttUrl: `mqtt://${mqtt.host}:${mqtt.port}`,
      deviceSecret: 'e2e-device-secret',
      dataDir,
      ...chainSettings(),
      ...options.settings,
    };
    const env = Object.fromEntries(Object.entries(settings).map(([key, value]) => [envName(key), typeof value === 'string' ? value : JSON.stringify(value)]));
    loadAgentConfig({ env }); // a bad setting fails here, with its name, not in the child

    const cli = new URL('../../../bin/serviceplus.js', import.meta.url).pathname;
    const child = spawn('ip', ['netns', 'exec', dp.namespaces.router, process.execPath, cli, 'agent'], {
      env: { ...process.env, ...env, SP_LOG_LEVEL: process.env['SP_TEST_AGENT_LOG'] ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    closers.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000))]);
      if (done === 'timeout') child.kill('SIGKILL');
    });

    return {
      sim,
      dp,
      server,
      deviceId,
      agent: { child, output: () => output, exited },
      statusWhere: (what, predicate, timeoutMs = 30_000) => server.waitFor(what, () => server.of('status').findLast(predicate), timeoutMs),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

// ---- what the kernel of the router namespace says (read by the test, never changed by it)

async function routerJson<T>(dp: DataPlane, tool: 'ip' | 'tc', args: readonly string[]): Promise<T> {
  return JSON.parse((await dp.exec('router', tool, args)).stdout) as T;
}

/** Packets a device of the router namespace has sent. */
export async function txPackets(dp: DataPlane, device: string): Promise<number> {
  const [link] = await routerJson<{ stats64: { tx: { packets: number } } }[]>(dp, 'ip', ['-j', '-s', 'link', 'show', 'dev', device]);
  return link!.stats64.tx.packets;
}

/** The device of the router's default route in the main table, and who set it (`83`: the agent). */
export async function defaultRoute(dp: DataPlane): Promise<{ readonly dev: string; readonly protocol: string } | null> {
  const routes = await routerJson<{ dev?: string; protocol?: string }[]>(dp, 'ip', ['-j', '-N', 'route', 'show', 'exact', '0.0.0.0/0']);
  const route = routes[0];
  return route ? { dev: route.dev ?? '?', protocol: String(route.protocol ?? 'boot') } : null;
}

/** The rates the agent's shapers hold the mobile uplink to (upload on wwan0, download on the IFB); null when not shaped. */
export async function shapedRates(dp: DataPlane): Promise<Rates | null> {
  const qdiscs = await routerJson<{ kind: string; dev: string; root?: boolean; options?: { rate?: number } }[]>(dp, 'tc', ['-j', 'qdisc', 'show']);
  const rate = (dev: string) => qdiscs.find((q) => q.dev === dev && q.root === true && q.kind === 'tbf')?.options?.rate;
  const [up, down] = [rate(DEVICES.router.mobile), rate('spifb0')];
  return up !== undefined && down !== undefined ? { downKbps: Math.round((down * 8) / 1000), upKbps: Math.round((up * 8) / 1000) } : null;
}

/** Bytes the download shaper (the IFB's root qdisc) has put on the wire; null when not shaped. */
export async function downloadWireBytes(dp: DataPlane): Promise<number | null> {
  const roots = rootCounters((await dp.exec('router', 'tc', ['-s', '-j', 'qdisc', 'show'])).stdout);
  return roots.get('spifb0')?.bytes ?? null;
}

/** The agent's policy rules in the router namespace, as `ip rule` prints them. */
export async function agentRules(dp: DataPlane): Promise<string> {
  return (await dp.exec('router', 'ip', ['rule', 'show', 'protocol', '83'])).stdout;
}

/**
 * A tap in the simulated mobile network (not the agent's router): counts the packets with the
 * router's DSL-side source address that enter it, i.e. probes leaking out over mobile. tc mirrors
 * them to a veth of their own, whose counter is read; the packets themselves go on unchanged.
 */
export async function watchDslSourceOnMobile(dp: DataPlane): Promise<() => Promise<number>> {
  const ip = (...args: string[]) => dp.exec('mobile', 'ip', args);
  const tc = (...args: string[]) => dp.exec('mobile', 'tc', args);
  await ip('link', 'add', 'spy0', 'type', 'veth', 'peer', 'name', 'spy1');
  await ip('link', 'set', 'spy0', 'up');
  await ip('link', 'set', 'spy1', 'up');
  await tc('qdisc', 'add', 'dev', DEVICES.mobile.radio, 'handle', 'ffff:', 'ingress');
  await tc('filter', 'add', 'dev', DEVICES.mobile.radio, 'parent', 'ffff:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'src', `${ADDRESSES.routerDsl}/32`, 'action', 'mirred', 'egress', 'mirror', 'dev', 'spy0');
  return async () => {
    const [link] = JSON.parse((await ip('-j', '-s', 'link', 'show', 'dev', 'spy0')).stdout) as { stats64: { tx: { packets: number } } }[];
    return link!.stats64.tx.packets;
  };
}
