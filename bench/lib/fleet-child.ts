// A share of the fleet benchmark's simulated routers, in a process of its own: light agents
// (bench/lib/light-agent.ts: the agent's real uplink and outbox) that connect at a given rate,
// then publish their status (retained, QoS 1) every statusIntervalMs and their usage (QoS 1,
// through the outbox) every usageIntervalMs, each at its own random phase.
//
// IPC in:  FleetStart, { type: 'count', from, until } (answered { type: 'counted', usage }: usage
//          messages made in [from, until)), { type: 'stop' }
// IPC out: { type: 'connected', agents } once all are connected; { type: 'stats', … } every second
import { mkdir } from 'node:fs/promises';
import { silentLogger } from '../../shared/log.js';
import { sampleStatus, sampleUsage } from './messages.js';
import { startLightAgent, type LightAgent } from './light-agent.js';

export interface FleetStart {
  readonly type: 'start';
  readonly url: string;
  /** Device ids `${prefix}${i}` for i in [from, to), all with `secret`. */
  readonly prefix: string;
  readonly from: number;
  readonly to: number;
  readonly secret: string;
  readonly dataDir: string;
  readonly statusIntervalMs: number;
  readonly usageIntervalMs: number;
  readonly connectPerSecond: number;
}

export interface FleetStats {
  readonly type: 'stats';
  readonly connected: number;
  readonly statusSent: number;
  readonly usageSent: number;
}

const log = silentLogger();
const agents: LightAgent[] = [];
const timers: NodeJS.Timeout[] = [];
let connected = 0;
let statusSent = 0;
let usageSent = 0;
/** When each usage message was made (its `at`), to count exactly those of a measured window. */
const usageTimes: number[] = [];

function schedule(agent: LightAgent, start: FleetStart): void {
  let seq = 0;
  const status = () => {
    agent.uplink.setStatus(sampleStatus(Date.now()));
    statusSent++;
  };
  const usage = () => {
    usageSent++;
    const at = Date.now();
    usageTimes.push(at);
    void agent.uplink.send('usage', sampleUsage(at, ++seq)).catch(() => {});
  };
  timers.push(
    setTimeout(() => {
      status();
      timers.push(setInterval(status, start.statusIntervalMs));
    }, Math.random() * start.statusIntervalMs),
    setTimeout(() => {
      usage();
      timers.push(setInterval(usage, start.usageIntervalMs));
    }, Math.random() * start.usageIntervalMs),
  );
}

async function run(start: FleetStart): Promise<void> {
  await mkdir(start.dataDir, { recursive: true });
  const total = start.to - start.from;
  const batch = Math.max(1, Math.round(start.connectPerSecond / 10));
  for (let i = start.from; i < start.to; i += batch) {
    const started = Date.now();
    const group = [];
    for (let j = i; j < Math.min(start.to, i + batch); j++) {
      group.push(
        startLightAgent({
          url: start.url,
          deviceId: `${start.prefix}${j}`,
          secret: start.secret,
          dataDir: start.dataDir,
          log,
          onConnectionChange: (up) => (connected += up ? 1 : -1),
        }),
      );
    }
    for (const agent of await Promise.all(group)) {
      agents.push(agent);
      schedule(agent, start);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started))));
  }
  const deadline = Date.now() + 120_000;
  while (connected < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  process.send?.({ type: 'connected', agents: connected });
}

async function stop(): Promise<void> {
  for (const timer of timers.splice(0)) clearTimeout(timer);
  const all = agents.splice(0);
  for (let i = 0; i < all.length; i += 500) await Promise.all(all.slice(i, i + 500).map((a) => a.stop().catch(() => {})));
}

const report = setInterval(() => {
  const stats: FleetStats = { type: 'stats', connected, statusSent, usageSent };
  process.send?.(stats);
}, 1_000);

process.on('message', (message: FleetStart | { type: 'stop' } | { type: 'count'; from: number; until: number }) => {
  if (message.type === 'count') {
    const usage = usageTimes.filter((at) => at >= message.from && at < message.until).length;
    process.send?.({ type: 'counted', usage });
    const firstKept = usageTimes.findIndex((at) => at >= message.from);
    usageTimes.splice(0, firstKept === -1 ? usageTimes.length : firstKept);
  } else if (message.type === 'start') void run(message).catch((error: unknown) => process.send?.({ type: 'error', message: (error as Error).message }));
  else if (message.type === 'stop') {
    clearInterval(report);
    void stop().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => void stop().finally(() => process.exit(0)));
