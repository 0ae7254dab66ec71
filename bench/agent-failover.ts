// Measures the agent against the firmware simulator with the default agent config and the
// simulator's default latencies, as `serviceplus agent` runs (a child process):
//   - DSL cut → failover decision; decision → mobile session up (agent's own share, beyond the
//     stick's answer time); cut → session up; "line up, no internet" → decision;
//   - the agent's resident memory, sampled while it runs, next to an idle `node -e`.
// Each run starts a fresh agent (the flap guard would otherwise lengthen every later hold-off).
//
//   npx tsx bench/agent-failover.ts [--runs 20] [--soak-s 120] [--bundle] [--node-args="..."]
//
// --bundle runs the agent from an esbuild bundle (plain node, no tsx) instead of the sources;
// --node-args passes V8 flags to the agent process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../firmware-sim/index.js';
import { envName } from '../shared/config.js';
import { startTestBroker, uniqueDeviceId } from '../test/helpers/broker.js';
import { startFakeInternet } from '../test/agent/helpers/fake-internet.js';
import { ServerStandIn } from '../test/agent/helpers/server-standin.js';
import { until } from '../test/agent/helpers/until.js';
import { buildAgentBundle } from './agent-bundle.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'soak-s': { type: 'string', default: '120' },
    bundle: { type: 'boolean', default: false },
    /** V8 flags for the agent process, e.g. "--max-old-space-size=24 --max-semi-space-size=1". */
    'node-args': { type: 'string', default: '' },
  },
});
const RUNS = Number(args.runs);
const SOAK_S = Number(args['soak-s']);

const root = new URL('..', import.meta.url).pathname;
const work = await mkdtemp(join(tmpdir(), 'sp-bench-agent-'));
const bundle = args.bundle ? await buildAgentBundle(join(work, 'agent.mjs')) : null;

const sim = await startSimulator({ control: null }); // default latencies
const broker = await startTestBroker();
const internet = await startFakeInternet(3);
const router = sim.router!;
const stick = sim.stick!;

interface Agent {
  readonly child: ChildProcess;
  readonly server: ServerStandIn;
  readonly deviceId: string;
  readonly exited: Promise<unknown>;
}

async function startAgent(): Promise<Agent> {
  const deviceId = uniqueDeviceId('bench');
  const server = await ServerStandIn.connect(broker.url, deviceId);
  const settings: Record<string, unknown> = {
    routerUrl: router.url,
    routerUsername: router.username,
    routerPassword: router.password,
    devicePath: stick.devicePath,
    deviceId,
    mqttUrl: broker.url,
    deviceSecret: 'bench-device-secret',
    dataDir: join(work, deviceId),
    probeTargets: internet.targets,
    logLevel: 'warn',
  };
  const env = Object.fromEntries(Object.entries(settings).map(([k, v]) => [envName(k), typeof v === 'string' ? v : JSON.stringify(v)]));
  const nodeArgs = args['node-args'].split(' ').filter(Boolean);
  const argv = [...nodeArgs, ...(bundle ? [bundle, 'agent'] : [join(root, 'bin/serviceplus.js'), 'agent'])];
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await server.waitFor('warm standby on DSL', () => server.of('status').findLast((s) => s.activePath === 'dsl' && s.dsl.state === 'up' && s.modem.state === 'registered'), 60_000);
  return { child, server, deviceId, exited };
}

async function stopAgent(agent: Agent): Promise<void> {
  agent.child.kill('SIGTERM');
  await agent.exited;
  await agent.server.cleanUp();
}

const ms = (iso: string) => Date.parse(iso);

interface Run {
  decisionMs: number;
  sessionUpMs: number;
  agentOwnMs: number;
  stickMs: number;
}

async function dslCutRun(): Promise<Run> {
  const agent = await startAgent();
  const dial = stick.waitForCommand(/\^NDISDUP=1,1/i, { sinceIndex: stick.commands().length, timeoutMs: 60_000 }).then(() => Date.now());
  const cut = Date.now();
  router.setLine('down');
  const failover = await agent.server.waitFor('failover', () => agent.server.of('events').find((e) => e.type === 'failover'), 30_000);
  const dialAt = await dial;
  const session = await until('stick session', () => stick.snapshot().session, 30_000);
  const connected = await agent.server.waitFor('connected status', () => agent.server.of('status').find((s) => s.modem.state === 'connected'), 30_000);
  const decidedAt = ms(failover.at);
  const upAt = ms(connected.at);
  const stickMs = session.since - dialAt; // ^NDISDUP received → session raised (^NDISSTAT)
  const run = { decisionMs: decidedAt - cut, sessionUpMs: upAt - cut, stickMs, agentOwnMs: dialAt - decidedAt + (upAt - session.since) };
  await stopAgent(agent);
  router.setLine('up');
  await until('no session', () => stick.snapshot().session === null, 30_000);
  return run;
}

