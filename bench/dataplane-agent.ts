// Failover and failback interruption on real packets with the REAL agent deciding: the
// simulator with its data plane, a broker, and `serviceplus agent` in the router namespace (see
// test/e2e/helpers/agent-on-dataplane.ts). A steady stream (48-byte UDP packets every 10 ms
// from the customer's PC to a server, echoed back: 50 kbit/s on the wire, under the 64 kbit/s
// baseline upload) runs through the agent's router while the simulated box's DSL line is cut
// (TR-064 says down, the DSL link stops carrying packets) and restored, --cuts times. Measured
// the way the industry measures failover: the longest gap between delivered packets.
//
//   node --import tsx bench/dataplane-agent.ts [--cuts 20] [--latency-scale 1]
//        [--interval-ms 10] [--failback-stable-ms 2000] [--cpu-window-ms 20000]
//
// The agent runs with its defaults (line poll 250 ms, loss confirmed after 600 ms, probes every
// 2 s), except the failback stability time (default 30 s; shorter here, it only sets how long a
// cycle takes) and no flap guard (each cut is a fresh outage). The stick's latencies are the
// simulator's realistic defaults (latency scale 1: ^NDISDUP activation 1.5 s). Per cut it
// reports the round trip gap (both directions must work) and the one-way gap at the server,
// and where the failover time goes: cut → the agent's decision (its failover event), decision
// → the stick's session up (the simulator), session → packets flowing. The noise floor is the
// longest gap of the same stream over a quiet stretch of the same length (this machine is
// shared).
//
// Then the agent's CPU (its process: utime + stime from /proc) on mobile over --cpu-window-ms,
// first with only the stream, then with a boost from the server and a bulk download and upload
// filling the shaped 3600/1400 kbit/s: the kernel shapes, so the difference is what shaping costs
// the agent. Needs root and iproute2.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { rootCounters } from '../agent/dataplane/tc-state.js';
import { dataPlaneSupport } from '../firmware-sim/index.js';
import { ADDRESSES, DEVICES, longestGap, percentile, startTool, type DataPlane } from '../firmware-sim/dataplane/index.js';
import { desired } from '../test/fixtures/messages.js';
import { until } from '../test/agent/helpers/until.js';
import { startTestBroker } from '../test/helpers/broker.js';
import { defaultRoute, shapedRates, startChain } from '../test/e2e/helpers/agent-on-dataplane.js';

const { values } = parseArgs({
  options: {
    cuts: { type: 'string', default: '20' },
    'latency-scale': { type: 'string', default: '1' },
    'interval-ms': { type: 'string', default: '10' },
    'failback-stable-ms': { type: 'string', default: '2000' },
    'cpu-window-ms': { type: 'string', default: '20000' },
  },
});
const CUTS = Number(values.cuts);
const LATENCY_SCALE = Number(values['latency-scale']);
const INTERVAL_MS = Number(values['interval-ms']);
const FAILBACK_STABLE_MS = Number(values['failback-stable-ms']);
const CPU_WINDOW_MS = Number(values['cpu-window-ms']);

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

const support = await dataPlaneSupport();
if (!support.ok) {
  out(`skipped: ${support.reason}`);
  process.exit(0);
}

interface Cycle {
  readonly failover: { roundTrip: number; oneWay: number; decisionMs: number; sessionMs: number; flowMs: number };
  readonly failback: { roundTrip: number; oneWay: number; decisionMs: number };
  readonly quiet: number;
}

