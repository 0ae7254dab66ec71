// The modem's transition function: (state, input) → (state, effects), no I/O, time from `now`.
// The device lifecycle (open, init, SIM, setup, loss) is here; registration and the session
// are in session.ts, the ladder in recovery.ts.
import { ALL_TIMERS, Draft } from './draft.js';
import { radioRegistered } from './public-state.js';
import { enterLadder, openDevice, runRung } from './recovery.js';
import { connectFailed, connected, maybeSession, onRegistrationChange, onReport, schedulePoll, sessionDropped } from './session.js';
import {
  NO_RADIO,
  type Input,
  type JobError,
  type JobKind,
  type JobResult,
  type MachineConfig,
  type MachineState,
  type SimLockReason,
  type SimReading,
  type TimerName,
  type Transition,
  type Urc,
} from './types.js';

export function initialState(): MachineState {
  return {
    phase: { name: 'stopped' },
    generation: 0,
    nextJob: 1,
    pollJob: null,
    wanted: false,
    allowed: true,
    present: false,
    pinRejected: false,
    radio: NO_RADIO,
    identity: null,
    negotiated: null,
    ladder: null,
    timeoutsInARow: 0,
    connectFailures: 0,
    reconnectHeld: false,
  };
}

export function transition(state: MachineState, input: Input, config: MachineConfig, now: number): Transition {
  const d = new Draft(state, now);
  const stopped = state.phase.name === 'stopped';
  switch (input.type) {
    case 'start':
      if (stopped) openDevice(d);
      break;
    case 'stop':
      if (!stopped) stop(d);
      break;
    case 'want':
      d.set({ wanted: input.wanted });
      maybeSession(d, config);
      break;
    case 'allow':
      d.set({ allowed: input.allowed });
      maybeSession(d, config);
      break;
    case 'opened':
      if (input.generation === state.generation && state.phase.name === 'opening') {
        d.phase({ name: 'initialising', step: 'init', job: d.run({ kind: 'init' }) });
      }
      break;
    case 'open-failed':
      if (input.generation === state.generation && state.phase.name === 'opening') lose(d, config, `cannot open the device: ${input.reason}`);
      break;
    case 'closed':
      if (input.generation === state.generation && !stopped) lose(d, config, input.reason);
      break;
    case 'job-done':
      if (input.generation === state.generation && !stopped) jobDone(d, config, input.job, input.result);
      break;
    case 'job-failed':
      if (input.generation === state.generation && !stopped) jobFailed(d, config, input.job, input.kind, input.error);
      break;
    case 'urc':
      if (input.generation === state.generation && !stopped) urc(d, config, input.urc);
      break;
    case 'timer':
      if (!stopped) timer(d, config, input.name);
      break;
    case 'negotiated':
      if (state.phase.name === 'connected') d.set({ negotiated: input.rates });
      break;
  }
  return { state: d.s, effects: d.effects };
}

function stop(d: Draft): void {
  const name = d.s.phase.name;
  d.cancel(...ALL_TIMERS);
  d.emit({ type: 'close', generation: d.s.generation, hangUpFirst: name === 'connecting' || name === 'connected' });
  d.set({ generation: d.s.generation + 1, present: false, radio: NO_RADIO, negotiated: null, pollJob: null, identity: null, ladder: null });
  d.phase({ name: 'stopped' });
}

/** The port is gone (unplugged, a hang-up) or would not open: poll the path until it is back. */
function lose(d: Draft, config: MachineConfig, reason: string): void {
  d.cancel(...ALL_TIMERS);
  if (d.s.present) {
    d.log('warn', 'UMTS stick lost', { reason });
    d.emit({ type: 'lost', reason });
  }
  d.set({ present: false, identity: null, radio: NO_RADIO, negotiated: null, pollJob: null, connectFailures: 0, reconnectHeld: false, timeoutsInARow: 0 });
  d.phase({ name: 'absent' });
  d.timer('reopen', config.timing.devicePollMs);
}

function lockSim(d: Draft, config: MachineConfig, reason: SimLockReason): void {
  d.log('warn', 'SIM not usable', { reason });
  d.phase({ name: 'sim-locked', reason, job: null });
  d.timer('sim-recheck', config.timing.simRecheckMs);
}

function onSim(d: Draft, config: MachineConfig, sim: SimReading, afterUnlock: boolean): void {
  switch (sim) {
    case 'ready':
      d.phase({ name: 'initialising', step: 'setup', job: d.run({ kind: 'setup' }) });
      return;
    case 'pin':
      if (afterUnlock) d.set({ pinRejected: true });
      if (config.hasPin && !d.s.pinRejected) d.phase({ name: 'initialising', step: 'unlock', job: d.run({ kind: 'unlock' }) });
      else lockSim(d, config, d.s.pinRejected ? 'pin-rejected' : 'pin-required');
      return;
    case 'puk':
      lockSim(d, config, 'puk-required');
      return;
    case 'absent':
      lockSim(d, config, 'no-sim');
      return;
    case 'failure':
      lockSim(d, config, 'sim-failure');
      return;
    case 'busy':
      d.phase({ name: 'initialising', step: 'sim', job: null });
      d.timer('retry-sim', config.timing.simRetryMs);
      return;
  }
}

