// The stick's serial behaviour: echo, one command line at a time with its latency, replies
// framed as V.250 says, unsolicited codes wherever they fall (and where a test puts them), PPP
// data mode after CONNECT, and the line faults (hang, truncated reply, slow answers).
import type { UrcPlacement } from '../index.js';
import { LineAssembler, parseCommandLine, type AtCommand } from './at-parser.js';
import { lookupCommand } from './commands/index.js';
import type { CommandContext } from './commands/types.js';
import type { StickConfig } from './config.js';
import type { StickModel } from './model.js';
import { ERROR, frameInformation, frameResult, frameUrcs, OK, type FinalResult, type Framing } from './results.js';

interface ScriptedUrcs {
  readonly lines: readonly string[];
  readonly at: UrcPlacement;
  readonly match: string | RegExp | undefined;
}

interface Waiter {
  readonly match: string | RegExp;
  readonly resolve: (line: string) => void;
}

export type PortMode = 'command' | 'data' | 'online-command';

export interface InterpreterDeps {
  readonly model: StickModel;
  readonly config: StickConfig;
  /** Bytes to the host. */
  write(data: string | Uint8Array): void;
  /** +CFUN=1,1 once its OK is out. */
  restart(): void;
  /** Each command line received (for logs). */
  onCommand?(line: string): void;
  /** A command handler threw (a simulator bug). */
  onError?(error: unknown, command: string): void;
}

function matches(match: string | RegExp | undefined, line: string): boolean {
  if (match === undefined) return true;
  return typeof match === 'string' ? line.toUpperCase().includes(match.toUpperCase()) : match.test(line);
}

export class AtInterpreter {
  /** False while the stick boots in place: input is lost. */
  powered = true;
  hung = false;
  answerDelayMs = 0;
  private mode: PortMode = 'command';
  private readonly assembler = new LineAssembler();
  private queue: Array<{ raw: string; body: string }> = [];
  private busy = false;
  private epoch = 0;
  private escape = '';
  private held: string[] | null = null;
  private truncate: number | 'default' | null = null;
  private scripted: ScriptedUrcs[] = [];
  private readonly received: string[] = [];
  private waiters: Waiter[] = [];
  private readonly ctx: CommandContext;

  constructor(private readonly deps: InterpreterDeps) {
    this.ctx = {
      model: deps.model,
      config: deps.config,
      restart: () => deps.restart(),
      enterDataMode: () => {
        this.mode = 'data';
        this.escape = '';
      },
      onlineCommandMode: () => this.mode === 'online-command',
    };
    deps.model.onUrc((lines) => this.urc(lines));
    deps.model.onSessionEnd = (session) => {
      if (session.kind !== 'ppp' || this.mode === 'command') return;
      const wasData = this.mode === 'data';
      this.mode = 'command';
      if (wasData && !this.hung) deps.write(frameResult({ kind: 'NO CARRIER' }, this.framing()));
    };
  }

  get portMode(): PortMode {
    return this.mode;
  }

  /** Everything pending is forgotten (power cycle, unplug). */
  reset(): void {
    this.epoch += 1;
    this.queue = [];
    this.busy = false;
    this.mode = 'command';
    this.escape = '';
    this.held = null;
    this.truncate = null;
    this.assembler.reset();
  }

  commandsReceived(): readonly string[] {
    return this.received;
  }