const chain = await startChain({
  broker: await startTestBroker(),
  latencyScale: LATENCY_SCALE,
  prefix: 'spdpbench',
  settings: { failbackStableMs: FAILBACK_STABLE_MS },
});
const cycles: Cycle[] = [];
let cpu: { quiet: CpuWindow; shaped: CpuWindow } | null = null;
try {
  const { dp, sim, server } = chain;
  await chain.statusWhere('the agent on DSL, the stick on standby', (s) => s.activePath === 'dsl' && s.dsl.state === 'up' && s.modem.state === 'registered', 120_000);
  const echo = await startTool(dp, 'inet', { kind: 'udp-echo', port: 7000 });
  const stream = await startTool(dp, 'lan', { kind: 'udp-probe', host: ADDRESSES.server, port: 7000, intervalMs: INTERVAL_MS, size: 20 });
  const echoedAfter = async (at: number) => (await stream.report()).samples.filter((s) => s[2] > at).length;
  await until('the stream over DSL', async () => (await echoedAfter(0)) >= 100, 60_000);
  const events = (type: 'failover' | 'failback') => server.of('events').filter((e) => e.type === type);
  const gaps = async (after: number) => ({
    roundTrip: longestGap((await stream.report()).samples.map((s) => s[2]), after)?.ms ?? NaN,
    oneWay: longestGap((await echo.report()).arrivals.map((a) => a[1]), after)?.ms ?? NaN,
  });

  for (let i = 0; i < CUTS; i++) {
    // A quiet stretch first: the noise floor of this machine for the same stream.
    stream.reset();
    echo.reset();
    const quietFrom = now();
    await sleep(1_500);
    const quiet = (await gaps(quietFrom)).roundTrip;

    // Failover.
    const cutAt = now();
    sim.router!.setLine('down');
    const failover = await server.waitFor('the failover event', () => events('failover')[i], 60_000);
    await until('the stream back over mobile', async () => (await echoedAfter(cutAt)) >= 50, 60_000);
    const sessionSince = sim.stick!.snapshot().session?.since ?? NaN;
    await sleep(300);
    const over = await gaps(cutAt);
    const resumedAt = longestGap((await stream.report()).samples.map((s) => s[2]), cutAt)?.to ?? NaN;
    const decidedAt = Date.parse(failover.at);
    const failoverResult = { ...over, decisionMs: decidedAt - cutAt, sessionMs: sessionSince - decidedAt, flowMs: resumedAt - sessionSince };

    // Failback: the line returns; the agent moves back after the stability time, then hangs up.
    stream.reset();
    echo.reset();
    const lineAt = now();
    sim.router!.setLine('up');
    const failback = await server.waitFor('the failback event', () => events('failback')[i], 120_000);
    await until('the route back on DSL', async () => (await defaultRoute(dp))?.dev === DEVICES.router.dsl, 60_000);
    await until('the session hung up', () => sim.stick!.snapshot().session === null, 60_000);
    await sleep(500);
    const back = await gaps(lineAt);
    const cycle: Cycle = { failover: failoverResult, failback: { ...back, decisionMs: Date.parse(failback.at) - lineAt }, quiet };
    cycles.push(cycle);
    note(
      `  cut ${i + 1}/${CUTS}: failover ${cycle.failover.roundTrip.toFixed(0)} ms (decision ${cycle.failover.decisionMs.toFixed(0)}, ` +
        `session +${cycle.failover.sessionMs.toFixed(0)}, flow +${cycle.failover.flowMs.toFixed(0)}), failback ${cycle.failback.roundTrip.toFixed(0)} ms, quiet ${quiet.toFixed(0)} ms`,
    );
  }

  if (CPU_WINDOW_MS > 0) {
    const pid = chain.agent.child.pid!;
    sim.router!.setLine('down');
    await chain.statusWhere('on mobile, connected', (st) => st.activePath === 'mobile' && st.modem.state === 'connected', 60_000);
    await until('the baseline shaper', async () => (await shapedRates(dp))?.downKbps === 128, 60_000);
    await sleep(2_000);
    const quiet = await agentCpu(pid, CPU_WINDOW_MS);
    const issued = Date.now();
    await server.publishDesired(desired({ seq: 1, issuedAt: new Date(issued).toISOString(), until: new Date(issued + 3_600_000).toISOString(), boostId: 'boost-bench' }));
    await until('the boost shaper', async () => ((await shapedRates(dp))?.downKbps ?? 0) > 3_000, 60_000);
    for (const [direction, port] of [['download', 9000], ['upload', 9001]] as const) {
      await startTool(dp, 'inet', { kind: 'tcp-bulk', direction: direction === 'download' ? 'send' : 'receive', listen: { port } });
      await startTool(dp, 'lan', { kind: 'tcp-bulk', direction: direction === 'download' ? 'receive' : 'send', connect: { host: ADDRESSES.server, port } });
    }
    await sleep(3_000);
    const before = await shaperBytes(dp);
    const shaped = await agentCpu(pid, CPU_WINDOW_MS);
    const after = await shaperBytes(dp);
    shaped.carried = { downKbps: ((after.down - before.down) * 8) / shaped.wallMs, upKbps: ((after.up - before.up) * 8) / shaped.wallMs };
    cpu = { quiet, shaped };
  }
} catch (error) {
  note(`the bench failed: ${error instanceof Error ? error.message : String(error)}\nthe agent's output:\n${chain.agent.output()}`);
  process.exitCode = 1;
} finally {
  await chain.close();
}

