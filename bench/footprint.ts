// Agent footprint: steady RSS and CPU of one real agent process, on standby (DSL up, stick
// registered, line polled every 250 ms) and on mobile with traffic (DSL cut, session up, the
// simulated stick moving data at full load down and half up), beside an idle `node -e` in the
// same run. Several ways to run it (recipes): as shipped (bin/serviceplus.js through tsx), the
// esbuild bundle (bench/agent-bundle.ts) with plain node, and the production recipe: the bundle
// `npm run build:agent` writes (dist/agent.mjs) run as `node <PRODUCTION_NODE_ARGS> dist/agent.mjs`.
// Goal: under 64 MB RSS, under 1 % of a core.
import { join } from 'node:path';
import { startSimulator } from '../firmware-sim/index.js';
import { startTestBroker, uniqueDeviceId } from '../test/helpers/broker.js';
import { startFakeInternet } from '../test/agent/helpers/fake-internet.js';
import { ServerStandIn } from '../test/agent/helpers/server-standin.js';
import { buildAgentBundle } from './agent-bundle.js';
import { startAgentProcess, type AgentRecipe } from './lib/agent-process.js';
import { cpuPercent, sampleEvery, startIdleNode, stopChild, type ProcSample } from './lib/proc.js';
import { percentile, sleep } from './lib/stats.js';
import type { Benchmark, Figure } from './lib/types.js';

/** The heap limits that keep the agent's RSS flat and low (see the notes). */
export const HEAP_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=32'] as const;
/** No optimizing compilers; WebAssembly off explicitly (lite mode would warn that it turns it off). */
export const LITE = ['--lite-mode', '--no-expose-wasm'] as const;
/** How the agent runs in production: `node <these> dist/agent.mjs` (README, Performance). */
export const PRODUCTION_NODE_ARGS = [...LITE, ...HEAP_FLAGS] as const;

interface Phase {
  readonly rssMb: number;
  readonly maxRssMb: number;
  readonly cpuPercent: number;
}

function phaseOf(samples: readonly ProcSample[]): Phase {
  const steady = samples.slice(Math.floor(samples.length / 2)); // the second half: after start-up effects
  return {
    rssMb: percentile(steady.map((s) => s.rssMb), 50),
    maxRssMb: Math.max(...samples.map((s) => s.rssMb)),
    cpuPercent: cpuPercent(samples[0]!, samples.at(-1)!),
  };
}

