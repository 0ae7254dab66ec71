// What a command handler is: given the parsed command and the stick, it changes state and says
// what to answer. Handlers run when the answer is due (after the command's latency), so they
// see the world as it is then.
import type { AtCommand } from '../at-parser.js';
import type { StickConfig } from '../config.js';
import type { LatencyKey } from '../latency.js';
import type { StickModel } from '../model.js';
import { ERROR, OK, type FinalResult } from '../results.js';

export interface Reply {
  readonly lines: readonly string[];
  readonly final: FinalResult;
  /** Runs after the reply is written (effects that must follow it: a reset, data mode). */
  readonly then?: () => void;
}

export interface CommandContext {
  readonly model: StickModel;
  readonly config: StickConfig;
  /** Restarts the stick (per resetMode) once the reply is out. */
  restart(): void;
  /** After CONNECT: the port carries PPP until "+++". */
  enterDataMode(): void;
  /** Whether a PPP session is up behind an escaped ("+++") port. */
  onlineCommandMode(): boolean;
}

export interface CommandSpec {
  readonly latency: LatencyKey | ((cmd: AtCommand, ctx: CommandContext) => LatencyKey);
  run(cmd: AtCommand, ctx: CommandContext): Reply;
}

export type CommandTable = Readonly<Record<string, CommandSpec>>;

export const ok = (...lines: string[]): Reply => ({ lines, final: OK });
export const fail = (final: FinalResult = ERROR): Reply => ({ lines: [], final });

/** A decimal argument in [min, max], or null. */
export function intArg(value: string | undefined, min: number, max: number): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return n >= min && n <= max ? n : null;
}
