// Failover as a pure state machine: inputs (line polls, probe rounds, modem states, timer
// ticks) in, the next state and actions out, time from the input. It decides the active path:
// fail over as soon as DSL loss is confirmed, fail back once DSL has been usable for a stable
// time that grows while the line flaps, `none` when neither path works (R2).
import type { DslState, ModemState, Path } from '../../shared/contract/messages.js';
import type { LineObservation } from '../dsl/line-reading.js';
import { dslEvidence, initialDslView, observeLine, observeProbe, type DslView, type DslViewSettings } from './dsl-view.js';

export interface FailoverSettings extends DslViewSettings {
  /** DSL must be usable this long before traffic goes back to it (default 30 s). */
  readonly failbackStableMs: number;
  /** Losses inside this window make the failback hold-off grow (default 15 min). */
  readonly flapWindowMs: number;
  /** The longest hold-off the flap guard imposes (default 10 min). */
  readonly maxHoldOffMs: number;
  /** A wanted mobile session not up after this long means path `none` (default 45 s). */
  readonly mobileConnectTimeoutMs: number;
}

export const DEFAULT_FAILOVER_SETTINGS: FailoverSettings = {
  confirmDownMs: 600,
  confirmUnreachableMs: 2_000,
  probeFailRounds: 3,
  failbackStableMs: 30_000,
  flapWindowMs: 15 * 60_000,
  maxHoldOffMs: 10 * 60_000,
  mobileConnectTimeoutMs: 45_000,
};

export type FailoverInput =
  | { readonly type: 'line'; readonly at: number; readonly observation: LineObservation }
  | { readonly type: 'probe'; readonly at: number; readonly passed: boolean; readonly evidence: string }
  | { readonly type: 'modem'; readonly at: number; readonly state: ModemState }
  | { readonly type: 'data-allowed'; readonly at: number; readonly allowed: boolean }
  | { readonly type: 'tick'; readonly at: number };

/** A path change as the contract's failover / failback / outage event, without id and version. */
export type PathChange =
  | { readonly type: 'failover'; readonly at: number; readonly from: Path; readonly to: 'mobile'; readonly reason: string; readonly evidence: string[] }
  | { readonly type: 'failback'; readonly at: number; readonly from: Path; readonly to: 'dsl'; readonly reason: string; readonly evidence: string[] }
  | { readonly type: 'outage'; readonly at: number; readonly from: Path; readonly to: 'none'; readonly reason: string; readonly evidence: string[] };

export type FailoverAction =
  | { readonly type: 'session'; readonly wanted: boolean }
  | { readonly type: 'path'; readonly change: PathChange };

export interface FailoverState {
  readonly path: Path;
  readonly pathSince: number;
  readonly dsl: DslView;
  readonly modem: ModemState;
  readonly dataAllowed: boolean;
  readonly sessionWanted: boolean;
  /** Since when a wanted session has not been up; null when none is wanted or it is up. */
  readonly mobileWaitSince: number | null;
  /** Confirmed DSL losses inside the flap window. */
  readonly losses: readonly number[];
}

export interface Step {
  readonly state: FailoverState;
  readonly actions: readonly FailoverAction[];
  /** When to send a `tick` if nothing else happens first; null when no timer is needed. */
  readonly wakeAt: number | null;
}

export function initialFailoverState(now: number, modem: ModemState = 'absent', dataAllowed = true): FailoverState {
  return { path: 'dsl', pathSince: now, dsl: initialDslView(now), modem, dataAllowed, sessionWanted: false, mobileWaitSince: null, losses: [] };
}

export function step(state: FailoverState, input: FailoverInput, s: FailoverSettings): Step {
  const at = input.at;
  let next: FailoverState;
  switch (input.type) {
    case 'line':
      next = { ...state, dsl: observeLine(state.dsl, input.observation, at, s) };
      break;
    case 'probe':
      next = { ...state, dsl: observeProbe(state.dsl, input.passed, input.evidence, at, s) };
      break;
    case 'modem':
      next = { ...state, modem: input.state };
      break;
    case 'data-allowed':
      next = { ...state, dataAllowed: input.allowed };
      break;
    case 'tick':
      next = state;
      break;
  }
  if (state.dsl.usable && !next.dsl.usable) {
    // Every confirmed loss counts toward the flap guard, on DSL or already on mobile.
    next = { ...next, losses: [...next.losses.filter((t) => at - t < s.flapWindowMs), at] };
  }
  next = trackMobileWait(next, at);
  const actions: FailoverAction[] = [];
  next = decide(next, at, s, actions);
  return { state: next, actions, wakeAt: wakeAt(next, at, s) };
}

/** How long DSL must be usable before failback, given the losses in the flap window (R2 hysteresis). */
export function requiredStableMs(losses: readonly number[], at: number, s: FailoverSettings): number {
  const recent = Math.max(1, losses.filter((t) => at - t < s.flapWindowMs).length);
  return Math.min(s.failbackStableMs * 2 ** (recent - 1), Math.max(s.maxHoldOffMs, s.failbackStableMs));
}

function mobileUp(state: FailoverState): boolean {
  return state.dataAllowed && state.modem === 'connected';
}

