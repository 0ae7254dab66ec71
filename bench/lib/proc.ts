// Resident memory and CPU time of a process, read from /proc (Linux), for the processes the
// benchmarks start (servers, agents, brokers) and for comparison processes (`node -e`).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** Resident set size, MiB. */
  readonly rssMb: number;
  /** User + system CPU time so far, ms. */
  readonly cpuMs: number;
  /** When it was read (Date.now()). */
  readonly at: number;
}

export function sampleProcess(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return { rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / TICKS_PER_SECOND, at: Date.now() };
}

/** Share of one core used between two samples, in percent. */
export function cpuPercent(from: ProcSample, to: ProcSample): number {
  const wall = to.at - from.at;
  return wall > 0 ? ((to.cpuMs - from.cpuMs) / wall) * 100 : Number.NaN;
}

/** Samples a process every `intervalMs` until stopped; `stop()` returns the samples. */
export function sampleEvery(pid: number, intervalMs: number): { stop(): ProcSample[] } {
  const samples: ProcSample[] = [];
  const take = () => {
    try {
      samples.push(sampleProcess(pid));
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** An idle `node -e` (a timer keeps it alive), the floor any Node program starts from. */
export function startIdleNode(nodeArgs: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

/**
 * Stops a child process and waits for it: IPC `{ type: 'stop' }` first when it has a channel
 * (it then exits by itself), SIGTERM after `graceMs`, SIGKILL after twice that.
 */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) {
    child.send({ type: 'stop' });
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs))]);
    if (gone) return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Node flags for a TypeScript child process of a benchmark: tsx, plus SP_BENCH_NODE_ARGS (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile every child of a run).
 */
export function childExecArgv(extra: readonly string[] = []): string[] {
  const fromEnv = (process.env['SP_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  return [...extra, ...fromEnv, '--import', 'tsx'];
}

/**
 * Waits for a forked child's `{ type: 'ready' }` IPC message; rejects when it exits first or does
 * not answer within `timeoutMs`, and then stops it. `what` names it and `log` where its output
 * went, for the error.
 */
export async function childReady<T extends { type: string }>(child: ChildProcess, what: string, log: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms (see ${log})`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready (see ${log})`));
    });
    child.on('message', (message: T) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve(message);
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
}
