// One real agent as a child process, the way it runs beside a router: `serviceplus agent` from
// the sources through tsx (as shipped), or from an esbuild bundle with plain node, with V8 flags.
import { spawn, type ChildProcess } from 'node:child_process';
import { envName } from '../../shared/config.js';

export interface AgentRecipe {
  /** Short name for tables. */
  readonly name: string;
  /** The bundle to run (bench/agent-bundle.ts); null runs bin/serviceplus.js through tsx. */
  readonly bundle: string | null;
  readonly nodeArgs: readonly string[];
  /** Process environment on top of the settings (e.g. MALLOC_ARENA_MAX). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

const root = new URL('../..', import.meta.url).pathname;

/** Starts `serviceplus agent` with these settings (as SP_* variables). */
export function startAgentProcess(settings: Readonly<Record<string, unknown>>, recipe: AgentRecipe): AgentProcess {
  const env = Object.fromEntries(Object.entries(settings).map(([k, v]) => [envName(k), typeof v === 'string' ? v : JSON.stringify(v)]));
  const argv = [...recipe.nodeArgs, ...(recipe.bundle ? [recipe.bundle, 'agent'] : [`${root}bin/serviceplus.js`, 'agent'])];
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...recipe.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
