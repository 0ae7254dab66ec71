// Failover: a DSL cut in the simulator to (1) the agent's failover decision (its `failover`
// event's `at`), (2) the mobile session up (its first status with the stick `connected`), and
// (3) the first status saying `mobile` stored by the real server (embedded broker, SQLite).
// p50/p95/max over 20 runs (quick: 3), each with a fresh agent process (`serviceplus agent`,
// default config; a fresh process because the flap guard would lengthen later hold-offs) and the
// simulator's default latencies. Beside the decision: what the same cut takes to detect with
// OpenWrt mwan3's and pfSense's dpinger's defaults, computed (bench/lib/field-baselines.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTopic, StatusSchema, EventSchema, type Status } from '../shared/contract/index.js';
import { startSimulator } from '../firmware-sim/index.js';
import { seedSubscription } from '../server/seed.js';
import { startFakeInternet } from '../test/agent/helpers/fake-internet.js';
import { startAgentProcess } from './lib/agent-process.js';
import { dpingerDetectionS, MWAN3_DEFAULTS, MWAN3_SHIPPED, mwan3DetectionS, PFSENSE_DPINGER_DEFAULTS, phases } from './lib/field-baselines.js';
import { observeIngest, startInProcessServer } from './lib/in-process-server.js';
import { nowMs, sleep, summarize } from './lib/stats.js';
import { formatNumber } from './lib/table.js';
import type { Benchmark, Figure } from './lib/types.js';

interface Seen {
  status: { status: Status; doneAt: number }[];
  failoverAt: number | null;
}

