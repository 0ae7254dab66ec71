// Expiry at scale (R5). (1) The store: one sweep that ends 10,000 boosts, with 100,000 and then
// 1,000,000 boosts in force (quick: 1,000 of 10,000 and 50,000), through the server's own BoostService;
// the goal is a sweep that grows with the number ended, not with the number in force, so the
// plans of its statements are checked for full scans. SQLite always; PostgreSQL when one is
// reachable (SP_BENCH_DATABASE_URL, SP_DATABASE_URL, or this machine's 127.0.0.1:5432), full run
// only, at 2,000 of 20,000 and 200,000 (a transaction per ended boost costs PostgreSQL an fsync).
// (2) The timer source: shared/expiry-queue.ts against one setTimeout per boost and one node-cron
// job per boost, each in a process of its own (bench/lib/timer-child.ts).
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import cron from 'node-cron';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { adminQuery } from '../test/helpers/database.js';
import type { Clock } from '../shared/clock.js';
import { silentLogger } from '../shared/log.js';
import { serverConfig } from '../server/config.js';
import { openDatabase, type DatabaseHandle } from '../server/db/database.js';
import { BoostExpiry } from '../server/jobs/expiry.js';
import { BoostService } from '../server/services/boosts.js';
import { NO_EFFECTS } from '../server/services/context.js';
import { countInForce, seedBoosts, sweepPlans, type PlanCheck } from './lib/expiry-store.js';
import { formatNumber } from './lib/table.js';
import type { TimerMethod, TimerResult } from './lib/timer-child.js';
import type { BenchContext, Benchmark, Figure } from './lib/types.js';

const DAY = 86_400_000;

interface SweepPoint {
  readonly inForce: number;
  readonly ended: number;
  readonly ms: number;
  readonly longestStallMs: number;
}

/** A full GC on demand in this process (the runner does not start node with --expose-gc). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function fixedClock(at: number): Clock {
  return { now: () => at, setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); return () => clearTimeout(t); } };
}

async function sweepAt(store: DatabaseHandle, dataDir: string, at: number): Promise<{ ended: number; ms: number; longestStallMs: number }> {
  const service = new BoostService({ store, clock: fixedClock(at), config: serverConfig({ dataDir }), log: silentLogger(), effects: NO_EFFECTS });
  // The longest the event loop went without a turn meanwhile: what a request waited at worst.
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  const started = performance.now();
  const ended = await service.endDue();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5)); // a stall at the very end is sampled on the next turn
  stalls.disable();
  return { ended, ms, longestStallMs: stalls.max / 1e6 };
}

/** Seeds growing stores and sweeps each: the first size, then topped up to the second. */
async function storeSweeps(ctx: BenchContext, store: DatabaseHandle, dataDir: string, sizes: readonly number[], toEnd: number): Promise<{ points: SweepPoint[]; plans: PlanCheck[]; load: Load | null }> {
  const points: SweepPoint[] = [];
  let next = 1;
  let inForce = 0;
  let dueAt = Date.UTC(2026, 0, 15, 12);
  let plans: PlanCheck[] = [];
  for (const size of sizes) {
    const add = size - inForce;
    const seedStart = performance.now();
    await seedBoosts(store, { from: next, to: next + add - 1, dueTo: next + toEnd - 1, dueAt });
    next += add;
    inForce = await countInForce(store.db);
    ctx.log(`${store.dialect}: ${formatNumber(inForce)} boosts in force (seeded ${formatNumber(add)} in ${((performance.now() - seedStart) / 1000).toFixed(1)} s); sweeping`);
    if (plans.length === 0) plans = await sweepPlans(store, dueAt);
    const { ended, ms, longestStallMs } = await sweepAt(store, dataDir, dueAt);
    points.push({ inForce, ended, ms, longestStallMs });
    ctx.log(`${store.dialect}: one sweep ended ${ended} of ${inForce} in force: ${ms.toFixed(0)} ms, longest event-loop stall ${longestStallMs.toFixed(1)} ms`);
    inForce -= ended;
    dueAt += DAY;
  }
  // What a server start costs with the largest store: every boost in force into the ExpiryQueue.
  let load: Load | null = null;
  if (store.dialect === 'sqlite') {
    const gc = exposeGc();
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const timers0 = activeTimeouts();
    const cron0 = cron.getTasks().size;
    const started = performance.now();
    const service = new BoostService({ store, clock: fixedClock(dueAt), config: serverConfig({ dataDir }), log: silentLogger(), effects: NO_EFFECTS });
    const expiry = new BoostExpiry(store, service, fixedClock(dueAt), silentLogger());
    await expiry.load();
    const ms = performance.now() - started;
    const timers = activeTimeouts() - timers0;
    const cronJobs = cron.getTasks().size - cron0;
    gc();
    load = { ms, heapMb: (process.memoryUsage().heapUsed - heap0) / 2 ** 20, scheduled: expiry.scheduled, timers, cronJobs };
    if (expiry.scheduled !== inForce) ctx.log(`warning: ${expiry.scheduled} scheduled, ${inForce} in force`);
    expiry.stop();
  }
  return { points, plans, load };
}