/** Why mobile cannot work at all right now, or null when it might. */
function mobileHopeless(state: FailoverState): string | null {
  if (!state.dataAllowed) return 'mobile data is suspended (R22)';
  if (state.modem === 'absent') return 'the UMTS stick is absent';
  if (state.modem === 'sim-locked') return 'the SIM is locked';
  return null;
}

function trackMobileWait(state: FailoverState, at: number): FailoverState {
  const waiting = state.sessionWanted && !mobileUp(state);
  if (waiting === (state.mobileWaitSince !== null)) return state;
  return { ...state, mobileWaitSince: waiting ? at : null };
}

function decide(state: FailoverState, at: number, s: FailoverSettings, actions: FailoverAction[]): FailoverState {
  const dsl = state.dsl;
  const move = (to: Path, change: PathChange, wanted: boolean): FailoverState => {
    actions.push({ type: 'path', change });
    let next: FailoverState = { ...state, path: to, pathSince: at };
    if (wanted !== state.sessionWanted) {
      // The session request goes first: it is what the customer waits for.
      actions.unshift({ type: 'session', wanted });
      next = { ...next, sessionWanted: wanted };
    }
    return trackMobileWait(next, at);
  };

  switch (state.path) {
    case 'dsl': {
      if (dsl.line === null || dsl.usable) return state;
      const evidence = dslEvidence(dsl);
      const hopeless = mobileHopeless(state);
      if (hopeless !== null) {
        return move('none', { type: 'outage', at, from: 'dsl', to: 'none', reason: `${lossReason(dsl.state)}; ${hopeless}`, evidence }, true);
      }
      return move('mobile', { type: 'failover', at, from: 'dsl', to: 'mobile', reason: lossReason(dsl.state), evidence: [...evidence, `stick ${state.modem}`] }, true);
    }
    case 'mobile': {
      const fb = failbackDue(state, at, s);
      if (fb) return move('dsl', { type: 'failback', at, from: 'mobile', to: 'dsl', reason: fb.reason, evidence: fb.evidence }, false);
      let problem = mobileHopeless(state);
      if (problem === null && !mobileUp(state) && state.mobileWaitSince !== null && at - state.mobileWaitSince >= s.mobileConnectTimeoutMs) {
        problem = `no mobile session after ${Math.round((at - state.mobileWaitSince) / 1000)} s`;
      }
      if (problem === null) return state;
      if (dsl.usable) {
        // Mobile is not working and DSL is: DSL now, without waiting out the stability time.
        return move('dsl', { type: 'failback', at, from: 'mobile', to: 'dsl', reason: `DSL usable again and ${problem}`, evidence: [...dslEvidence(dsl), `stick ${state.modem}`] }, false);
      }
      return move('none', { type: 'outage', at, from: 'mobile', to: 'none', reason: problem, evidence: [...dslEvidence(dsl), `stick ${state.modem}`] }, true);
    }
    case 'none': {
      // Nothing works: DSL that answers again is better than nothing, without a stability wait.
      if (dsl.usable) {
        return move('dsl', { type: 'failback', at, from: 'none', to: 'dsl', reason: 'DSL back while mobile was not working', evidence: dslEvidence(dsl) }, false);
      }
      if (mobileUp(state)) {
        return move('mobile', { type: 'failover', at, from: 'none', to: 'mobile', reason: 'mobile session up', evidence: [...dslEvidence(dsl), `stick ${state.modem}`] }, true);
      }
      return state;
    }
  }
}

function failbackDue(state: FailoverState, at: number, s: FailoverSettings): { reason: string; evidence: string[] } | null {
  const since = state.dsl.usableSince;
  if (since === null) return null;
  const needed = requiredStableMs(state.losses, at, s);
  const stable = at - since;
  if (stable < needed) return null;
  const recent = state.losses.filter((t) => at - t < s.flapWindowMs).length;
  const evidence = [...dslEvidence(state.dsl), `usable for ${stable} ms (needed ${needed} ms)`];
  if (needed > s.failbackStableMs) evidence.push(`flap guard: ${recent} losses in ${Math.round(s.flapWindowMs / 60_000)} min`);
  return { reason: `DSL up and stable for ${Math.round(stable / 1000)} s`, evidence };
}

function lossReason(state: DslState): string {
  switch (state) {
    case 'down':
      return 'DSL link down';
    case 'training':
      return 'DSL line training';
    case 'no-internet':
      return 'DSL up but no internet';
    case 'unreachable':
      return 'router unreachable and probes failing';
    case 'up':
      return 'DSL up';
  }
}

function wakeAt(state: FailoverState, at: number, s: FailoverSettings): number | null {
  const times: number[] = [];
  if (state.path === 'mobile' && state.dsl.usableSince !== null) times.push(state.dsl.usableSince + requiredStableMs(state.losses, at, s));
  if (state.path === 'mobile' && state.mobileWaitSince !== null) times.push(state.mobileWaitSince + s.mobileConnectTimeoutMs);
  const due = times.filter((t) => t > at);
  return due.length > 0 ? Math.min(...due) : null;
}
