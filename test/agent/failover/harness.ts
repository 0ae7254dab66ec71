// Drives the pure failover machine through time: line polls at a fixed cadence, modem states,
// probe rounds, with the machine's own wake-ups honoured. No I/O, no real time.
import type { ModemState } from '../../../shared/contract/messages.js';
import type { LineKind, LineObservation } from '../../../agent/dsl/line-reading.js';
import {
  DEFAULT_FAILOVER_SETTINGS,
  initialFailoverState,
  step,
  type FailoverInput,
  type FailoverSettings,
  type FailoverState,
  type PathChange,
} from '../../../agent/failover/machine.js';

export const T0 = Date.parse('2026-03-10T09:00:00Z');
export const POLL_MS = 250;

export function observation(kind: LineKind): LineObservation {
  const evidence: Record<LineKind, string[]> = {
    up: ['PhysicalLinkStatus Up', 'connection Connected'],
    down: ['PhysicalLinkStatus Down', 'DSL Status NoSignal'],
    training: ['PhysicalLinkStatus Initializing'],
    'no-internet': ['PhysicalLinkStatus Up', 'connection Connecting'],
    unreachable: ['router did not answer: timeout'],
  };
  return { kind, evidence: evidence[kind], downKbps: kind === 'up' ? 50_000 : null, upKbps: kind === 'up' ? 10_000 : null };
}

export class Harness {
  state: FailoverState;
  now = T0;
  readonly changes: PathChange[] = [];
  readonly sessions: Array<{ at: number; wanted: boolean }> = [];
  private wakeAt: number | null = null;

  constructor(
    readonly settings: FailoverSettings = DEFAULT_FAILOVER_SETTINGS,
    modem: ModemState = 'registered',
  ) {
    this.state = initialFailoverState(T0, modem, true);
  }

  get path() {
    return this.state.path;
  }

  input(input: FailoverInput): void {
    this.advanceTo(input.at);
    this.run(input);
  }

  /** Lets time pass to `at`, running the wake-ups the machine asked for. */
  advanceTo(at: number): void {
    while (this.wakeAt !== null && this.wakeAt <= at) {
      const wake = this.wakeAt;
      this.now = Math.max(this.now, wake);
      this.run({ type: 'tick', at: wake });
    }
    this.now = Math.max(this.now, at);
  }

  wait(ms: number): void {
    this.advanceTo(this.now + ms);
  }

  /** Polls the line every POLL_MS for `ms`, reading `kind` each time. */
  line(kind: LineKind, ms: number, pollMs = POLL_MS): void {
    const end = this.now + ms;
    for (let t = this.now; t < end; t += pollMs) this.input({ type: 'line', at: t, observation: observation(kind) });
    this.advanceTo(end);
  }

  modem(state: ModemState): void {
    this.input({ type: 'modem', at: this.now, state });
  }

  probe(passed: boolean): void {
    this.input({ type: 'probe', at: this.now, passed, evidence: passed ? '3/3 targets reachable' : '0/3 targets reachable' });
  }

  types(): string[] {
    return this.changes.map((c) => `${c.type}:${c.from}->${c.to}`);
  }

  private run(input: FailoverInput): void {
    const result = step(this.state, input, this.settings);
    this.state = result.state;
    for (const action of result.actions) {
      if (action.type === 'session') this.sessions.push({ at: input.at, wanted: action.wanted });
      else this.changes.push(action.change);
    }
    this.wakeAt = result.wakeAt;
  }
}
