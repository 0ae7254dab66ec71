// One timer source under load, in a process of its own (run with --expose-gc): N expiries
// scheduled through (a) shared/expiry-queue.ts, (b) one setTimeout each, or (c) one node-cron
// job each; prints one JSON line: memory held per pending expiry, CPU to schedule, CPU while
// they wait (idle), and CPU to fire N that fall due together.
//
//   node --expose-gc --import tsx bench/lib/timer-child.ts <queue|timeout|cron> <n> <idleMs>
import cron from 'node-cron';
import { systemClock } from '../../shared/clock.js';
import { ExpiryQueue } from '../../shared/expiry-queue.js';

export type TimerMethod = 'queue' | 'timeout' | 'cron';

export interface TimerResult {
  readonly method: TimerMethod;
  readonly n: number;
  readonly heapBytesPerExpiry: number;
  readonly rssBytesPerExpiry: number;
  readonly scheduleCpuUsPerExpiry: number;
  /** Share of a core used while the N expiries wait (none due), percent. */
  readonly idleCpuPercent: number;
  /** CPU from scheduling N due within the next ~2 s to the last one fired, per expiry. */
  readonly fireCpuUsPerExpiry: number;
  readonly fired: number;
}

const quietCron = { info() {}, warn() {}, error() {}, debug() {} };

interface Source {
  schedule(key: number, at: number, fn: () => void): void;
  clear(): void;
}

function source(method: TimerMethod): Source {
  switch (method) {
    case 'queue': {
      const callbacks = new Map<number, () => void>();
      const queue = new ExpiryQueue<number>(systemClock, (key) => {
        const fn = callbacks.get(key);
        callbacks.delete(key);
        fn?.();
      });
      return {
        schedule: (key, at, fn) => {
          callbacks.set(key, fn);
          queue.schedule(key, at);
        },
        clear: () => {
          for (const key of callbacks.keys()) queue.cancel(key);
          callbacks.clear();
          queue.stop();
        },
      };
    }
    case 'timeout': {
      const handles = new Map<number, NodeJS.Timeout>();
      return {
        schedule: (key, at, fn) => {
          handles.set(
            key,
            setTimeout(() => {
              handles.delete(key);
              fn();
            }, at - Date.now()),
          );
        },
        clear: () => {
          for (const handle of handles.values()) clearTimeout(handle);
          handles.clear();
        },
      };
    }
    case 'cron': {
      const tasks = new Map<number, ReturnType<typeof cron.schedule>>();
      return {
        schedule: (key, at, fn) => {
          const d = new Date(at);
          // One job per expiry, firing once at its second (node-cron has second resolution).
          const expression = `${d.getSeconds()} ${d.getMinutes()} ${d.getHours()} ${d.getDate()} ${d.getMonth() + 1} *`;
          const task = cron.schedule(
            expression,
            () => {
              void tasks.get(key)?.destroy();
              tasks.delete(key);
              fn();
            },
            { maxExecutions: 1, logger: quietCron },
          );
          tasks.set(key, task);
        },
        clear: () => {
          for (const task of tasks.values()) void task.destroy();
          tasks.clear();
        },
      };
    }
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
function settle(): void {
  gc?.();
  gc?.();
}
const cpuUs = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measure(method: TimerMethod, n: number, idleMs: number): Promise<TimerResult> {
  const timers = source(method);
  settle();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const cpu0 = cpuUs();
  const now = Date.now();
  // Pending: spread over the next day (hour 1 to 25), as boosts in force are.
  for (let i = 0; i < n; i++) timers.schedule(i, now + 3_600_000 + Math.floor((i / n) * 86_400_000), () => {});
  const scheduleCpu = cpuUs() - cpu0;
  await sleep(200);
  settle();
  const heap1 = process.memoryUsage().heapUsed;
  const rss1 = process.memoryUsage().rss;
  const idle0 = cpuUs();
  const idleStart = performance.now();
  await sleep(idleMs);
  const idleCpuPercent = ((cpuUs() - idle0) / 1000 / (performance.now() - idleStart)) * 100;
  timers.clear();
  await sleep(100);
  settle();

  // Firing: N expiries due within one second, starting once all are scheduled (node-cron needs
  // long to schedule); the CPU counted is from the last one scheduled to the last one fired.
  const burst = source(method);
  let fired = 0;
  let done!: () => void;
  const allFired = new Promise<void>((resolve) => (done = resolve));
  const start = Date.now() + 1_000 + Math.ceil((scheduleCpu / 1000) * 3); // room for a loaded machine
  const firstSecond = Math.ceil(start / 1000) * 1000;
  for (let i = 0; i < n; i++) {
    burst.schedule(i, firstSecond + Math.floor((i / n) * 1_000), () => {
      if (++fired === n) done();
    });
  }
  const fire0 = cpuUs();
  // What has not fired 2 s after the last one was due never will (node-cron skips what it misses).
  await Promise.race([allFired, sleep(firstSecond - Date.now() + 3_000)]);
  const fireCpu = cpuUs() - fire0;
  burst.clear();
  return {
    method,
    n,
    heapBytesPerExpiry: (heap1 - heap0) / n,
    rssBytesPerExpiry: (rss1 - rss0) / n,
    scheduleCpuUsPerExpiry: scheduleCpu / n,
    idleCpuPercent,
    fireCpuUsPerExpiry: fireCpu / n,
    fired,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [method, n, idleMs] = process.argv.slice(2);
  const result = await measure(method as TimerMethod, Number(n), Number(idleMs ?? 5_000));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
