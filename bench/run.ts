// `npm run bench [-- --quick] [-- --only failover,api]`: runs each benchmark, prints one table
// with every figure beside its baseline from the same run (and the ratio), and writes the
// report as JSON and Markdown: bench/results/latest.{json,md} for a full run of everything,
// quick.{json,md} for --quick, partial.{json,md} for a full run of some (or --out <file.json>).
// Exit code 1 only when a benchmark failed to run; figures that miss their goal are reported,
// not judged.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiBenchmark } from './api.js';
import { boostBenchmark } from './boost.js';
import { expiryBenchmark } from './expiry.js';
import { failoverBenchmark } from './failover.js';
import { fleetBenchmark } from './fleet.js';
import { footprintBenchmark } from './footprint.js';
import { ratio } from './lib/stats.js';
import { markdownReport, textTable } from './lib/table.js';
import type { Benchmark, BenchResult, MachineInfo, RunReport } from './lib/types.js';

export const BENCHMARKS: readonly Benchmark[] = [failoverBenchmark, boostBenchmark, apiBenchmark, fleetBenchmark, footprintBenchmark, expiryBenchmark];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write(
    [
      'Usage: npm run bench -- [--quick] [--only <name>[,<name>…]] [--out <file.json>]',
      '',
      ...BENCHMARKS.map((b) => `  ${b.name.padEnd(10)} ${b.title}`),
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const only = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
const unknown = only.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})\n`);
  process.exit(2);
}
const selected = only.length > 0 ? BENCHMARKS.filter((b) => only.includes(b.name)) : BENCHMARKS;
const quick = values.quick;
const root = new URL('..', import.meta.url).pathname;
const out = values.out ?? join(root, 'bench/results', `${quick ? 'quick' : only.length > 0 ? 'partial' : 'latest'}.json`);

/** A benchmark that runs past this is abandoned (its result says so) and the run goes on. */
const TIMEOUT_MS = quick ? 120_000 : 45 * 60_000;

function machine(): MachineInfo {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: loadavg(),
  };
}

async function runOne(benchmark: Benchmark): Promise<BenchResult> {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), `sp-bench-${benchmark.name}-`));
  const log = (line: string) => process.stderr.write(`[${benchmark.name} ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    });
    const output = await Promise.race([benchmark.run({ quick, log, workDir }), timeout]);
    return {
      name: benchmark.name,
      title: benchmark.title,
      durationS: (Date.now() - started) / 1000,
      figures: output.figures.map((f) => ({ ...f, ratio: ratio(f.value, f.baseline?.value) })),
      notes: [...output.notes],
    };
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    return { name: benchmark.name, title: benchmark.title, durationS: (Date.now() - started) / 1000, figures: [], notes: [], error: (error as Error).message };
  } finally {
    clearTimeout(timer);
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
  }
}

const startedAt = new Date();
const info = machine();
process.stderr.write(`bench: ${quick ? 'quick' : 'full'} run of ${selected.map((b) => b.name).join(', ')} on ${info.cpu} (${info.cores} cores), load ${info.loadAverage.map((l) => l.toFixed(1)).join(' ')}\n`);
const results: BenchResult[] = [];
for (const benchmark of selected) results.push(await runOne(benchmark));

const report: RunReport = {
  mode: quick ? 'quick' : 'full',
  startedAt: startedAt.toISOString(),
  durationS: (Date.now() - startedAt.getTime()) / 1000,
  machine: info,
  results,
};
process.stdout.write(`\n${textTable(report)}\nwhole run: ${report.durationS.toFixed(0)} s (${report.mode}); written to ${out}\n`);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(out.replace(/\.json$/, '') + '.md', markdownReport(report));
// Anything a failed benchmark left behind must not keep the run alive.
process.exit(results.some((r) => r.error) ? 1 : 0);
