// Drives the failover machine with the real world: line observations from the router watch,
// modem states, probe rounds and one wake-up timer; carries out its actions (ask the stick for a
// session or let it go) and reports path changes. The decisions are all in machine.ts.
import type { Cancel, Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { LineObservation } from '../dsl/line-reading.js';
import { runProbeRound, type ProbeRound, type ProbeTarget } from '../dsl/probe.js';
import type { Modem } from '../modem/api.js';
import { describeError } from '../errors.js';
import { probesWanted } from './dsl-view.js';
import { initialFailoverState, step, type FailoverInput, type FailoverSettings, type FailoverState, type PathChange } from './machine.js';

export interface ProbeSettings {
  readonly targets: readonly ProbeTarget[];
  readonly quorum: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly localAddress?: string | undefined;
}

export interface FailoverControllerOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly settings: FailoverSettings;
  readonly modem: Modem;
  readonly probe: ProbeSettings;
  readonly dataAllowed: boolean;
  readonly onPathChange: (change: PathChange) => void;
  /** The path or the DSL state changed (for the status). */
  readonly onChange: () => void;
  /** For tests of the wiring: replaces the TCP probe round. */
  readonly runProbe?: (probe: ProbeSettings) => Promise<ProbeRound>;
}

export class FailoverController {
  private current: FailoverState;
  private cancelWake: Cancel | null = null;
  private wakeAt: number | null = null;
  private cancelProbe: Cancel | null = null;
  private probing = false;
  private probeLoop = 0;
  private probeInFlight: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: FailoverControllerOptions) {
    const snapshot = options.modem.snapshot();
    this.current = initialFailoverState(options.clock.now(), snapshot.state, options.dataAllowed);
  }

  start(): void {
    this.unsubscribe = this.options.modem.on((event) => {
      if (event.type === 'state' && event.snapshot.state !== this.current.modem) {
        this.apply({ type: 'modem', at: this.options.clock.now(), state: event.snapshot.state });
      } else if (event.type === 'lost' && this.current.modem !== 'absent') {
        this.apply({ type: 'modem', at: this.options.clock.now(), state: 'absent' });
      }
    });
    const state = this.options.modem.snapshot().state;
    if (state !== this.current.modem) this.apply({ type: 'modem', at: this.options.clock.now(), state });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.cancelWake?.();
    this.cancelProbe?.();
    await this.probeInFlight;
  }

  state(): FailoverState {
    return this.current;
  }

  observeLine(observation: LineObservation, at: number): void {
    this.apply({ type: 'line', at, observation });
  }

  setDataAllowed(allowed: boolean): void {
    if (allowed !== this.current.dataAllowed) this.apply({ type: 'data-allowed', at: this.options.clock.now(), allowed });
  }

  private apply(input: FailoverInput): void {
    if (this.stopped) return;
    const before = this.current;
    const result = step(before, input, this.options.settings);
    this.current = result.state;
    for (const action of result.actions) {
      if (action.type === 'session') {
        this.options.modem.setSessionWanted(action.wanted);
      } else {
        const c = action.change;
        this.options.log.info({ path: c.to, from: c.from, reason: c.reason, evidence: c.evidence, decidedAt: c.at }, `${c.type}: ${c.from} → ${c.to}`);
        this.options.onPathChange(c);
      }
    }
    if (before.dsl.state !== this.current.dsl.state) {
      this.options.log.info({ dsl: this.current.dsl.state, evidence: this.current.dsl.lineEvidence }, 'DSL state');
    }
    if (before.path !== this.current.path || before.dsl.state !== this.current.dsl.state || before.dsl.downKbps !== this.current.dsl.downKbps) {
      this.options.onChange();
    }
    this.armWake(result.wakeAt);
    this.steerProbe();
  }

  private armWake(at: number | null): void {
    if (at === this.wakeAt) return;
    this.cancelWake?.();
    this.cancelWake = null;
    this.wakeAt = at;
    if (at === null) return;
    const { clock } = this.options;
    this.cancelWake = clock.setTimeout(() => {
      this.cancelWake = null;
      this.wakeAt = null;
      this.apply({ type: 'tick', at: clock.now() });
    }, at - clock.now());
  }

  /** Probes run only while the line may carry traffic: they cost nothing on mobile. */
  private steerProbe(): void {
    const wanted = probesWanted(this.current.dsl);
    if (wanted === this.probing) return;
    this.probing = wanted;
    if (!wanted) {
      this.cancelProbe?.();
      this.cancelProbe = null;
      return;
    }
    this.scheduleProbe(++this.probeLoop, 0);
  }

  private scheduleProbe(loop: number, delayMs: number): void {
    const { clock, probe } = this.options;
    this.cancelProbe = clock.setTimeout(() => {
      this.cancelProbe = null;
      const run = this.options.runProbe ?? ((p: ProbeSettings) => runProbeRound(p.targets, p.quorum, { timeoutMs: p.timeoutMs, localAddress: p.localAddress }));
      const started = clock.now();
      this.probeInFlight = run(probe)
        .then((round) => {
          if (!this.probing || this.stopped || loop !== this.probeLoop) return;
          if (!round.passed) this.options.log.warn({ evidence: round.evidence }, 'probe round failed');
          this.apply({ type: 'probe', at: clock.now(), passed: round.passed, evidence: round.evidence });
        })
        .catch((error: unknown) => this.options.log.error({ err: describeError(error) }, 'probe round crashed'))
        .finally(() => {
          this.probeInFlight = null;
          if (this.probing && !this.stopped && loop === this.probeLoop) this.scheduleProbe(loop, probe.intervalMs - (clock.now() - started));
        });
    }, Math.max(0, delayMs));
  }
}