interface CpuWindow {
  readonly cpuMs: number;
  readonly wallMs: number;
  carried?: { downKbps: number; upKbps: number };
}

/** CPU time (user + system) of a process, in ms, from /proc (USER_HZ is 100 on Linux). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function agentCpu(pid: number, windowMs: number): Promise<CpuWindow> {
  const [cpu0, t0] = [processCpuMs(pid), now()];
  await sleep(windowMs);
  return { cpuMs: processCpuMs(pid) - cpu0, wallMs: now() - t0 };
}

/** Bytes on the wire of the agent's two shapers (the IFB's root for the download, wwan0's for the upload). */
async function shaperBytes(dp: DataPlane): Promise<{ down: number; up: number }> {
  const roots = rootCounters((await dp.exec('router', 'tc', ['-s', '-j', 'qdisc', 'show'])).stdout);
  return { down: roots.get('spifb0')?.bytes ?? 0, up: roots.get(DEVICES.router.mobile)?.bytes ?? 0 };
}

function summary(label: string, values: readonly number[]): string {
  const p = (q: number) => (percentile(values, q) ?? NaN).toFixed(0).padStart(6);
  return `${label.padEnd(52)} p50 ${p(50)} ms  p95 ${p(95)} ms  max ${Math.max(...values).toFixed(0).padStart(6)} ms`;
}

if (cycles.length > 0) {
  out(
    `data-plane failover with the real agent deciding: ${cycles.length} cuts, a ${INTERVAL_MS} ms stream, ` +
      `stick latency scale ${LATENCY_SCALE}, failback stability ${FAILBACK_STABLE_MS} ms`,
  );
  out(summary('failover, packets to packets (round trip)', cycles.map((c) => c.failover.roundTrip)));
  out(summary('failover, upstream at the server (one way)', cycles.map((c) => c.failover.oneWay)));
  out(summary('  cut → the agent decides (TR-064 poll + 600 ms)', cycles.map((c) => c.failover.decisionMs)));
  out(summary('  decision → the stick\'s session is up', cycles.map((c) => c.failover.sessionMs)));
  out(summary('  session up → packets flow again', cycles.map((c) => c.failover.flowMs)));
  out(summary('failback, packets to packets (round trip)', cycles.map((c) => c.failback.roundTrip)));
  out(summary('failback, upstream at the server (one way)', cycles.map((c) => c.failback.oneWay)));
  out(summary('  line back → failback decided (stability time)', cycles.map((c) => c.failback.decisionMs)));
  out(summary('noise floor: longest gap over 1.5 s, no event', cycles.map((c) => c.quiet)));
}
if (cpu) {
  const share = (w: CpuWindow) => `${w.cpuMs.toFixed(0)} ms CPU in ${(w.wallMs / 1000).toFixed(1)} s = ${((w.cpuMs / w.wallMs) * 100).toFixed(2)} % of a core`;
  out(`agent process on mobile, only the 50 kbit/s stream (baseline 128/64):    ${share(cpu.quiet)}`);
  out(
    `agent process on mobile, boost shaped and saturated (${cpu.shaped.carried?.downKbps.toFixed(0)} kbit/s down, ` +
      `${cpu.shaped.carried?.upKbps.toFixed(0)} kbit/s up): ${share(cpu.shaped)}`,
  );
}
