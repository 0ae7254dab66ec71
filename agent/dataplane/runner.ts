// Runs `ip` and `tc`: execFile (no shell), arguments checked, optionally inside a network
// namespace (`-n <ns>`, the tests' router namespace). Failures become DataPlaneErrors whose code
// says what went wrong (a missing device, a kernel without a qdisc, anything else).
import { execFile } from 'node:child_process';
import { DATAPLANE_ERROR_CODES, DataPlaneError, type DataPlaneErrorCode } from './errors.js';

export type Tool = 'ip' | 'tc';

export interface CommandRunner {
  /** Runs `tool [global flags] [-n netns] args…` and resolves with its stdout. */
  run(tool: Tool, args: readonly string[], options?: { readonly flags?: readonly string[] }): Promise<string>;
  /**
   * Runs several commands of one tool in one process (`tool [-n netns] -batch -`, a line each):
   * far quicker than a process per command. Stops at the first command that fails, unless
   * `force` (`-force`: goes on, and rejects at the end if any failed).
   */
  runBatch(tool: Tool, commands: readonly (readonly string[])[], options?: { readonly force?: boolean }): Promise<void>;
}

export interface RunnerOptions {
  readonly netns?: string | null;
  readonly timeoutMs?: number;
  /** Called with each command line before it runs (debug logging). */
  readonly onCommand?: (line: string) => void;
}

// Everything a command of ours can contain: names, numbers, addresses, tc keywords and units.
const SAFE_ARGUMENT = /^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/;
const SAFE_FLAG = /^-[a-zA-Z]+$/;

export function createCommandRunner(options: RunnerOptions = {}): CommandRunner {
  const timeout = options.timeoutMs ?? 10_000;
  const namespace = options.netns ? ['-n', options.netns] : [];
  function exec(tool: Tool, argv: readonly string[], input: string | null): Promise<string> {
    options.onCommand?.(`${tool} ${argv.join(' ')}${input === null ? '' : `\n${input}`}`);
    return new Promise((resolve, reject) => {
      const child = execFile(tool, [...argv], { timeout, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (!error) {
          resolve(String(stdout));
          return;
        }
        const text = String(stderr).trim() || error.message;
        reject(new DataPlaneError(classify(error, text), `${tool} ${argv.join(' ')}: ${text}${input === null ? '' : ` (batch: ${input.replaceAll('\n', '; ')})`}`, { cause: error }));
      });
      if (input !== null) child.stdin?.end(input);
    });
  }

  function check(args: readonly string[]): DataPlaneError | null {
    for (const arg of args) if (!SAFE_ARGUMENT.test(arg)) return badArgument(arg);
    return null;
  }

  return {
    run(tool, args, runOptions = {}) {
      const flags = runOptions.flags ?? [];
      for (const flag of flags) {
        if (!SAFE_FLAG.test(flag)) return Promise.reject(badArgument(flag));
      }
      const bad = check([...namespace.slice(1), ...args]);
      if (bad) return Promise.reject(bad);
      return exec(tool, [...flags, ...namespace, ...args], null);
    },

    async runBatch(tool, commands, batchOptions = {}) {
      if (commands.length === 0) return;
      for (const command of commands) {
        const bad = check(command);
        if (bad) throw bad;
      }
      await exec(tool, [...namespace, ...(batchOptions.force ? ['-force'] : []), '-batch', '-'], commands.map((command) => command.join(' ')).join('\n') + '\n');
    },
  };
}

function badArgument(arg: string): DataPlaneError {
  return new DataPlaneError(DATAPLANE_ERROR_CODES.BAD_INPUT, `refusing a command argument: ${JSON.stringify(arg)}`);
}

function classify(error: { code?: string | number | null; killed?: boolean }, stderr: string): DataPlaneErrorCode {
  if (error.code === 'ENOENT' || error.killed) return DATAPLANE_ERROR_CODES.TOOL_UNAVAILABLE;
  if (/Cannot find device|does not exist|No such device/i.test(stderr)) return DATAPLANE_ERROR_CODES.DEVICE_MISSING;
  if (/qdisc kind is unknown|classifier not found|Failed to load TC action|Unknown device type|not supported by the kernel|Operation not supported/i.test(stderr)) {
    return DATAPLANE_ERROR_CODES.KERNEL_UNSUPPORTED;
  }
  return DATAPLANE_ERROR_CODES.COMMAND_FAILED;
}
