// Shaping on real packets: how exactly the agent's shaper holds the baseline and boost rates,
// what a VoIP-like flow sees under a saturating download (with the agent's shaper, and with a
// single FIFO behind an HTB for contrast), and what shaping costs the agent's process.
//
//   node --import tsx bench/dataplane-shaping.ts [--window-ms 20000] [--rounds 1]
//
// 1. rates: bulk TCP at each profile and direction, all four at once in their own data planes;
//    wire rate from tc's counters over the window, goodput at the receiving application
// 2. latency: VoIP-like packets (100 bytes every 20 ms) under a bulk download at 128 kbit/s,
//    with the agent's shaper and with `htb` + one `pfifo` (the default a quick setup gives)
// 3. CPU: the process that holds the agent's data plane (this one), over a window with no
//    traffic and one in which the boost profile carries a download and an upload at full rate
//    (the kernel shapes; the process only waits); and the one-off cost of applying a profile, a
//    profile change and a path switch (this process and the ip/tc it runs). This kernel counts
//    CPU by ticks (250 Hz, no IRQ time accounting): softirq work, such as forwarding packets,
//    is charged to whichever process a tick finds running, so both windows carry some noise.
// Needs root and iproute2.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDataPlaneController, dataPlaneConfigSchema, type DataPlaneController } from '../agent/dataplane/index.js';
import { createDataPlane, dataPlaneSupport, percentile, type DataPlane } from '../firmware-sim/dataplane/index.js';
import { PROFILES, type ProfileName } from '../shared/service.js';
import { bulkTransfer, measureLatencyUnderLoad, measureRate, type Direction } from '../test/dataplane/measure.js';

const { values } = parseArgs({ options: { 'window-ms': { type: 'string', default: '20000' }, rounds: { type: 'string', default: '1' } } });
const WINDOW_MS = Number(values['window-ms']);
const ROUNDS = Number(values.rounds);
const out = (line: string) => process.stdout.write(`${line}\n`);
const elapse = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const planes: DataPlane[] = [];
async function shaped(profile: ProfileName | null): Promise<{ dp: DataPlane; agent: DataPlaneController }> {
  const dp = await createDataPlane({ dslUp: false, mobileUp: true, prefix: 'spdpbench' });
  planes.push(dp);
  const agent = createDataPlaneController(
    dataPlaneConfigSchema.parse({
      netns: dp.namespaces.router,
      dsl: { device: dp.interfaces.router.dsl, gateway: dp.addresses.dslGateway },
      mobile: { device: dp.interfaces.router.mobile, gateway: dp.addresses.mobileGateway },
    }),
  );
  await agent.applyPath('mobile');
  if (profile) await agent.applyShaping(PROFILES[profile]);
  return { dp, agent };
}
async function destroyAll(): Promise<void> {
  await Promise.all(planes.splice(0).map((dp) => dp.destroy()));
}

/** CPU time of this process and of the children it has waited for (ip, tc), in ms. */
function processCpuMs(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const ticks = (i: number) => Number(fields[i]) * 10; // USER_HZ is 100 on Linux
  return { self: ticks(11) + ticks(12), children: ticks(13) + ticks(14) };
}
const cpuNow = () => ({ usage: process.cpuUsage(), proc: processCpuMs(), at: performance.now() });
function cpuSince(start: ReturnType<typeof cpuNow>) {
  const usage = process.cpuUsage(start.usage);
  const proc = processCpuMs();
  return { selfMs: (usage.user + usage.system) / 1000, childrenMs: proc.children - start.proc.children, wallMs: performance.now() - start.at };
}

const support = await dataPlaneSupport();
if (!support.ok) {
  out(`skipped: ${support.reason}`);
  process.exit(0);
}