export const footprintBenchmark: Benchmark = {
  name: 'footprint',
  title: 'Agent footprint: steady RSS and CPU on standby and on mobile with traffic, vs idle node',
  async run(ctx) {
    const bundle = await buildAgentBundle(join(ctx.workDir, 'agent.mjs'));
    const osTz = await buildAgentBundle(join(ctx.workDir, 'agent-os-tz.mjs'), { periodFromOsTimeZone: true });
    const production: AgentRecipe = { name: 'production (dist/agent.mjs, lite mode, heap limits)', bundle, nodeArgs: [...PRODUCTION_NODE_ARGS] };
    const proposal: AgentRecipe = { name: 'PROPOSAL: production, period without Intl', bundle: osTz, nodeArgs: [...PRODUCTION_NODE_ARGS] };
    const all: AgentRecipe[] = [
      { name: 'as shipped (tsx)', bundle: null, nodeArgs: [] },
      { name: 'bundle, plain node', bundle, nodeArgs: [] },
      production,
      proposal,
    ];
    const judged = new Set([production, proposal]);
    const recipes = ctx.quick ? [production] : all;
    const phaseMs = ctx.quick ? 5_000 : 20_000;
    const settleMs = ctx.quick ? 2_000 : 5_000;
    // V8's memory reducer shrinks the heap with a few full GCs some 8 s after start-up (~130 ms of
    // CPU, once); standby is measured after it, or a 20 s phase reads +0.6 % of a core.
    const standbySettleMs = ctx.quick ? 2_000 : 15_000;
    const broker = await startTestBroker();
    const sim = await startSimulator({ control: null });
    const internet = await startFakeInternet(3);
    const idle = startIdleNode();
    const idleSamples = sampleEvery(idle.pid!, 1_000);
    const results: { recipe: AgentRecipe; standby: Phase; mobile: Phase }[] = [];
    try {
      for (const recipe of recipes) {
        const deviceId = uniqueDeviceId('bench-footprint');
        const standIn = await ServerStandIn.connect(broker.url, deviceId);
        const agent = startAgentProcess(
          {
            routerUrl: sim.router!.url,
            routerUsername: sim.router!.username,
            routerPassword: sim.router!.password,
            devicePath: sim.stick!.devicePath,
            deviceId,
            mqttUrl: broker.url,
            deviceSecret: 'bench-device-secret',
            dataDir: join(ctx.workDir, deviceId),
            probeTargets: internet.targets,
            logLevel: 'warn',
          },
          recipe,
        );
        try {
          await standIn.waitFor('warm standby', () => standIn.of('status').findLast((s) => s.activePath === 'dsl' && s.dsl.state === 'up' && s.modem.state === 'registered'), 60_000);
          await sleep(standbySettleMs);
          let sampler = sampleEvery(agent.child.pid!, 1_000);
          await sleep(phaseMs);
          const standby = phaseOf(sampler.stop());

          sim.router!.setLine('down');
          await standIn.waitFor('session up', () => standIn.of('status').findLast((s) => s.modem.state === 'connected'), 30_000);
          sim.stick!.setLoad({ up: 0.5, down: 1 });
          await sleep(settleMs);
          sampler = sampleEvery(agent.child.pid!, 1_000);
          await sleep(phaseMs);
          const mobile = phaseOf(sampler.stop());
          if (agent.child.exitCode !== null) throw new Error(`the agent (${recipe.name}) exited with ${agent.child.exitCode}`);
          results.push({ recipe, standby, mobile });
          ctx.log(`${recipe.name}: standby ${standby.rssMb.toFixed(1)} MB ${standby.cpuPercent.toFixed(2)} %, mobile ${mobile.rssMb.toFixed(1)} MB (max ${mobile.maxRssMb.toFixed(1)}) ${mobile.cpuPercent.toFixed(2)} %`);
        } finally {
          sim.stick!.setLoad({ up: 0, down: 0 });
          await agent.stop();
          sim.router!.setLine('up');
          await standIn.cleanUp();
          for (let i = 0; i < 300 && sim.stick!.snapshot().session !== null; i++) await sleep(100);
        }
      }
    } finally {
      const idleRun = idleSamples.stop();
      await stopChild(idle);
      await internet.close();
      await sim.close();
      await broker.close();
      const idleNode = phaseOf(idleRun);
      (results as unknown as { idle: Phase }).idle = idleNode;
    }
    const idleNode = (results as unknown as { idle: Phase }).idle;
    const figures: Figure[] = [];
    for (const { recipe, standby, mobile } of results) {
      const goal = judged.has(recipe);
      figures.push(
        { name: `agent RSS on standby, ${recipe.name}`, value: standby.rssMb, unit: 'MB', baseline: { name: 'idle node -e', value: idleNode.rssMb }, ...(goal ? { goal: '< 64 MB', met: standby.rssMb < 64 } : {}) },
        { name: `agent RSS on mobile with traffic, ${recipe.name}`, value: mobile.rssMb, unit: 'MB', baseline: { name: 'idle node -e', value: idleNode.rssMb }, ...(goal ? { goal: '< 64 MB', met: mobile.rssMb < 64 && mobile.maxRssMb < 64 } : {}) },
        { name: `agent CPU on standby, ${recipe.name}`, value: standby.cpuPercent, unit: '% core', baseline: { name: 'idle node -e', value: idleNode.cpuPercent }, ...(goal ? { goal: '< 1 %', met: standby.cpuPercent < 1 } : {}) },
        { name: `agent CPU on mobile with traffic, ${recipe.name}`, value: mobile.cpuPercent, unit: '% core', baseline: { name: 'idle node -e', value: idleNode.cpuPercent }, ...(goal ? { goal: '< 1 %', met: mobile.cpuPercent < 1 } : {}) },
      );
    }
    return {
      figures,
      notes: [
        `Each recipe: a fresh agent process against the simulated FRITZ!Box and stick (default latencies) and an Aedes broker; ${phaseMs / 1000} s on standby from ${standbySettleMs / 1000} s after warm standby was reached (after V8's one-off heap shrink), then DSL cut and ${phaseMs / 1000} s on mobile with the stick at full load down and half up (^DSFLOWRPT every 2 s, the meter counting). RSS = median of 1 s samples over the second half of the phase (max over the whole phase in the log); CPU = user+system time over the phase.`,
        `Recipes: "bundle" = what \`npm run build:agent\` writes to dist/agent.mjs (bench/agent-bundle.ts: esbuild, one minified ESM file, serialport external), built into node_modules/.cache here, run with plain node; production = \`node ${PRODUCTION_NODE_ARGS.join(' ')} dist/agent.mjs\` (no optimizing compiler: the agent waits on I/O; heap capped so the young generation stays small). ${results.map((r) => `${r.recipe.name}: standby ${r.standby.rssMb.toFixed(1)} MB / ${r.standby.cpuPercent.toFixed(2)} %, mobile ${r.mobile.rssMb.toFixed(1)} MB (max ${r.mobile.maxRssMb.toFixed(1)}) / ${r.mobile.cpuPercent.toFixed(2)} %`).join('; ')}.`,
        `Idle \`node -e\` in the same run: ${idleNode.rssMb.toFixed(1)} MB, ${idleNode.cpuPercent.toFixed(2)} % of a core.`,
        'PROPOSAL recipes are built with bench/agent-bundle.ts --period-os-tz: shared/period.ts swapped for bench/lib/period-os-tz.ts (same month boundaries from the OS time-zone database under TZ=Europe/Amsterdam). luxon\'s Intl.DateTimeFormat for Europe/Amsterdam maps about 8 MB of ICU data into the process; that is the difference. Not adopted: it changes shared/ (the lead\'s call).',
      ],
    };
  },
};
