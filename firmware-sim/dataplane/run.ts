// Runs iproute2 and other programs for the simulated data plane: execFile, never a shell, with a
// typed error that carries the command and what it printed. The simulator imports nothing of
// the project (not even shared/), so its data plane has its own small error type.
import { execFile } from 'node:child_process';

export const SIM_DATAPLANE_ERROR_CODES = {
  /** A command exited non-zero or could not be started. */
  COMMAND_FAILED: 'command-failed',
  /** An option given to createDataPlane is invalid. */
  BAD_OPTION: 'bad-option',
  /** The data plane was used after destroy(). */
  DESTROYED: 'destroyed',
  /** A traffic tool did not start or did not answer in time. */
  TRAFFIC_TOOL: 'traffic-tool',
} as const;

export type SimDataPlaneErrorCode = (typeof SIM_DATAPLANE_ERROR_CODES)[keyof typeof SIM_DATAPLANE_ERROR_CODES];

export class SimDataPlaneError extends Error {
  override readonly name = 'SimDataPlaneError';
  constructor(
    readonly code: SimDataPlaneErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file args…` and resolves with its output; rejects with COMMAND_FAILED when it fails. */
export function run(file: string, args: readonly string[], timeoutMs = 20_000): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const detail = String(stderr).trim() || error.message;
        reject(
          new SimDataPlaneError(SIM_DATAPLANE_ERROR_CODES.COMMAND_FAILED, `${file} ${args.join(' ')}: ${detail}`, {
            cause: error,
          }),
        );
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Like run, but resolves to null instead of rejecting (for probes and best-effort cleanup). */
export async function tryRun(file: string, args: readonly string[], timeoutMs?: number): Promise<CommandOutput | null> {
  try {
    return await run(file, args, timeoutMs);
  } catch {
    return null;
  }
}

/**
 * Runs many `ip` commands in one process (`ip [-n ns] -batch -`), one command per line; much
 * faster than a process each. Arguments must not contain spaces or quotes (ours never do).
 * `force`: go on past a failing command (`-force`; it still rejects at the end).
 */
export function runIpBatch(namespace: string | null, commands: readonly (readonly string[])[], timeoutMs = 20_000, options: { readonly force?: boolean } = {}): Promise<CommandOutput> {
  const args = [...(namespace ? ['-n', namespace] : []), ...(options.force ? ['-force'] : []), '-batch', '-'];
  for (const command of commands) {
    for (const arg of command) {
      if (!/^[A-Za-z0-9_.:/-]+$/.test(arg)) {
        return Promise.reject(new SimDataPlaneError(SIM_DATAPLANE_ERROR_CODES.BAD_OPTION, `unsafe ip batch argument ${JSON.stringify(arg)}`));
      }
    }
  }
  return new Promise((resolve, reject) => {
    const child = execFile('ip', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(
          new SimDataPlaneError(SIM_DATAPLANE_ERROR_CODES.COMMAND_FAILED, `ip ${args.join(' ')}: ${String(stderr).trim() || error.message}`, {
            cause: error,
          }),
        );
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end(commands.map((command) => command.join(' ')).join('\n') + '\n');
  });
}