  waitFor(match: string | RegExp, sinceIndex: number): Promise<string> | string {
    const seen = this.received.slice(sinceIndex).find((line) => matches(match, line));
    if (seen !== undefined) return seen;
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  cancelWaiter(resolve: (line: string) => void): void {
    this.waiters = this.waiters.filter((w) => w.resolve !== resolve);
  }

  inject(lines: readonly string[], at: UrcPlacement, match: string | RegExp | undefined): void {
    this.scripted.push({ lines, at, match });
  }

  truncateNext(keepBytes: number | undefined): void {
    this.truncate = keepBytes ?? 'default';
  }

  unhang(): void {
    this.hung = false;
    this.assembler.reset(); // what was typed while hung is lost
  }

  /** Unsolicited lines: now, or after the reply being composed; lost while hung or in data mode. */
  urc(lines: readonly string[]): void {
    if (this.hung || !this.powered || this.mode === 'data' || lines.length === 0) return;
    if (this.held) this.held.push(...lines);
    else this.deps.write(frameUrcs(lines));
  }

  /** Bytes received from the host, counted even when ignored. */
  hostBytes = 0;

  input(chunk: Buffer): void {
    this.hostBytes += chunk.length;
    if (this.hung || !this.powered) return;
    const text = chunk.toString('latin1');
    if (this.mode === 'data') {
      this.watchEscape(text);
      return;
    }
    if (this.deps.model.settings.echo) this.deps.write(chunk);
    for (const line of this.assembler.push(text)) {
      this.record(line.raw);
      this.queue.push(line);
    }
    this.pump();
  }

  private framing(): Framing {
    const s = this.deps.model.settings;
    return { verbose: s.verbose, cmee: s.cmee };
  }

  /** "+++" with a guard time leaves PPP data mode for online command mode (V.250 §6.3.9). */
  private watchEscape(text: string): void {
    this.escape = (this.escape + text).slice(-3);
    if (this.escape !== '+++') return;
    this.escape = '';
    const epoch = this.epoch;
    this.deps.model.after(this.deps.config.latency('escapeGuard'), () => {
      if (epoch !== this.epoch || this.mode !== 'data' || this.hung) return;
      this.mode = 'online-command';
      this.deps.write(frameResult(OK, this.framing()));
    });
  }

  private pump(): void {
    if (this.busy) return;
    const line = this.queue.shift();
    if (!line) return;
    this.busy = true;
    this.process(line);
  }

  private record(raw: string): void {
    this.received.push(raw);
    this.deps.onCommand?.(raw);
    const ready = this.waiters.filter((w) => matches(w.match, raw));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(raw);
  }

  private takeScripted(raw: string): ScriptedUrcs[] {
    const taken = this.scripted.filter((s) => matches(s.match, raw));
    this.scripted = this.scripted.filter((s) => !taken.includes(s));
    return taken;
  }

  private latencyOf(commands: readonly AtCommand[]): number {
    let worst = this.deps.config.latency('local');
    for (const cmd of commands) {
      const spec = lookupCommand(cmd.name);
      if (!spec) continue;
      const key = typeof spec.latency === 'function' ? spec.latency(cmd, this.ctx) : spec.latency;
      worst = Math.max(worst, this.deps.config.latency(key));
    }
    return worst;
  }

  private process(line: { raw: string; body: string }): void {
    const epoch = this.epoch;
    const parsed = parseCommandLine(line.body);
    const scripts = this.takeScripted(line.raw);
    const urcsAt = (at: UrcPlacement): string => frameUrcs(scripts.filter((s) => s.at === at).flatMap((s) => s.lines));
    const afterEcho = urcsAt('after-echo');
    if (afterEcho) this.deps.write(afterEcho);
    const delay = (parsed.ok ? this.latencyOf(parsed.commands) : this.deps.config.latency('local')) + this.answerDelayMs;
    this.deps.model.after(delay, () => {
      if (epoch !== this.epoch) return;
      this.busy = false;
      if (!this.hung && this.powered) this.answer(parsed.ok ? parsed.commands : null, urcsAt('before-final'), urcsAt('after-final'));
      this.pump();
    });
  }

  private answer(commands: readonly AtCommand[] | null, beforeFinal: string, afterFinal: string): void {
    const info: string[] = [];
    const thens: Array<() => void> = [];
    let final: FinalResult = commands ? OK : ERROR;
    this.held = [];
    for (const cmd of commands ?? []) {
      const spec = lookupCommand(cmd.name);
      if (!spec) {
        const unknown = this.deps.config.quirks.unknownCommand;
        final = unknown === 'ERROR' ? ERROR : { kind: 'COMMAND NOT SUPPORT' };
        break;
      }
      let reply;
      try {
        reply = spec.run(cmd, this.ctx);
      } catch (error) {
        // A bug in a handler must not take the stick down: the host sees ERROR, the log says why.
        this.deps.onError?.(error, cmd.name);
        final = ERROR;
        break;
      }
      info.push(...reply.lines);
      if (reply.then) thens.push(reply.then);
      if (reply.final.kind !== 'OK') {
        final = reply.final;
        break;
      }
    }
    const held = this.held;
    this.held = null;
    const framing = this.framing();
    const head = frameInformation(info, framing) + beforeFinal;
    const result = frameResult(final, framing);
    let out = head + result + afterFinal + frameUrcs(held);
    if (this.truncate !== null) {
      const keep = this.truncate === 'default' ? (info.length > 0 ? head.length : head.length + Math.ceil(result.length / 2)) : this.truncate;
      out = out.slice(0, keep);
      this.truncate = null;
    }
    if (out) this.deps.write(out);
    for (const then of thens) then();
  }
}
