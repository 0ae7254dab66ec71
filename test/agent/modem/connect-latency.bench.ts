// Benchmark (not a test): time from setSessionWanted(true) to the modem's `connected` state,
// against the simulated stick on a real pty, 20 runs each
//   (a) with instant stick latencies: everything left is the agent's own work plus the pty
//       round trip and the simulator's processing, an upper bound on the agent's overhead;
//   (b) with the simulator's default latencies (^NDISDUP answered in 20 ms, session up after
//       1500 ms more): the difference to 1520 ms is again the agent's share.
// Run: cd /work/main && npx tsx test/agent/modem/connect-latency.bench.ts [runs]
import { startSimulator, LATENCY_DEFAULTS_MS } from '../../../firmware-sim/index.js';
import { systemClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import { createModem, type Modem, type ModemSnapshot } from '../../../agent/modem/index.js';

const runs = Number(process.argv[2] ?? 20);

function until(modem: Modem, test: (s: ModemSnapshot) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (test(modem.snapshot())) return resolve();
    const timer = setTimeout(() => reject(new Error(`timeout; modem ${JSON.stringify(modem.snapshot())}`)), 30_000);
    const off = modem.on((e) => {
      if (e.type === 'state' && test(e.snapshot)) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function measure(latencyScale: number): Promise<number[]> {
  const sim = await startSimulator({ router: false, control: null, stick: { latencyScale, dsflowReportIntervalMs: null } });
  const stick = sim.stick!;
  const modem = createModem({ devicePath: stick.devicePath, apn: 'internet', clock: systemClock, logger: silentLogger() });
  await modem.start();
  await until(modem, (s) => s.state === 'registered');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    modem.setSessionWanted(true);
    await until(modem, (s) => s.state === 'connected');
    times.push(performance.now() - started);
    modem.setSessionWanted(false);
    await until(modem, (s) => s.state === 'registered');
    while (stick.snapshot().session !== null) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50)); // let the hang-up settle before the next run
  }
  await modem.stop();
  await sim.close();
  return times.sort((a, b) => a - b);
}

const show = (label: string, sorted: number[]): void => {
  const f = (n: number) => n.toFixed(1);
  console.log(`${label}: p50 ${f(percentile(sorted, 50))} ms, p95 ${f(percentile(sorted, 95))} ms, max ${f(sorted.at(-1)!)} ms (n=${sorted.length})`);
};

const instant = await measure(0);
show('instant stick (agent + pty + simulator processing)', instant);
const stickMs = LATENCY_DEFAULTS_MS.local + LATENCY_DEFAULTS_MS.activate;
const realistic = await measure(1);
show('default latencies', realistic);
show(`default latencies minus the stick's own ${stickMs} ms`, realistic.map((t) => t - stickMs));
