// A transition under construction: the next state and the effects gathered so far. Only the
// transition functions use it, on a copy they own, so they stay pure from the outside.
import type { Effect, Job, MachineState, Phase, TimerName } from './types.js';

export const ALL_TIMERS: readonly TimerName[] = [
  'reopen',
  'retry-sim',
  'sim-recheck',
  'poll',
  'connect-poll',
  'connect-deadline',
  'reconnect',
  'ladder',
  'settle',
];

export class Draft {
  readonly effects: Effect[] = [];

  constructor(
    public s: MachineState,
    readonly now: number,
  ) {}

  set(patch: Partial<MachineState>): void {
    this.s = { ...this.s, ...patch };
  }

  phase(phase: Phase): void {
    this.s = { ...this.s, phase };
  }

  /** Starts a job on the current port; returns its id. */
  run(what: Job): number {
    const job = this.s.nextJob;
    this.s = { ...this.s, nextJob: job + 1 };
    this.effects.push({ type: 'run', generation: this.s.generation, job, what });
    return job;
  }

  timer(name: TimerName, ms: number): void {
    this.effects.push({ type: 'set-timer', name, ms: Math.max(0, ms) });
  }

  cancel(...names: TimerName[]): void {
    for (const name of names) this.effects.push({ type: 'cancel-timer', name });
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  log(level: 'info' | 'warn', message: string, data?: Readonly<Record<string, unknown>>): void {
    this.effects.push(data ? { type: 'log', level, message, data } : { type: 'log', level, message });
  }
}
