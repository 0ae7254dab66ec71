// Drives the pure modem machine: feeds inputs, keeps the effects, answers jobs and fires
// timers by name, so a test reads like the story it checks.
import { publicState } from '../../../../agent/modem/machine/public-state.js';
import { initialState, transition } from '../../../../agent/modem/machine/transition.js';
import type {
  Effect,
  Input,
  JobError,
  JobKind,
  JobResult,
  MachineConfig,
  MachineState,
  RadioReport,
  TimerName,
} from '../../../../agent/modem/machine/types.js';
import type { ModemState } from '../../../../shared/contract/messages.js';

export const CONFIG: MachineConfig = {
  hasPin: false,
  timing: {
    devicePollMs: 500,
    standbyPollMs: 15_000,
    searchPollMs: 2000,
    connectPollMs: 1000,
    connectTimeoutMs: 60_000,
    registerTimeoutMs: 90_000,
    settleMs: 3000,
    simRetryMs: 1000,
    simRecheckMs: 60_000,
  },
  recovery: {
    backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 },
    attempts: { reQuery: 2, reRegister: 1, cfunReset: 2 },
    maxTimeoutsInARow: 10,
    connectFailuresBeforeLadder: 3,
  },
};

export const REGISTERED: RadioReport = { cs: 'home', ps: 'home', operator: 'KPN NL', technology: 'hspa', signalDbm: -73, session: false };
export const SEARCHING: RadioReport = { cs: 'searching', ps: 'searching', operator: null, technology: null, signalDbm: null, session: false };
export const IDENTITY = { manufacturer: 'huawei', model: 'E173', imei: '353142040000003' };

export function timeout(message = 'no answer'): JobError {
  return { code: 'timeout', cme: null, message };
}

export class Harness {
  state: MachineState = initialState();
  now = 1_000_000;
  /** Every effect so far, oldest first. */
  readonly effects: Effect[] = [];
  /** Timers set and not cancelled or fired: name → due time. */
  readonly timers = new Map<TimerName, number>();
  /** Public states seen, without repeats. */
  readonly states: ModemState[] = [];

  constructor(readonly config: MachineConfig = CONFIG) {
    this.states.push(publicState(this.state));
  }

  get phase() {
    return this.state.phase;
  }

  get public(): ModemState {
    return publicState(this.state);
  }

  send(input: Input): Effect[] {
    const { state, effects } = transition(this.state, input, this.config, this.now);
    this.state = state;
    this.effects.push(...effects);
    for (const effect of effects) {
      if (effect.type === 'set-timer') this.timers.set(effect.name, this.now + effect.ms);
      if (effect.type === 'cancel-timer') this.timers.delete(effect.name);
    }
    const shown = publicState(state);
    if (this.states.at(-1) !== shown) this.states.push(shown);
    return [...effects];
  }

  /** The newest `run` effect of this job kind that has not been answered. */
  pending(kind: JobKind): { job: number; generation: number } | null {
    for (let i = this.effects.length - 1; i >= 0; i--) {
      const effect = this.effects[i]!;
      if (effect.type === 'run' && effect.what.kind === kind && !this.answered.has(effect.job)) return { job: effect.job, generation: effect.generation };
    }
    return null;
  }

  private readonly answered = new Set<number>();

  done(result: JobResult): Effect[] {
    const run = this.pending(result.kind);
    if (!run) throw new Error(`no ${result.kind} job is running (phase ${this.phase.name})`);
    this.answered.add(run.job);
    return this.send({ type: 'job-done', generation: run.generation, job: run.job, result });
  }

  failed(kind: JobKind, error: JobError): Effect[] {
    const run = this.pending(kind);
    if (!run) throw new Error(`no ${kind} job is running (phase ${this.phase.name})`);
    this.answered.add(run.job);
    return this.send({ type: 'job-failed', generation: run.generation, job: run.job, kind, error });
  }

  /** Lets time pass to the timer's due time and fires it. */
  fire(name: TimerName): Effect[] {
    const due = this.timers.get(name);
    if (due === undefined) throw new Error(`timer ${name} is not set (phase ${this.phase.name})`);
    this.now = Math.max(this.now, due);
    this.timers.delete(name);
    return this.send({ type: 'timer', name });
  }

  /** The delay the timer was set with, from now. */
  delay(name: TimerName): number | undefined {
    const due = this.timers.get(name);
    return due === undefined ? undefined : due - this.now;
  }

  /** Start → open → init answered; returns the effects of the init's answer. */
  openAndInit(): Effect[] {
    if (this.phase.name === 'stopped') this.send({ type: 'start' });
    this.send({ type: 'opened', generation: this.state.generation });
    return this.done({ kind: 'init', identity: IDENTITY });
  }

  /** From a running init: init → SIM ready → setup with this report; returns the setup's effects. */
  initialise(report: RadioReport = REGISTERED): Effect[] {
    this.done({ kind: 'init', identity: IDENTITY });
    this.done({ kind: 'sim', sim: 'ready' });
    return this.done({ kind: 'setup', report });
  }

  /** Start → open → init → SIM ready → setup with this report. */
  powerUp(report: RadioReport = REGISTERED): void {
    this.send({ type: 'start' });
    this.send({ type: 'opened', generation: this.state.generation });
    this.initialise(report);
  }

  /** From registered: want a session, the stick dials and reports the session up. */
  connect(): void {
    this.send({ type: 'want', wanted: true });
    this.done({ kind: 'dial' });
    this.urc({ type: 'session', connected: true, cause: null });
  }

  urc(urc: Extract<Input, { type: 'urc' }>['urc']): Effect[] {
    return this.send({ type: 'urc', generation: this.state.generation, urc });
  }

  ofType<T extends Effect['type']>(type: T, effects: readonly Effect[] = this.effects): Array<Extract<Effect, { type: T }>> {
    return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }

  runs(effects: readonly Effect[]): JobKind[] {
    return this.ofType('run', effects).map((e) => e.what.kind);
  }
}