try {
  out(`1. rates over ${WINDOW_MS / 1000} s windows (wire from tc's counters; goodput at the receiver)`);
  for (let round = 0; round < ROUNDS; round++) {
    const cases: [ProfileName, Direction][] = [['baseline', 'download'], ['baseline', 'upload'], ['boost', 'download'], ['boost', 'upload']];
    const results = await Promise.all(cases.map(async ([profile, direction]) => {
      const { dp, agent } = await shaped(profile);
      return measureRate(dp, agent, profile, direction, { warmupMs: 3000, windowMs: WINDOW_MS });
    }));
    for (const m of results) {
      out(
        `   ${`${m.profile} ${m.direction}`.padEnd(18)} wire ${m.wireKbps.toFixed(1).padStart(7)} kbit/s for ${String(m.expectedKbps).padStart(4)}` +
          ` (${((m.wireKbps / m.expectedKbps - 1) * 100).toFixed(2).padStart(6)} %)   goodput ${m.goodputKbps.toFixed(1).padStart(7)} kbit/s` +
          ` (${((m.goodputKbps / m.wireKbps) * 100).toFixed(1)} % of wire)`,
      );
    }
    await destroyAll();
  }

  out('\n2. VoIP round trip under a saturating download at 128 kbit/s (10 s after 3 s of warm-up)');
  const [ours, fifo] = await Promise.all([
    shaped('baseline').then(({ dp, agent }) => measureLatencyUnderLoad(dp, agent, { warmupMs: 3000, windowMs: 10_000 })),
    shaped('baseline').then(async ({ dp }) => {
      // The contrast: the same rate by one HTB class with a 1000-packet FIFO, on the same IFB.
      const tc = (...args: string[]) => dp.exec('router', 'tc', args);
      await tc('qdisc', 'del', 'dev', 'spifb0', 'root');
      await tc('qdisc', 'add', 'dev', 'spifb0', 'root', 'handle', '1:', 'htb', 'default', '1');
      await tc('class', 'add', 'dev', 'spifb0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '128kbit', 'quantum', '1514');
      await tc('qdisc', 'add', 'dev', 'spifb0', 'parent', '1:1', 'handle', '10:', 'pfifo', 'limit', '1000');
      return measureLatencyUnderLoad(dp, null, { warmupMs: 3000, windowMs: 10_000 });
    }),
  ]);
  for (const [name, m] of [['agent shaper (tbf + htb, interactive class)', ours], ['htb + one pfifo (contrast)', fifo]] as const) {
    const p = (q: number) => (percentile(m.rtts, q) ?? NaN).toFixed(0).padStart(5);
    out(`   ${name.padEnd(44)} p50 ${p(50)} ms  p95 ${p(95)} ms  p99 ${p(99)} ms  max ${Math.max(...m.rtts).toFixed(0).padStart(5)} ms  (${m.rtts.length} of ${m.dueSent} back)`);
  }
  await destroyAll();

  out('\n3. CPU of the process that holds the agent\'s data plane');
  let start = cpuNow();
  const { dp, agent } = await shaped(null);
  const setup = cpuSince(start);
  start = cpuNow();
  await agent.applyShaping(PROFILES.baseline);
  const firstApply = cpuSince(start);
  start = cpuNow();
  await agent.applyShaping(PROFILES.boost);
  const change = cpuSince(start);
  start = cpuNow();
  await agent.applyPath('dsl');
  await agent.applyPath('mobile');
  const switches = cpuSince(start);
  start = cpuNow();
  for (let i = 0; i < 10; i++) await agent.counters();
  const counters = cpuSince(start);
  start = cpuNow();
  await elapse(WINDOW_MS);
  const quiet = cpuSince(start);
  await bulkTransfer(dp, 'download', 9000);
  await bulkTransfer(dp, 'upload', 9001);
  await elapse(3000);
  const before = await agent.counters();
  start = cpuNow();
  await elapse(WINDOW_MS);
  const idle = cpuSince(start);
  const after = await agent.counters();
  const carried = (d: 'upload' | 'download') => (((after[d]?.bytes ?? 0) - (before[d]?.bytes ?? 0)) * 8) / idle.wallMs;
  const ms = (c: ReturnType<typeof cpuSince>) => `${c.selfMs.toFixed(1)} ms + ${c.childrenMs.toFixed(0)} ms in ip/tc`;
  out(`   set-up of the simulated data plane (not the agent's)   ${ms(setup)}`);
  out(`   applyShaping(baseline), first time                     ${ms(firstApply)}`);
  out(`   applyShaping(boost), a profile change in place         ${ms(change)}`);
  out(`   applyPath dsl then mobile                              ${ms(switches)}`);
  out(`   counters(), each                                       ${(counters.selfMs / 10).toFixed(1)} ms + ${(counters.childrenMs / 10).toFixed(1)} ms in tc`);
  const share = (c: ReturnType<typeof cpuSince>) => `${(((c.selfMs + c.childrenMs) / c.wallMs) * 100).toFixed(3)} % of a core`;
  out(`   ${(quiet.wallMs / 1000).toFixed(0)} s with no traffic (the baseline of this process)    ${ms(quiet)} = ${share(quiet)}`);
  out(
    `   ${(idle.wallMs / 1000).toFixed(0)} s of shaped traffic (${carried('download').toFixed(0)} kbit/s down, ${carried('upload').toFixed(0)} kbit/s up): ` +
      `${ms(idle)} = ${share(idle)}`,
  );
} finally {
  await destroyAll();
}
