// Fleet: how many routers one server process holds on this machine. Light simulated agents (the
// agent's real uplink and outbox, bench/lib/light-agent.ts) in child processes of up to 5,000
// each, every one connected, publishing its status every 60 s and its usage every 10 s; the real
// server in its own process (SQLite), on its embedded Aedes and on Mosquitto (a private instance,
// the server in external-broker mode). Ingest lag = the usage message's `at` (set by the agent
// before its outbox write) to the row's `received_at` (set by the server as it stores it), every
// write logged by a trigger in the benchmark's own SQLite file. Beside it: the same messages' delivery lag to a bare subscriber
// on the same broker. Quick mode: 200 routers on a schedule 10× compressed (status every 6 s,
// usage every 1 s: the message rate of 2,000 at the real intervals).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { UsageSchema } from '../shared/contract/index.js';
import { hashDeviceSecret } from '../server/auth/secrets.js';
import { sql } from 'kysely';
import { openDatabase, SQLITE_FILE_NAME, type DatabaseHandle } from '../server/db/database.js';
import { connectNoDelay } from '../server/mqtt/tcp-client.js';
import { seedRouters } from './lib/expiry-store.js';
import type { FleetStart, FleetStats } from './lib/fleet-child.js';
import { mosquittoBinary, startMosquitto, type Mosquitto } from './lib/mosquitto.js';
import { childExecArgv, cpuPercent, sampleProcess, stopChild, type ProcSample } from './lib/proc.js';
import { startServerProcess, type ServerProcess } from './lib/server-process.js';
import { nowMs, sleep, summarize, type Summary } from './lib/stats.js';
import { formatNumber } from './lib/table.js';
import type { BenchContext, Benchmark, Figure } from './lib/types.js';

const PER_PROCESS = 5_000;
const SECRET = 'bench-fleet-device-secret';
const SALT = 'bench-fleet-salt';
const SERVER_PASSWORD = 'bench-fleet-server-password';
const PREFIX = 'fleet-';

type BrokerKind = 'aedes' | 'mosquitto';

interface Schedule {
  readonly statusIntervalMs: number;
  readonly usageIntervalMs: number;
  readonly warmUpMs: number;
  readonly windowMs: number;
  readonly compression: number;
}

interface FleetRun {
  readonly broker: BrokerKind;
  readonly agents: number;
  readonly connected: number;
  /** Seconds from the first connect to all connected (or the 120 s limit of the ramp). */
  readonly connectS: number;
  readonly lag: Summary;
  readonly bare: Summary;
  readonly sent: number;
  readonly stored: number;
  readonly server: { readonly cpuPercent: number; readonly rssMb: number };
  readonly mosquitto: { readonly cpuPercent: number; readonly rssMb: number } | null;
  readonly agentCpuPercent: number;
  readonly msgPerS: number;
}

interface AgentProcess {
  readonly child: ChildProcess;
  stats: FleetStats;
  readonly connected: Promise<number>;
}