interface Load {
  readonly ms: number;
  readonly heapMb: number;
  /** Boosts in the ExpiryQueue, and the timers and node-cron jobs that added. */
  readonly scheduled: number;
  readonly timers: number;
  readonly cronJobs: number;
}

/** Timers armed in this process (setTimeout/setInterval not yet fired or cleared). */
function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Which of the agent's and server's source files import node-cron, and which the ExpiryQueue. */
async function timerSources(): Promise<{ cron: string[]; queue: string[] }> {
  const root = new URL('..', import.meta.url).pathname;
  const found = { cron: [] as string[], queue: [] as string[] };
  for (const dir of ['agent', 'server']) {
    for (const file of await readdir(join(root, dir), { recursive: true })) {
      if (!file.endsWith('.ts')) continue;
      const text = await readFile(join(root, dir, file), 'utf8');
      if (/from 'node-cron'/.test(text)) found.cron.push(`${dir}/${file}`);
      if (/expiry-queue\.js'/.test(text)) found.queue.push(`${dir}/${file}`);
    }
  }
  return found;
}

async function postgresUrl(quick: boolean): Promise<string | null> {
  if (quick) return null;
  const url = process.env['SP_BENCH_DATABASE_URL'] ?? process.env['SP_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return url;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

async function withPostgresSchema<T>(url: string, work: (schemaUrl: string) => Promise<T>): Promise<T> {
  const schema = `sp_bench_${randomBytes(6).toString('hex')}`;
  const admin = (text: string) => adminQuery(url, text);
  await admin(`create schema ${schema}`);
  try {
    const schemaUrl = new URL(url);
    schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
    return await work(schemaUrl.toString());
  } finally {
    await admin(`drop schema if exists ${schema} cascade`);
  }
}

const run = promisify(execFile);

async function timerRun(method: TimerMethod, n: number, idleMs: number): Promise<TimerResult> {
  const child = new URL('./lib/timer-child.ts', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', child, method, String(n), String(idleMs)], { maxBuffer: 1 << 20, timeout: 300_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as TimerResult;
}

function sweepFigures(label: string, points: readonly SweepPoint[]): Figure[] {
  const [first, last] = [points[0]!, points.at(-1)!];
  const growth = last.ms / first.ms;
  return [
    {
      name: `${label}: one sweep ending ${formatNumber(last.ended)} of ${formatNumber(last.inForce)} in force`,
      value: last.ms,
      unit: 'ms',
      baseline: { name: `same sweep, ${formatNumber(first.inForce)} in force`, value: first.ms },
      goal: 'grows with the number ended, not in force (ratio < 2×)',
      met: growth < 2,
    },
    { name: `${label}: sweep cost per boost ended (${formatNumber(last.inForce)} in force)`, value: (last.ms / last.ended) * 1000, unit: 'µs' },
    // The sweep yields between subscriptions: requests and messages are served meanwhile.
    {
      name: `${label}: longest event-loop stall during that sweep`,
      value: last.longestStallMs,
      unit: 'ms',
      baseline: { name: 'the whole sweep, had it held the loop', value: last.ms },
    },
  ];
}

export const expiryBenchmark: Benchmark = {
  name: 'expiry',
  title: 'Boost expiry at scale: one sweep over 100k-1M boosts in force; one timer source vs a timer or cron job per boost',
  async run(ctx) {
    const figures: Figure[] = [];
    const notes: string[] = [];
    const sizes = ctx.quick ? [10_000, 50_000] : [100_000, 1_000_000];
    const ENDED = ctx.quick ? 1_000 : 10_000;
    const PG_SIZES = [20_000, 200_000];
    const PG_ENDED = 2_000;

    let measuredLoad: Load | null = null;
    const sqlite = await openDatabase({ dataDir: ctx.workDir });
    try {
      const { points, plans, load } = await storeSweeps(ctx, sqlite, ctx.workDir, sizes, ENDED);
      measuredLoad = load;
      figures.push(...sweepFigures('SQLite', points));
      if (load) {
        const loaded = points.at(-1)!.inForce - points.at(-1)!.ended;
        figures.push(
          { name: `SQLite: server start, ${formatNumber(loaded)} boosts into the ExpiryQueue`, value: load.ms, unit: 'ms', note: `${load.heapMb.toFixed(0)} MB of heap` },
          { name: `timers armed for ${formatNumber(load.scheduled)} boosts in force (server)`, value: load.timers, unit: 'timers', goal: '1 (one timer source)', met: load.timers <= 1 },
          { name: `node-cron jobs per boost (server)`, value: load.cronJobs / Math.max(1, load.scheduled), unit: 'jobs', goal: '0', met: load.cronJobs === 0 },
        );
        notes.push(`At start the server loads every boost in force into its ExpiryQueue (server/jobs/expiry.ts load()): with ${formatNumber(loaded)} in force that took ${formatNumber(load.ms)} ms and ${load.heapMb.toFixed(0)} MB of heap (after a full GC).`);
      }
      const scans = plans.filter((p) => p.fullScan);
      notes.push(
        `SQLite plans of the sweep's statements (${scans.length === 0 ? 'no full scans' : `FULL SCANS: ${scans.map((s) => s.query).join(', ')}`}): ${plans.map((p) => `${p.query}: ${p.plan}`).join(' | ')}.`,
      );
    } finally {
      await sqlite.close();
    }

    const pgUrl = await postgresUrl(ctx.quick);
    if (pgUrl) {
      await withPostgresSchema(pgUrl, async (url) => {
        const store = await openDatabase({ databaseUrl: url, dataDir: ctx.workDir });
        try {
          // Smaller here: each ended boost is one committed transaction (~4 ms with PostgreSQL's
          // fsync on this disk), and seeding 1,000,000 rows takes minutes; the growth is the question.
          const { points, plans } = await storeSweeps(ctx, store, ctx.workDir, PG_SIZES, PG_ENDED);
          figures.push(...sweepFigures('PostgreSQL', points));
          const scans = plans.filter((p) => p.fullScan);
          notes.push(`PostgreSQL plans (${scans.length === 0 ? 'no sequential scans' : `SEQ SCANS: ${scans.map((s) => s.query).join(', ')}`}): ${plans.map((p) => `${p.query}: ${p.plan}`).join(' | ')}.`);
        } finally {
          await store.close();
        }
      });
    } else {
      notes.push(ctx.quick ? 'PostgreSQL: full run only.' : 'PostgreSQL: none reachable, not measured.');
    }
    notes.push(
      `Store: one subscription per boost with one router and its desired state; ${formatNumber(ENDED)} boosts fall due per sweep, the rest end 30+ days later. The sweep is BoostService.endDue() as the server runs it: one write transaction per subscription (lock, end the boost, audit, recompute and bump the desired state).`,
    );

    // Timer sources, each in a fresh process.
    const counts = ctx.quick ? [5_000] : [10_000, 100_000];
    const idleMs = ctx.quick ? 1_500 : 5_000;
    let cronAtSmallest: TimerResult | undefined;
    for (const n of counts) {
      const results: Partial<Record<TimerMethod, TimerResult>> = {};
      // node-cron only at the smallest count: 100,000 jobs take minutes to schedule and fire, and
      // its cost per job is already plain at 10,000; the larger count reuses those per-job figures.
      const methods = n === counts[0] ? (['queue', 'timeout', 'cron'] as const) : (['queue', 'timeout'] as const);
      for (const method of methods) {
        results[method] = await timerRun(method, n, idleMs);
        ctx.log(`timers ${method} n=${n}: ${JSON.stringify(results[method])}`);
      }
      const { queue, timeout } = results as Record<TimerMethod, TimerResult>;
      const cron = results.cron ?? cronAtSmallest!;
      cronAtSmallest ??= results.cron;
      const cronAt = results.cron ? '' : ` (node-cron at ${formatNumber(counts[0]!)})`;
      const k = formatNumber(n);
      figures.push(
        { name: `ExpiryQueue: memory per pending expiry (${k})`, value: queue.heapBytesPerExpiry, unit: 'B', baseline: { name: 'one setTimeout each', value: timeout.heapBytesPerExpiry } },
        { name: `ExpiryQueue: memory per pending expiry (${k})`, value: queue.heapBytesPerExpiry, unit: 'B', baseline: { name: `one node-cron job each${cronAt}`, value: cron.heapBytesPerExpiry } },
        { name: `ExpiryQueue: CPU while ${k} wait`, value: queue.idleCpuPercent, unit: '% core', baseline: results.cron ? { name: 'one node-cron job each', value: cron.idleCpuPercent } : { name: 'one setTimeout each', value: timeout.idleCpuPercent } },
        { name: `ExpiryQueue: CPU to schedule one (${k})`, value: queue.scheduleCpuUsPerExpiry, unit: 'µs', baseline: results.cron ? { name: 'one node-cron job each', value: cron.scheduleCpuUsPerExpiry } : { name: 'one setTimeout each', value: timeout.scheduleCpuUsPerExpiry } },
        { name: `ExpiryQueue: CPU to fire one (${k} due within 1 s)`, value: queue.fireCpuUsPerExpiry, unit: 'µs', baseline: { name: 'one setTimeout each', value: timeout.fireCpuUsPerExpiry } },
      );
      notes.push(
        `Timers, ${k} expiries${cronAt}: heap per pending expiry ${queue.heapBytesPerExpiry.toFixed(0)} B (queue) / ${timeout.heapBytesPerExpiry.toFixed(0)} B (setTimeout) / ${cron.heapBytesPerExpiry.toFixed(0)} B (node-cron), RSS ${(queue.rssBytesPerExpiry / 1024).toFixed(2)} / ${(timeout.rssBytesPerExpiry / 1024).toFixed(2)} / ${(cron.rssBytesPerExpiry / 1024).toFixed(2)} KB; ` +
          `CPU while waiting ${queue.idleCpuPercent.toFixed(2)} / ${timeout.idleCpuPercent.toFixed(2)} / ${cron.idleCpuPercent.toFixed(2)} % of a core; ` +
          `scheduling ${queue.scheduleCpuUsPerExpiry.toFixed(1)} / ${timeout.scheduleCpuUsPerExpiry.toFixed(1)} / ${cron.scheduleCpuUsPerExpiry.toFixed(1)} µs each; ` +
          `${k} falling due within one second fired ${queue.fired} / ${timeout.fired} / ${cron.fired} (node-cron skips what it misses) at ${queue.fireCpuUsPerExpiry.toFixed(1)} / ${timeout.fireCpuUsPerExpiry.toFixed(1)} / ${cron.fireCpuUsPerExpiry.toFixed(1)} µs of CPU each.`,
      );
    }
    const sources = await timerSources();
    notes.push(
      `One timer source: ${sources.queue.join(', ')} use shared/expiry-queue.ts (a heap with one armed timer); node-cron is imported only by ${sources.cron.join(', ') || 'nothing'} (the periodic catch-up sweeps: a fixed handful of jobs, none per boost). ${measuredLoad ? `Measured at server start above: loading ${formatNumber(measuredLoad.scheduled)} boosts in force into BoostExpiry armed ${measuredLoad.timers} timer(s) and ${measuredLoad.cronJobs} node-cron job(s) (process.getActiveResourcesInfo(), cron.getTasks()).` : ''}`,
    );
    notes.push('Each timer source ran in its own process (bench/lib/timer-child.ts, --expose-gc); memory is heap (and RSS) growth after a full GC with the expiries pending, spread over the next day; every source keeps a Map from key to its handle, as a server would to cancel one.');
    return { figures, notes };
  },
};