async function noInternetRun(): Promise<number> {
  const agent = await startAgent();
  // Let the probes have a passing round first, as in steady operation.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const cut = Date.now();
  await internet.cut();
  const failover = await agent.server.waitFor('failover', () => agent.server.of('events').find((e) => e.type === 'failover'), 30_000);
  const detection = ms(failover.at) - cut;
  await stopAgent(agent);
  await internet.restore();
  await until('no session', () => stick.snapshot().session === null, 30_000);
  return detection;
}

function rssKb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((text) => Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? NaN));
}

async function soak(seconds: number): Promise<{ samples: number[]; idleNodeMb: number }> {
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const agent = await startAgent();
  const samples: number[] = [];
  const started = Date.now();
  let cycle = 0;
  while (Date.now() - started < seconds * 1000) {
    // Keep it busy: a failover with traffic every ~40 s, back on DSL in between.
    if (cycle++ % 8 === 0) {
      router.setLine(router.line().state === 'up' ? 'down' : 'up');
      if (router.line().state === 'down') void until('session', () => stick.snapshot().session, 30_000).then(() => stick.setLoad({ up: 0.5, down: 1 })).catch(() => {});
      else stick.setLoad({ up: 0, down: 0 });
    }
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    samples.push((await rssKb(agent.child.pid!)) / 1024);
  }
  const idleNodeMb = (await rssKb(idle.pid!)) / 1024;
  idle.kill();
  router.setLine('up');
  stick.setLoad({ up: 0, down: 0 });
  await stopAgent(agent);
  return { samples, idleNodeMb };
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const line = (name: string, values: number[], goal: string) =>
  `${name.padEnd(44)} p50 ${String(Math.round(pct(values, 50))).padStart(5)} ms   p95 ${String(Math.round(pct(values, 95))).padStart(5)} ms   (n=${values.length}; goal ${goal})`;

try {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await dslCutRun());
    process.stderr.write(`dsl cut run ${i + 1}/${RUNS}: ${JSON.stringify(runs.at(-1))}\n`);
  }
  const noInternet: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    noInternet.push(await noInternetRun());
    process.stderr.write(`no-internet run ${i + 1}/${RUNS}: ${noInternet.at(-1)} ms\n`);
  }
  const memory = SOAK_S > 0 ? await soak(SOAK_S) : null;

  const out = [
    `agent failover bench (${bundle ? 'esbuild bundle' : 'sources through tsx'}${args['node-args'] ? `, ${args['node-args']}` : ''}), node ${process.version}, ${RUNS} runs each, default agent config, simulator default latencies`,
  ];
  if (RUNS > 0) {
    out.push(
      line('DSL cut → failover decision', runs.map((r) => r.decisionMs), 'p95 < 1500 ms'),
      line('decision → session up, agent\'s own work', runs.map((r) => r.agentOwnMs), '< 200 ms'),
      line('  (the stick: ^NDISDUP → session up)', runs.map((r) => r.stickMs), 'simulator latency'),
      line('DSL cut → mobile session up', runs.map((r) => r.sessionUpMs), '< 3000 ms'),
      line('line up, no internet → failover decision', noInternet, '< 10000 ms'),
    );
  }
  if (memory) {
    const s = memory.samples;
    const q = Math.max(1, Math.floor(s.length / 4));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    out.push(
      `agent RSS over ${SOAK_S} s (${s.length} samples, failovers with traffic): min ${Math.min(...s).toFixed(1)} MB, max ${Math.max(...s).toFixed(1)} MB, ` +
        `first quarter avg ${avg(s.slice(0, q)).toFixed(1)} MB, last quarter avg ${avg(s.slice(-q)).toFixed(1)} MB (goal < 64 MB, flat)`,
      `idle \`node -e\` RSS in the same run: ${memory.idleNodeMb.toFixed(1)} MB`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await internet.close();
  await broker.close();
  await sim.close();
  await rm(work, { recursive: true, force: true });
}
