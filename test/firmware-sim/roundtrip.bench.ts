// Figures for the report (not a test): AT round trips through the pty with serialport, and
// TR-064 calls with digest auth, against the simulator on this machine.
//   npx tsx test/firmware-sim/roundtrip.bench.ts
import { startSimulator } from '../../firmware-sim/index.js';
import { AtPort } from './helpers/at-port.js';
import { SERVICES, soap } from './helpers/tr064-client.js';

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `n=${sorted.length} p50=${at(0.5).toFixed(2)} ms p90=${at(0.9).toFixed(2)} ms p99=${at(0.99).toFixed(2)} ms`;
}

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

const startAt = performance.now();
const sim = await startSimulator({ control: null, router: { password: 'pw' }, stick: { latencyScale: 0, urcs: false } });
console.log(`startSimulator: ${(performance.now() - startAt).toFixed(1)} ms`);
const port = await AtPort.open(sim.stick!.devicePath);
await port.command('ATE0');
console.log(`AT → OK, latencyScale 0:        ${stats(await timeIt(500, () => port.command('AT')))}`);
console.log(`AT^DSFLOWQRY, latencyScale 0:   ${stats(await timeIt(500, () => port.command('AT^DSFLOWQRY')))}`);
await port.close();
const closeAt = performance.now();
await sim.close();
console.log(`close: ${(performance.now() - closeAt).toFixed(1)} ms`);

const real = await startSimulator({ control: null, router: false, stick: { urcs: false } });
const realPort = await AtPort.open(real.stick!.devicePath);
await realPort.command('ATE0');
console.log(`AT+CSQ, realistic latencies:   ${stats(await timeIt(50, () => realPort.command('AT+CSQ')))}`);
await realPort.close();
await real.close();

const box = await startSimulator({ control: null, stick: false, router: { password: 'pw' } });
const call = (): Promise<unknown> => soap({ baseUrl: box.router!.url, ...SERVICES.wanCommon, action: 'GetCommonLinkProperties', credentials: { user: 'admin', password: 'pw' } });
console.log(`SOAP with digest (401 + retry): ${stats(await timeIt(300, call))}`);
await box.close();