/** Whether `job` is the one the current phase waits for. */
function awaited(d: Draft, job: number): boolean {
  const phase = d.s.phase;
  return 'job' in phase && phase.job === job;
}

function jobDone(d: Draft, config: MachineConfig, job: number, result: JobResult): void {
  d.set({ timeoutsInARow: 0 });
  const phase = d.s.phase;
  if (result.kind === 'poll' && job === d.s.pollJob) {
    d.set({ pollJob: null });
    onReport(d, config, result.report, 'poll');
    return;
  }
  if (result.kind === 'negotiated') {
    if (phase.name === 'connected') d.set({ negotiated: result.rates });
    return;
  }
  if (!awaited(d, job)) return;
  switch (result.kind) {
    case 'init':
      if (!d.s.present) d.emit({ type: 'found', identity: result.identity });
      d.set({ identity: result.identity, present: true });
      d.phase({ name: 'initialising', step: 'sim', job: d.run({ kind: 'sim' }) });
      return;
    case 'sim':
      onSim(d, config, result.sim, phase.name === 'initialising' && phase.afterUnlock === true);
      return;
    case 'unlock':
      d.log('info', 'SIM PIN accepted');
      d.phase({ name: 'initialising', step: 'sim', job: d.run({ kind: 'sim' }), afterUnlock: true });
      return;
    case 'setup':
    case 'poll':
    case 're-register':
      onReport(d, config, result.report, phase.name === 'recovering' ? 'recovery' : 'setup');
      return;
    case 'restart':
      // The stick reboots: it forgets the session and asks for the PIN again; if its USB
      // device re-enumerates, `closed` comes first and the device is polled instead.
      d.set({ radio: NO_RADIO, negotiated: null, pollJob: null });
      d.phase({ name: 'settling' });
      d.timer('settle', config.timing.settleMs);
      return;
    case 'dial':
      d.phase({ name: 'connecting', since: phase.name === 'connecting' ? phase.since : d.now, job: null });
      d.timer('connect-poll', config.timing.connectPollMs);
      return;
    case 'session':
      if (phase.name === 'disconnecting') {
        if (!result.connected) hungUp(d, config, true);
        else {
          d.phase({ name: 'disconnecting', job: null });
          d.timer('connect-poll', config.timing.connectPollMs);
        }
      } else if (result.connected) connected(d);
      else {
        d.phase({ name: 'connecting', since: phase.name === 'connecting' ? phase.since : d.now, job: null });
        d.timer('connect-poll', config.timing.connectPollMs);
      }
      return;
    case 'hangup':
      // OK only means the stick took the order; the session ends with ^NDISSTAT: 0 (or a query).
      if (phase.name === 'disconnecting' && phase.downSeen) {
        hungUp(d, config, true);
        return;
      }
      d.phase({ name: 'disconnecting', job: null });
      d.timer('connect-poll', config.timing.connectPollMs);
      d.timer('connect-deadline', config.timing.connectTimeoutMs);
      return;
  }
}

/** The session is down after a hang-up: back to standby, or dial again if wanted meanwhile. */
function hungUp(d: Draft, config: MachineConfig, confirmed: boolean): void {
  if (confirmed) d.log('info', 'data session hung up');
  else d.log('warn', 'no confirmation that the data session ended; going on');
  d.cancel('connect-poll', 'connect-deadline');
  d.set({ negotiated: null });
  d.phase(radioRegistered(d.s.radio) ? { name: 'registered' } : { name: 'searching', since: d.now });
  schedulePoll(d, config);
  maybeSession(d, config);
}