async function until<T>(what: string, check: () => T | null | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const failoverBenchmark: Benchmark = {
  name: 'failover',
  title: 'Failover: DSL cut → decision, mobile session up, "mobile" stored at the server; vs mwan3 and dpinger defaults',
  async run(ctx) {
    const runs = ctx.quick ? 2 : 20;
    const { server } = await startInProcessServer(join(ctx.workDir, 'server'));
    const sim = await startSimulator({ control: null }); // the simulator's default latencies
    const internet = await startFakeInternet(3);
    const seeded = await seedSubscription(server, {
      reference: 'BENCH-FAILOVER',
      customer: { name: 'Bench', login: 'bench.failover', password: 'bench-password-1' },
      routerModel: sim.router!.model,
      deviceId: 'bench-failover',
    });
    const device = seeded.device!;
    const seen: Seen = { status: [], failoverAt: null };
    const undo = observeIngest(server, (topic, payload, doneAt) => {
      const parsed = parseTopic(topic);
      if (parsed?.deviceId !== device.deviceId) return;
      const json: unknown = JSON.parse(payload.toString('utf8'));
      if (parsed.kind === 'status') {
        const status = StatusSchema.safeParse(json);
        if (status.success) seen.status.push({ status: status.data, doneAt });
      } else if (parsed.kind === 'events') {
        const event = EventSchema.safeParse(json);
        if (event.success && event.data.type === 'failover' && seen.failoverAt === null) seen.failoverAt = Date.parse(event.data.at);
      }
    });
    const decision: number[] = [];
    const sessionUp: number[] = [];
    const atServer: number[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const dataDir = join(ctx.workDir, `agent-${i}`);
        const agent = startAgentProcess(
          {
            routerUrl: sim.router!.url,
            routerUsername: sim.router!.username,
            routerPassword: sim.router!.password,
            devicePath: sim.stick!.devicePath,
            deviceId: device.deviceId,
            mqttUrl: server.mqttUrl,
            deviceSecret: device.password,
            dataDir,
            probeTargets: internet.targets,
            logLevel: 'warn',
          },
          { name: 'as shipped', bundle: null, nodeArgs: [] },
        );
        try {
          seen.status = [];
          seen.failoverAt = null;
          const startedAt = Date.now();
          await until(
            'warm standby on DSL at the server',
            () => seen.status.find((s) => Date.parse(s.status.at) >= startedAt - 1_000 && s.status.activePath === 'dsl' && s.status.dsl.state === 'up' && s.status.modem.state === 'registered'),
            60_000,
          );
          await sleep(1_000); // steady state: the line poll running, nothing in flight
          seen.status = [];
          const cut = nowMs();
          sim.router!.setLine('down');
          const mobile = await until('a status saying mobile at the server', () => seen.status.find((s) => s.status.activePath === 'mobile'), 30_000);
          const connected = await until('a status with the session up', () => seen.status.find((s) => s.status.modem.state === 'connected'), 30_000);
          const decided = await until('the failover event', () => seen.failoverAt, 30_000);
          decision.push(decided - cut);
          sessionUp.push(Date.parse(connected.status.at) - cut);
          atServer.push(mobile.doneAt - cut);
          ctx.log(`run ${i + 1}/${runs}: decision ${(decided - cut).toFixed(0)} ms, session up ${(Date.parse(connected.status.at) - cut).toFixed(0)} ms, "mobile" stored ${(mobile.doneAt - cut).toFixed(0)} ms`);
        } finally {
          await agent.stop();
          sim.router!.setLine('up');
          await until('the stick hung up', () => sim.stick!.snapshot().session === null, 30_000).catch(() => {});
          await rm(dataDir, { recursive: true, force: true });
        }
      }
    } finally {
      undo();
      await internet.close();
      await sim.close();
      await server.close();
    }

    const d = summarize(decision);
    const s = summarize(sessionUp);
    const m = summarize(atServer);
    const mwan3 = summarize(phases(200).map((p) => mwan3DetectionS(MWAN3_DEFAULTS, p) * 1000));
    const mwan3Shipped = summarize(phases(200).map((p) => mwan3DetectionS(MWAN3_SHIPPED, p) * 1000));
    const dpinger = summarize(phases(50).flatMap((a) => phases(20).map((b) => dpingerDetectionS(PFSENSE_DPINGER_DEFAULTS, a, b) * 1000)));
    const figures: Figure[] = [
      { name: 'DSL cut → failover decision, p50', value: d.p50, unit: 'ms', baseline: { name: 'OpenWrt mwan3 defaults, p50', value: mwan3.p50 } },
      { name: 'DSL cut → failover decision, p95', value: d.p95, unit: 'ms', baseline: { name: 'pfSense dpinger defaults, p95', value: dpinger.p95 }, goal: '< 1500 ms', met: d.p95 < 1_500 },
      { name: 'DSL cut → failover decision, max', value: d.max, unit: 'ms', baseline: { name: 'pfSense dpinger defaults, max', value: dpinger.max } },
      { name: 'DSL cut → mobile session up, p50', value: s.p50, unit: 'ms' },
      { name: 'DSL cut → mobile session up, p95', value: s.p95, unit: 'ms', goal: '< 3000 ms', met: s.p95 < 3_000 },
      { name: 'DSL cut → mobile session up, max', value: s.max, unit: 'ms' },
      { name: 'DSL cut → "mobile" stored at the server, p50', value: m.p50, unit: 'ms' },
      { name: 'DSL cut → "mobile" stored at the server, p95', value: m.p95, unit: 'ms' },
      { name: 'DSL cut → "mobile" stored at the server, max', value: m.max, unit: 'ms' },
    ];
    const range = (x: ReturnType<typeof summarize>) => `${formatNumber(x.min / 1000)}–${formatNumber(x.max / 1000)} s (p50 ${formatNumber(x.p50 / 1000)} s)`;
    return {
      figures,
      notes: [
        `${runs} runs, each a fresh \`serviceplus agent\` process (sources through tsx, default config: line poll 250 ms, confirm 600 ms) against the simulated FRITZ!Box and stick (default latencies: ^NDISDUP activation 1.5 s) and the real server in this process (embedded Aedes, SQLite). Cut = router.setLine('down') in the simulator; decision = the agent's failover event \`at\`; session up = its first status with the stick connected (\`at\`); stored = the server's ingest finished with the first status whose activePath is mobile.`,
        `mwan3, computed from mwan3track's defaults (interval 10 s, timeout 4 s, count 1, down 5, reliability 1, one track IP; the cut at a uniform point of the 10 s cycle; 5 failed rounds of a 4 s timeout, 10 s apart): ${range(mwan3)}; with the package's shipped config (4 track IPs, reliability 2: 16 s of timeouts per round): ${range(mwan3Shipped)}. Detection when the interface itself stays up (the agent sits behind the box).`,
        `pfSense dpinger, computed from pfSense's defaults (probe every 500 ms, lost after 2000 ms, 60 s window, alert check every 1 s, down at > 20 % loss: 25 lost probes of the window's 116 counted): ${range(dpinger)}.`,
      ],
    };
  },
};
