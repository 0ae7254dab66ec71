// Failover and failback interruption on real packets, measured the way the industry measures
// failover: the longest gap between delivered packets of a steady stream (48-byte UDP packets
// every 10 ms from the customer's LAN to a server, echoed back: 50 kbit/s on the wire, under
// the 64 kbit/s baseline upload the mobile path is shaped to), over many DSL cuts.
//
// The agent's data plane (agent/dataplane) is driven the way the agent drives it: the DSL line
// is cut; after the agent's decision time it asks for the mobile session and calls
// applyPath('mobile'); the session comes up after the stick's activation time. On failback the
// line returns, applyPath('dsl') follows, then the stick hangs up.
//
//   node --import tsx bench/dataplane-failover.ts [--cuts 20] [--interval-ms 10]
//        [--poll-ms 250] [--confirm-ms 600] [--session-ms 1500] [--dsl-cut line|wan]
//
// Three scenarios, each over --cuts cuts:
//   switch   the data plane alone: applyPath right at the cut, mobile session already up
//   agent    decision after confirm-ms plus up to one poll-ms (the agent's defaults, uniformly
//            spread), then the session activation time (session-ms, the simulator's default)
//   standby  the agent's decision time with the session already up (hot standby)
// Needs root and iproute2.
import { parseArgs } from 'node:util';
import { createDataPlaneController, dataPlaneConfigSchema } from '../agent/dataplane/index.js';
import { createDataPlane, dataPlaneSupport, longestGap, percentile, startTool, type DataPlane, type DslCut } from '../firmware-sim/dataplane/index.js';

const { values } = parseArgs({
  options: {
    cuts: { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '250' },
    'confirm-ms': { type: 'string', default: '600' },
    'session-ms': { type: 'string', default: '1500' },
    'dsl-cut': { type: 'string', default: 'line' },
  },
});
const CUTS = Number(values.cuts);
const INTERVAL_MS = Number(values['interval-ms']);
const POLL_MS = Number(values['poll-ms']);
const CONFIRM_MS = Number(values['confirm-ms']);
const SESSION_MS = Number(values['session-ms']);
const DSL_CUT = values['dsl-cut'] as DslCut;

const now = () => performance.timeOrigin + performance.now();
const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - now())));
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Scenario {
  readonly name: string;
  readonly decisionMs: () => number;
  /** null: the session stays up (hot standby). */
  readonly sessionMs: number | null;
}

interface CutResult {
  /** Longest gap between echoes at the customer (both directions must work). */
  readonly roundTrip: number;
  /** Longest gap between arrivals at the server (the customer's upstream). */
  readonly oneWay: number;
  /** The data plane's own share: applyPath from call to return. */
  readonly applyMs: number;
}

async function oneCycle(dp: DataPlane, scenario: Scenario, agent: ReturnType<typeof createDataPlaneController>, tools: Tools): Promise<{ failover: CutResult; failback: CutResult }> {
  // Failover.
  tools.reset();
  await sleepUntil(now() + 300);
  const cutAt = now();
  await dp.setDslCarrier(false);
  const decisionAt = cutAt + scenario.decisionMs();
  await sleepUntil(decisionAt);
  // The stick's session comes up; the agent hears `connected` from the modem and re-applies.
  const sessionUp =
    scenario.sessionMs === null
      ? Promise.resolve()
      : sleepUntil(decisionAt + scenario.sessionMs)
          .then(() => dp.setMobileCarrier(true))
          .then(() => agent.reapply());
  const before = now();
  await agent.applyPath('mobile');
  const applyMs = now() - before;
  await sessionUp;
  await sleepUntil(now() + 500);
  const failover = await tools.gaps(cutAt, applyMs);

  // Failback: the line is back; the agent moves the route, then the stick hangs up.
  tools.reset();
  await sleepUntil(now() + 300);
  const lineAt = now();
  await dp.setDslCarrier(true);
  await sleepUntil(lineAt + 300);
  const back = now();
  await agent.applyPath('dsl');
  const backMs = now() - back;
  if (scenario.sessionMs !== null) {
    await sleepUntil(now() + 300);
    await dp.setMobileCarrier(false);
  }
  await sleepUntil(now() + 500);
  const failback = await tools.gaps(lineAt, backMs);
  return { failover, failback };
}