/** Usage messages the routers made with `at` in [from, until). */
async function usageMade(processes: readonly AgentProcess[], from: number, until: number): Promise<number> {
  const counts = await Promise.all(
    processes.map(
      (p) =>
        new Promise<number>((resolve) => {
          const onMessage = (m: { type: string; usage?: number }) => {
            if (m.type !== 'counted') return;
            p.child.off('message', onMessage);
            resolve(m.usage ?? 0);
          };
          p.child.on('message', onMessage);
          p.child.send({ type: 'count', from, until });
        }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

function startAgents(start: Omit<FleetStart, 'type' | 'from' | 'to'>, agents: number): AgentProcess[] {
  const processes: AgentProcess[] = [];
  for (let from = 0; from < agents; from += PER_PROCESS) {
    const child = fork(new URL('./lib/fleet-child.ts', import.meta.url).pathname, [], { execArgv: childExecArgv(), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const entry: AgentProcess = {
      child,
      stats: { type: 'stats', connected: 0, statusSent: 0, usageSent: 0 },
      connected: new Promise<number>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`fleet agents exited with ${code}`)));
        child.on('message', (m: FleetStats | { type: 'connected'; agents: number } | { type: 'error'; message: string }) => {
          if (m.type === 'stats') entry.stats = m;
          else if (m.type === 'connected') resolve(m.agents);
          else if (m.type === 'error') reject(new Error(m.message));
        });
      }),
    };
    const message: FleetStart = { type: 'start', ...start, from, to: Math.min(agents, from + PER_PROCESS) };
    child.send(message);
    processes.push(entry);
  }
  return processes;
}

/**
 * Records every usage row the server writes, in the same transaction (a trigger in the
 * benchmark's own database file; it costs the server one more insert per usage message).
 */
async function logUsageWrites(store: DatabaseHandle): Promise<void> {
  await sql`create table bench_usage_log (device_id text not null, seq integer not null, at bigint not null, received_at bigint not null)`.execute(store.db);
  for (const event of ['insert', 'update']) {
    await sql`create trigger ${sql.raw(`bench_usage_log_${event}`)} after ${sql.raw(event)} on usage begin
      insert into bench_usage_log values (new.device_id, new.seq, new.at, new.received_at); end`.execute(store.db);
  }
}

/** Reads the usage rows the server stored, as they arrive: (received_at − at) per message. */
function watchUsage(file: string, from: number): { poll(): void; lags(until: number): number[]; stored(until: number): number } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  const query = db.prepare<[number], { rowid: number; device_id: string; seq: number; at: number; received_at: number }>('select rowid, device_id, seq, at, received_at from bench_usage_log where rowid > ?');
  const seen = new Map<string, { at: number; lag: number }>();
  let last = 0;
  return {
    poll() {
      for (const row of query.all(last)) {
        last = Math.max(last, row.rowid);
        if (row.at >= from) seen.set(`${row.device_id}/${row.seq}`, { at: row.at, lag: row.received_at - row.at });
      }
    },
    lags: (until) => [...seen.values()].filter((r) => r.at < until).map((r) => r.lag),
    stored: (until) => [...seen.values()].filter((r) => r.at < until).length,
  };
}