function jobFailed(d: Draft, config: MachineConfig, job: number, kind: JobKind, error: JobError): void {
  // A closed port is handled by `closed`, which always follows.
  if (error.code === 'closed') return;
  const timedOut = error.code === 'timeout';
  if (timedOut) d.set({ timeoutsInARow: d.s.timeoutsInARow + 1 });
  const background = kind === 'poll' && job === d.s.pollJob;
  if (background) d.set({ pollJob: null });
  if (kind === 'negotiated' || (!background && !awaited(d, job))) return;
  const failure = timedOut ? 'timeout' : 'failure';
  const reason = `${kind}: ${error.message}`;
  switch (kind) {
    case 'sim':
      if (timedOut) enterLadder(d, config, failure, reason);
      else lockSim(d, config, 'sim-failure');
      return;
    case 'unlock':
      if (timedOut) enterLadder(d, config, failure, reason);
      else {
        d.set({ pinRejected: error.cme !== 'sim-puk-required' || d.s.pinRejected });
        lockSim(d, config, error.cme === 'sim-puk-required' ? 'puk-required' : 'pin-rejected');
      }
      return;
    case 'dial':
      if (timedOut) enterLadder(d, config, failure, reason);
      else connectFailed(d, config, error.message, false);
      return;
    case 'session': {
      if (timedOut) {
        enterLadder(d, config, failure, reason);
        return;
      }
      const phase = d.s.phase;
      if (phase.name === 'disconnecting') d.phase({ name: 'disconnecting', job: null });
      else d.phase({ name: 'connecting', since: phase.name === 'connecting' ? phase.since : d.now, job: null });
      d.timer('connect-poll', config.timing.connectPollMs);
      return;
    }
    case 'hangup':
      if (timedOut) enterLadder(d, config, failure, reason);
      else hungUp(d, config, true); // ERROR: there was no session to end
      return;
    case 'init':
    case 'setup':
    case 'poll':
    case 're-register':
    case 'restart':
      enterLadder(d, config, failure, reason);
      return;
  }
}

function urc(d: Draft, config: MachineConfig, event: Urc): void {
  const { radio, phase } = d.s;
  switch (event.type) {
    case 'signal':
      d.set({ radio: { ...radio, signalDbm: event.dbm } });
      return;
    case 'mode':
      d.set({ radio: { ...radio, technology: event.technology } });
      return;
    case 'registration':
      d.set({ radio: event.domain === 'cs' ? { ...radio, cs: event.registration } : { ...radio, ps: event.registration } });
      onRegistrationChange(d, config);
      return;
    case 'session':
      if (event.connected) {
        if (phase.name === 'connecting' || phase.name === 'registered' || phase.name === 'searching') {
          connected(d);
          maybeSession(d, config);
        }
      } else if (phase.name === 'connected') {
        sessionDropped(d, config, `^NDISSTAT: 0${event.cause === null ? '' : ` (cause ${event.cause})`}`);
        maybeSession(d, config);
      } else if (phase.name === 'disconnecting') {
        if (phase.job === null) hungUp(d, config, true);
        else d.phase({ ...phase, downSeen: true });
      } else if (phase.name === 'connecting' && phase.job === null) {
        connectFailed(d, config, `activation failed${event.cause === null ? '' : ` (cause ${event.cause})`}`, false);
      }
      return;
    case 'detach':
      if (d.s.pollJob === null) schedulePollNow(d);
      return;
    case 'sim':
      if (!event.present && phase.name !== 'sim-locked' && phase.name !== 'initialising' && phase.name !== 'settling') {
        d.cancel('poll', 'connect-poll', 'connect-deadline', 'reconnect', 'ladder');
        d.set({ radio: { ...NO_RADIO, signalDbm: radio.signalDbm, technology: radio.technology }, negotiated: null, pollJob: null, reconnectHeld: false });
        lockSim(d, config, 'no-sim');
      } else if (event.present && phase.name === 'sim-locked' && phase.job === null) {
        d.phase({ ...phase, job: d.run({ kind: 'sim' }) });
      }
      return;
  }
}

function schedulePollNow(d: Draft): void {
  const name = d.s.phase.name;
  if (name === 'searching' || name === 'registered' || name === 'connecting' || name === 'connected') d.timer('poll', 0);
}

function timer(d: Draft, config: MachineConfig, name: TimerName): void {
  const phase = d.s.phase;
  switch (name) {
    case 'reopen':
      if (phase.name === 'absent') openDevice(d);
      return;
    case 'retry-sim':
      if (phase.name === 'initialising' && phase.step === 'sim' && phase.job === null) d.phase({ ...phase, job: d.run({ kind: 'sim' }) });
      return;
    case 'sim-recheck':
      if (phase.name === 'sim-locked' && phase.job === null) d.phase({ ...phase, job: d.run({ kind: 'sim' }) });
      return;
    case 'poll':
      if (d.s.pollJob !== null) return;
      if (phase.name === 'searching' || phase.name === 'registered' || phase.name === 'connecting' || phase.name === 'connected') {
        d.set({ pollJob: d.run({ kind: 'poll' }) });
      }
      return;
    case 'connect-poll':
      if ((phase.name === 'connecting' || phase.name === 'disconnecting') && phase.job === null) d.phase({ ...phase, job: d.run({ kind: 'session' }) });
      return;
    case 'connect-deadline':
      if (phase.name === 'connecting') connectFailed(d, config, `no session within ${config.timing.connectTimeoutMs} ms`, true);
      if (phase.name === 'disconnecting') hungUp(d, config, false);
      return;
    case 'reconnect':
      d.set({ reconnectHeld: false });
      maybeSession(d, config);
      return;
    case 'ladder':
      runRung(d);
      return;
    case 'settle':
      if (phase.name === 'settling') d.phase({ name: 'initialising', step: 'init', job: d.run({ kind: 'init' }) });
      return;
  }
}