interface Tools {
  reset(): void;
  gaps(after: number, applyMs: number): Promise<CutResult>;
}

async function runScenario(scenario: Scenario): Promise<{ failover: CutResult[]; failback: CutResult[] }> {
  const dp = await createDataPlane({ dslUp: true, mobileUp: scenario.sessionMs === null, dslCut: DSL_CUT, prefix: 'spdpbench' });
  try {
    const config = dataPlaneConfigSchema.parse({
      netns: dp.namespaces.router,
      dsl: { device: dp.interfaces.router.dsl, gateway: dp.addresses.dslGateway },
      mobile: { device: dp.interfaces.router.mobile, gateway: dp.addresses.mobileGateway },
    });
    const agent = createDataPlaneController(config);
    await agent.applyPath('dsl');
    await agent.applyShaping({ downKbps: 128, upKbps: 64 });
    const echo = await startTool(dp, 'inet', { kind: 'udp-echo', port: 7000 });
    const probe = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 7000, intervalMs: INTERVAL_MS, size: 20 });
    await sleepUntil(now() + 1000);
    const tools: Tools = {
      reset() {
        echo.reset();
        probe.reset();
      },
      async gaps(after, applyMs) {
        const [echoed, arrived] = [await probe.report(), await echo.report()];
        return {
          roundTrip: longestGap(echoed.samples.map((s) => s[2]), after)?.ms ?? NaN,
          oneWay: longestGap(arrived.arrivals.map((a) => a[1]), after)?.ms ?? NaN,
          applyMs,
        };
      },
    };
    const failover: CutResult[] = [];
    const failback: CutResult[] = [];
    for (let i = 0; i < CUTS; i++) {
      const cycle = await oneCycle(dp, scenario, agent, tools);
      failover.push(cycle.failover);
      failback.push(cycle.failback);
      process.stderr.write(`  ${scenario.name} ${i + 1}/${CUTS}: failover ${cycle.failover.roundTrip.toFixed(0)} ms, failback ${cycle.failback.roundTrip.toFixed(0)} ms\n`);
    }
    return { failover, failback };
  } finally {
    await dp.destroy();
  }
}

function summary(label: string, values: readonly number[]): string {
  const p = (q: number) => (percentile(values, q) ?? NaN).toFixed(0).padStart(6);
  return `${label.padEnd(44)} p50 ${p(50)} ms  p95 ${p(95)} ms  max ${Math.max(...values).toFixed(0).padStart(6)} ms`;
}

const support = await dataPlaneSupport();
if (!support.ok) {
  out(`skipped: ${support.reason}`);
  process.exit(0);
}
const agentDecision = () => CONFIRM_MS + Math.random() * POLL_MS;
const scenarios: Scenario[] = [
  { name: 'switch', decisionMs: () => 0, sessionMs: null },
  { name: 'agent', decisionMs: agentDecision, sessionMs: SESSION_MS },
  { name: 'standby', decisionMs: agentDecision, sessionMs: null },
];
out(`data-plane failover: ${CUTS} cuts per scenario, a ${INTERVAL_MS} ms stream, DSL cut at the ${DSL_CUT}; ` + `decision ${CONFIRM_MS}+U(0,${POLL_MS}) ms, session ${SESSION_MS} ms`);
for (const scenario of scenarios) {
  const result = await runScenario(scenario);
  out(`\n${scenario.name}:`);
  out(summary('  failover, packets to packets (round trip)', result.failover.map((r) => r.roundTrip)));
  out(summary('  failover, upstream at the server (one way)', result.failover.map((r) => r.oneWay)));
  out(summary('  applyPath(mobile) call', result.failover.map((r) => r.applyMs)));
  out(summary('  failback, packets to packets (round trip)', result.failback.map((r) => r.roundTrip)));
  out(summary('  failback, upstream at the server (one way)', result.failback.map((r) => r.oneWay)));
  out(summary('  applyPath(dsl) call', result.failback.map((r) => r.applyMs)));
}