async function fleetRun(ctx: BenchContext, broker: BrokerKind, agents: number, schedule: Schedule): Promise<FleetRun> {
  const dataDir = join(ctx.workDir, `${broker}-${agents}`);
  const store = await openDatabase({ dataDir });
  try {
    await seedRouters(store, agents, PREFIX, { hash: hashDeviceSecret(SECRET, SALT), salt: SALT });
    await logUsageWrites(store);
  } finally {
    await store.close();
  }
  const outboxDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : ctx.workDir, 'sp-fleet-'));
  let mosquitto: Mosquitto | null = null;
  let server: ServerProcess | null = null;
  let observer: MqttClient | null = null;
  let processes: AgentProcess[] = [];
  try {
    if (broker === 'mosquitto') mosquitto = await startMosquitto(dataDir);
    server = await startServerProcess({
      dataDir,
      env: {
        SP_MQTT_PASSWORD: SERVER_PASSWORD,
        ...(mosquitto ? { SP_MQTT_URL: mosquitto.url, SP_MQTT_CLIENT_ID: `bench-fleet-server-${process.pid}` } : {}),
      },
    });
    const mqttUrl = mosquitto?.url ?? server.mqttUrl;

    // The bare figure: the same usage messages delivered to a subscriber that only reads them.
    let bareLags: number[] = [];
    let windowFrom = Infinity;
    observer = connectNoDelay(mqttUrl, { clientId: `bench-observer-${process.pid}`, username: 'serviceplus.server', password: SERVER_PASSWORD, reconnectPeriod: 1_000 });
    await new Promise<void>((resolve, reject) => (observer!.once('connect', () => resolve()), observer!.once('error', reject)));
    observer.on('message', (_topic, payload) => {
      const arrived = nowMs();
      const usage = UsageSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (usage.success && Date.parse(usage.data.at) >= windowFrom) bareLags.push(arrived - Date.parse(usage.data.at));
    });
    await observer.subscribeAsync('sp/v1/devices/+/usage', { qos: 1 });

    const ramp = Date.now();
    processes = startAgents(
      { url: mqttUrl, prefix: PREFIX, secret: SECRET, dataDir: outboxDir, statusIntervalMs: schedule.statusIntervalMs, usageIntervalMs: schedule.usageIntervalMs, connectPerSecond: 1_000 },
      agents,
    );
    const connected = (await Promise.all(processes.map((p) => p.connected))).reduce((a, b) => a + b, 0);
    const connectS = (Date.now() - ramp) / 1000;
    ctx.log(`${broker}: ${connected}/${agents} routers connected in ${connectS.toFixed(1)} s; warming up`);
    await sleep(schedule.warmUpMs);

    const from = Date.now();
    windowFrom = from;
    bareLags = [];
    const watcher = watchUsage(join(dataDir, SQLITE_FILE_NAME), from);
    const sentBefore = processes.reduce((a, p) => a + p.stats.usageSent + p.stats.statusSent, 0);
    const s0: { server: ProcSample; mosquitto: ProcSample | null; agents: ProcSample[] } = {
      server: sampleProcess(server.pid),
      mosquitto: mosquitto ? sampleProcess(mosquitto.pid) : null,
      agents: processes.map((p) => sampleProcess(p.child.pid!)),
    };
    const poller = setInterval(() => watcher.poll(), 250);
    await sleep(schedule.windowMs);
    const until = Date.now();
    const s1 = {
      server: sampleProcess(server.pid),
      mosquitto: mosquitto ? sampleProcess(mosquitto.pid) : null,
      agents: processes.map((p) => sampleProcess(p.child.pid!)),
    };
    const sent = processes.reduce((a, p) => a + p.stats.usageSent + p.stats.statusSent, 0) - sentBefore;
    const usageSent = await usageMade(processes, from, until);
    // Let what was sent in the window arrive (up to 30 s: a lag beyond that is a miss anyway).
    for (let i = 0; i < 120 && watcher.stored(until) < usageSent; i++) await sleep(250);
    clearInterval(poller);
    watcher.poll();
    const lag = summarize(watcher.lags(until));
    const bare = summarize(bareLags.filter((l) => Number.isFinite(l)));
    const cpuSum = s1.agents.reduce((a, s, i) => a + cpuPercent(s0.agents[i]!, s), 0);
    const run: FleetRun = {
      broker,
      agents,
      connected,
      connectS,
      lag,
      bare,
      sent: usageSent,
      stored: watcher.stored(until),
      server: { cpuPercent: cpuPercent(s0.server, s1.server), rssMb: s1.server.rssMb },
      mosquitto: s0.mosquitto && s1.mosquitto ? { cpuPercent: cpuPercent(s0.mosquitto, s1.mosquitto), rssMb: s1.mosquitto.rssMb } : null,
      agentCpuPercent: cpuSum,
      msgPerS: (sent / (until - from)) * 1000,
    };
    ctx.log(
      `${broker} ${agents}: ingest lag p50 ${formatNumber(lag.p50)} p99 ${formatNumber(lag.p99)} max ${formatNumber(lag.max)} ms (bare p99 ${formatNumber(bare.p99)}), stored ${run.stored}/${usageSent} usage, ` +
        `${formatNumber(run.msgPerS)} msg/s, server ${run.server.cpuPercent.toFixed(0)} % CPU ${run.server.rssMb.toFixed(0)} MB${run.mosquitto ? `, mosquitto ${run.mosquitto.cpuPercent.toFixed(0)} % ${run.mosquitto.rssMb.toFixed(0)} MB` : ''}, agents ${cpuSum.toFixed(0)} % CPU`,
    );
    return run;
  } finally {
    await Promise.all(processes.map((p) => stopChild(p.child, 30_000)));
    await observer?.endAsync(true).catch(() => {});
    await server?.stop();
    await mosquitto?.stop();
    await rm(outboxDir, { recursive: true, force: true });
  }
}

