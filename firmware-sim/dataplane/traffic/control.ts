// Starts tool.mjs inside a namespace of a data plane and talks to it: waits until it is ready,
// asks for reports, stops it. The figures (gaps, percentiles, rates) are computed by the pure
// functions in stats.ts from what the tools report.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import type { Role } from '../names.js';
import { SIM_DATAPLANE_ERROR_CODES, SimDataPlaneError } from '../run.js';
import { stopChild } from '../topology.js';

export const TOOL_PATH = fileURLToPath(new URL('./tool.mjs', import.meta.url));

export type ToolSpec =
  | { readonly kind: 'udp-echo'; readonly port?: number }
  | { readonly kind: 'udp-probe'; readonly host: string; readonly port: number; readonly intervalMs: number; readonly size: number }
  | {
      readonly kind: 'tcp-bulk';
      readonly direction: 'send' | 'receive';
      readonly listen?: { readonly host?: string; readonly port?: number };
      readonly connect?: { readonly host: string; readonly port: number };
    }
  | { readonly kind: 'tcp-connect'; readonly host: string; readonly port: number; readonly timeoutMs?: number; readonly localAddress?: string }
  | { readonly kind: 'tcp-relay'; readonly listen?: { readonly host?: string; readonly port?: number }; readonly path: string };

/** [sequence number, arrival time in ms since the epoch] */
export type Arrival = readonly [number, number];
/** [sequence number, sent at, echo received at], ms since the epoch */
export type EchoSample = readonly [number, number, number];

export interface EchoReport {
  readonly at: number;
  readonly arrivals: readonly Arrival[];
}
export interface ProbeReport {
  readonly at: number;
  readonly sent: number;
  readonly sendErrors: number;
  readonly firstSentAt: number | null;
  readonly samples: readonly EchoSample[];
}
export interface BulkReport {
  readonly at: number;
  readonly bytes: number;
  readonly connections: number;
}
export interface RelayReport {
  readonly at: number;
  readonly connections: number;
}
export interface ConnectResult {
  readonly outcome: 'connected' | 'error' | 'timeout';
  readonly code: string | null;
  readonly ms: number;
}

type ReportOf<S extends ToolSpec> = S['kind'] extends 'udp-echo'
  ? EchoReport
  : S['kind'] extends 'udp-probe'
    ? ProbeReport
    : S['kind'] extends 'tcp-bulk'
      ? BulkReport
      : S['kind'] extends 'tcp-relay'
        ? RelayReport
        : never;

export interface ToolHost {
  spawn(role: Role, file: string, args: readonly string[]): ChildProcess;
}

export interface RunningTool<S extends ToolSpec> {
  /** The port it listens on or sends from, when it has one. */
  readonly port: number | null;
  report(): Promise<ReportOf<S>>;
  /** Forgets what was recorded so far (counters, samples). */
  reset(): void;
  /** For tcp-connect: how the attempt ended. */
  result(): Promise<ConnectResult>;
  stop(): Promise<void>;
}

type Message = { readonly type: string; readonly id?: number; readonly [key: string]: unknown };

/** Starts a tool in `role`'s namespace and resolves once it is ready. */
export async function startTool<S extends ToolSpec>(host: ToolHost, role: Role, spec: S, timeoutMs = 15_000): Promise<RunningTool<S>> {
  const child = host.spawn(role, process.execPath, [TOOL_PATH, JSON.stringify(spec)]);
  const waiting = new Map<number, (message: Message) => void>();
  let onResult: ((message: Message) => void) | null = null;
  let resultMessage: Message | null = null;
  let nextId = 1;
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-2000);
  });

  const ready = new Promise<Message>((resolve, reject) => {
    const timer = setTimeout(() => reject(toolError(`${spec.kind} did not start within ${timeoutMs} ms`, stderr)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(toolError(`${spec.kind} exited (${String(code)}) before it was ready`, stderr));
    });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch {
        return;
      }
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'report' && typeof message.id === 'number') {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      } else if (message.type === 'result') {
        resultMessage = message;
        onResult?.(message);
      } else if (message.type === 'error') {
        clearTimeout(timer);
        reject(toolError(String(message['message']), stderr));
      }
    });
  });
  const readyMessage = await ready;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', () => reject(toolError(`${spec.kind} exited`, stderr))),
  );
  exited.catch(() => {});

  return {
    port: typeof readyMessage['port'] === 'number' ? readyMessage['port'] : null,
    report() {
      const id = nextId++;
      const answer = new Promise<Message>((resolve) => waiting.set(id, resolve));
      child.stdin!.write(`report ${id}\n`);
      return Promise.race([answer, exited, deadline(timeoutMs, `${spec.kind} did not report`)]) as unknown as Promise<ReportOf<S>>;
    },
    reset() {
      child.stdin!.write('reset\n');
    },
    result() {
      if (resultMessage) return Promise.resolve(resultMessage as unknown as ConnectResult);
      const answer = new Promise<Message>((resolve) => (onResult = resolve));
      return Promise.race([answer, deadline(timeoutMs, `${spec.kind} gave no result`)]) as unknown as Promise<ConnectResult>;
    },
    async stop() {
      child.stdin!.end();
      await stopChild(child);
    },
  };
}

function deadline(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(toolError(`${what} within ${ms} ms`, '')), ms).unref());
}

function toolError(message: string, stderr: string): SimDataPlaneError {
  return new SimDataPlaneError(SIM_DATAPLANE_ERROR_CODES.TRAFFIC_TOOL, stderr ? `${message}: ${stderr.trim()}` : message);
}
