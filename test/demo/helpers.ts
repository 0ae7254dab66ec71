// Running `serviceplus demo` as a child process, the way `npm start` does, and reading its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../../bin/serviceplus.js', import.meta.url).pathname;

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface DemoProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** Waits until stdout matches (a generous deadline: the machine is shared). */
  waitForOutput(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** A fresh temp folder for the demo's data, removed at teardown. */
export function demoDataDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-demo-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `node bin/serviceplus.js demo …` on free ports; killed at teardown if still running. */
export function startDemoProcess(t: Teardown, args: readonly string[], env: Record<string, string> = {}): DemoProcess {
  const child = spawn(process.execPath, [CLI, 'demo', '--http-port', '0', '--mqtt-port', '0', ...args], {
    env: { ...process.env, SP_HTTP_PORT: '', SP_MQTT_PORT: '', SP_DATA_DIR: '', SP_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const done = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
    if (done === 'timeout') child.kill('SIGKILL');
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForOutput(pattern, what, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = out.match(pattern);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the demo exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${out}\n${err}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