export const fleetBenchmark: Benchmark = {
  name: 'fleet',
  title: 'Fleet: routers one server process holds (status every 60 s, usage every 10 s), ingest lag p99 < 1 s',
  async run(ctx) {
    const schedule: Schedule = ctx.quick
      ? { statusIntervalMs: 6_000, usageIntervalMs: 1_000, warmUpMs: 2_000, windowMs: 5_000, compression: 10 }
      : { statusIntervalMs: 60_000, usageIntervalMs: 10_000, warmUpMs: 10_000, windowMs: 30_000, compression: 1 };
    // SP_BENCH_FLEET_SIZES=20000 (and SP_BENCH_FLEET_BROKERS=mosquitto) to probe other sizes.
    const sizes = process.env['SP_BENCH_FLEET_SIZES']?.split(',').map(Number) ?? (ctx.quick ? [200] : [1_000, 5_000, 10_000]);
    const brokers = (mosquittoBinary() ? ['aedes', 'mosquitto'] : ['aedes']).filter((b) => !process.env['SP_BENCH_FLEET_BROKERS'] || process.env['SP_BENCH_FLEET_BROKERS'].split(',').includes(b)) as BrokerKind[];
    const runs: FleetRun[] = [];
    const figures: Figure[] = [];
    const notes: string[] = [];
    for (const broker of brokers) {
      for (const agents of sizes) {
        const run = await fleetRun(ctx, broker, agents, schedule);
        runs.push(run);
        const equivalent = agents * schedule.compression;
        figures.push({
          name: `ingest lag p99, ${formatNumber(agents)} routers${schedule.compression > 1 ? ` (rate of ${formatNumber(equivalent)})` : ''}, ${broker === 'aedes' ? 'embedded Aedes' : 'Mosquitto'}`,
          value: run.lag.p99,
          unit: 'ms',
          baseline: { name: 'bare subscriber, same messages', value: run.bare.p99 },
          goal: '< 1000 ms',
          met: run.lag.p99 < 1_000 && run.stored >= run.sent,
        });
      }
      const largest = runs.filter((r) => r.broker === broker).at(-1)!;
      const per = largest.agents * schedule.compression / 1_000;
      figures.push(
        { name: `server CPU per 1,000 routers (${broker}, at ${formatNumber(largest.agents * schedule.compression)})`, value: largest.server.cpuPercent / per, unit: '% core' },
        { name: `server RSS per 1,000 routers (${broker}, at ${formatNumber(largest.agents * schedule.compression)})`, value: largest.server.rssMb / per, unit: 'MB' },
      );
      const held = runs.filter((r) => r.broker === broker && r.lag.p99 < 1_000 && r.stored >= r.sent && r.connected === r.agents).map((r) => r.agents * schedule.compression);
      figures.push({
        name: `routers held with ingest p99 < 1 s (${broker === 'aedes' ? 'embedded Aedes' : 'Mosquitto'}${schedule.compression > 1 ? ', by message rate' : ''})`,
        value: held.length > 0 ? Math.max(...held) : 0,
        unit: 'routers',
        ...(broker === 'mosquitto' ? { goal: '≥ 10,000', met: Math.max(0, ...held) >= 10_000 } : {}),
      });
    }
    for (const run of runs) {
      notes.push(
        `${run.broker}, ${formatNumber(run.agents)} routers (${run.connected} connected, in ${formatNumber(run.connectS)} s): ${formatNumber(run.msgPerS)} messages/s; ingest lag p50/p99/max ${formatNumber(run.lag.p50)}/${formatNumber(run.lag.p99)}/${formatNumber(run.lag.max)} ms over ${run.lag.n} usage messages (stored ${run.stored} of ${run.sent} sent in the window); ` +
          `bare delivery p50/p99 ${formatNumber(run.bare.p50)}/${formatNumber(run.bare.p99)} ms; server ${run.server.cpuPercent.toFixed(0)} % of a core, ${run.server.rssMb.toFixed(0)} MB RSS` +
          `${run.mosquitto ? `; Mosquitto ${run.mosquitto.cpuPercent.toFixed(0)} %, ${run.mosquitto.rssMb.toFixed(0)} MB` : ''}; the simulated routers ${run.agentCpuPercent.toFixed(0)} % (same 2 cores).`,
      );
    }
    notes.push(
      `Schedule: ${schedule.compression > 1 ? `compressed ${schedule.compression}× (status every ${schedule.statusIntervalMs / 1000} s, usage every ${schedule.usageIntervalMs / 1000} s)` : 'real intervals (status every 60 s, usage every 10 s)'}, random phase per router, connects at 1,000/s, ${schedule.warmUpMs / 1000} s warm-up, ${schedule.windowMs / 1000} s measured.`,
      'What runs: the server as startServer in its own process (SQLite, log level info); light agents = the agent\'s real Uplink and Outbox (outbox files on tmpfs: 10,000 routers\' fdatasyncs on one disk is not what the server sees), up to 5,000 per process; all on the same 2 cores. Mosquitto: a private instance (set_tcp_nodelay true, max_queued_messages 100000, max_inflight_messages 100, no persistence), not the machine\'s shared one.',
    );
    notes.push(
      "Connecting is where embedded Aedes falls behind Mosquitto: stock aedes-persistence's in-memory store tests every retained message against each new subscription (retainedMessagesByPattern, qlobber), and every router keeps a retained status, so a ramp of N routers cost O(N²) (a third of the server's CPU during a ramp of 1,500, in a CPU profile). The server's embedded broker looks a router's exact filters up by topic instead (server/mqtt/retained-index.ts); what remains is Aedes's own per-connection cost. A router not connected within 120 s counts as not held.",
    );
    if (!brokers.includes('mosquitto')) notes.push('Mosquitto: no binary on this machine, not measured.');
    return { figures, notes };
  },
};
