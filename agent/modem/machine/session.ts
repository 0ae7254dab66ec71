// Registration and the data session (pure): what a radio report or a session change means for
// the phase, when to dial, when to hang up, and the polls that keep the picture fresh.
import { Draft } from './draft.js';
import { backoffMs } from './ladder.js';
import { radioRegistered } from './public-state.js';
import { enterLadder } from './recovery.js';
import { NO_RADIO, type MachineConfig, type RadioReport } from './types.js';

const desired = (d: Draft): boolean => d.s.wanted && d.s.allowed;

/** The next background poll: often while searching, rarely once registered (warm standby, R2). */
export function schedulePoll(d: Draft, config: MachineConfig): void {
  const name = d.s.phase.name;
  if (name === 'searching') d.timer('poll', config.timing.searchPollMs);
  else if (name === 'registered' || name === 'connecting' || name === 'connected') d.timer('poll', config.timing.standbyPollMs);
}

/** The phase a settled stick is in, from what it just reported. */
function settledPhase(d: Draft, report: RadioReport): void {
  if (report.session === true) connected(d);
  else if (radioRegistered(d.s.radio)) d.phase({ name: 'registered' });
  else d.phase({ name: 'searching', since: d.now });
}

/**
 * A radio report from `setup` or a rung (`recovery`), or from a background `poll`. Updates the
 * picture, moves between searching/registered/connected, and climbs the ladder when the stick
 * has been searching for too long.
 */
export function onReport(d: Draft, config: MachineConfig, report: RadioReport, source: 'setup' | 'recovery' | 'poll'): void {
  if (report.restarted) {
    d.log('warn', 'the stick restarted by itself; initialising it again');
    d.cancel('poll', 'connect-poll', 'connect-deadline');
    d.set({ radio: NO_RADIO, negotiated: null, pollJob: null });
    d.phase({ name: 'initialising', step: 'init', job: d.run({ kind: 'init' }) });
    return;
  }
  d.set({ radio: { cs: report.cs, ps: report.ps, operator: report.operator, technology: report.technology, signalDbm: report.signalDbm } });
  const registered = radioRegistered(d.s.radio);
  const { ladder } = d.s;
  if (ladder && (registered || ladder.kind !== 'unregistered')) d.set({ ladder: null });

  const phase = d.s.phase;
  if (source !== 'poll') {
    settledPhase(d, report);
  } else if (phase.name === 'searching') {
    if (report.session === true) connected(d);
    else if (registered) d.phase({ name: 'registered' });
    else if (d.now - phase.since >= config.timing.registerTimeoutMs) {
      enterLadder(d, config, 'unregistered', `not registered for ${Math.round((d.now - phase.since) / 1000)} s`);
      return;
    }
  } else if (phase.name === 'registered') {
    if (report.session === true) connected(d);
    else if (!registered) d.phase({ name: 'searching', since: d.now });
  } else if (phase.name === 'connecting') {
    if (report.session === true) connected(d);
  } else if (phase.name === 'connected') {
    if (report.session === false) {
      sessionDropped(d, config, 'the stick reports no data session');
      return;
    }
  }
  schedulePoll(d, config);
  maybeSession(d, config);
}

/** A +CREG/+CGREG unsolicited report. */
export function onRegistrationChange(d: Draft, config: MachineConfig): void {
  const registered = radioRegistered(d.s.radio);
  const { phase, ladder } = d.s;
  if (registered && ladder?.kind === 'unregistered') d.set({ ladder: null });
  if (phase.name === 'searching' && registered) {
    d.phase({ name: 'registered' });
    schedulePoll(d, config);
    maybeSession(d, config);
  } else if (phase.name === 'registered' && !registered) {
    d.phase({ name: 'searching', since: d.now });
    schedulePoll(d, config);
  }
}

/** Dials when a session is wanted and the stick is ready; hangs up when it is not wanted. */
export function maybeSession(d: Draft, config: MachineConfig): void {
  const { phase } = d.s;
  if (phase.name === 'registered' && desired(d) && !d.s.reconnectHeld) {
    d.log('info', 'connecting the data session');
    d.phase({ name: 'connecting', since: d.now, job: d.run({ kind: 'dial' }) });
    d.timer('connect-deadline', config.timing.connectTimeoutMs);
    return;
  }
  if ((phase.name === 'connecting' || phase.name === 'connected') && !desired(d)) {
    d.log('info', 'hanging up the data session', { wanted: d.s.wanted, allowed: d.s.allowed });
    d.cancel('connect-poll', 'connect-deadline');
    d.set({ negotiated: null });
    d.phase({ name: 'disconnecting', job: d.run({ kind: 'hangup' }) });
  }
}

/** The session is up (^NDISSTAT: 1, or a query said so). */
export function connected(d: Draft): void {
  if (d.s.phase.name === 'connecting') d.log('info', 'data session up', { afterMs: d.now - d.s.phase.since });
  d.cancel('connect-poll', 'connect-deadline', 'reconnect');
  d.set({ connectFailures: 0, reconnectHeld: false, ladder: null });
  d.phase({ name: 'connected' });
  d.run({ kind: 'negotiated' });
}

/** Back to registered (or searching) with a reconnect back-off. */
function holdReconnect(d: Draft, config: MachineConfig): void {
  d.set({ negotiated: null, reconnectHeld: true });
  d.phase(radioRegistered(d.s.radio) ? { name: 'registered' } : { name: 'searching', since: d.now });
  d.timer('reconnect', backoffMs(d.s.connectFailures, config));
  schedulePoll(d, config);
}

/** The session went down without being asked to. */
export function sessionDropped(d: Draft, config: MachineConfig, reason: string): void {
  d.log('warn', 'data session dropped', { reason });
  d.set({ connectFailures: d.s.connectFailures + 1 });
  holdReconnect(d, config);
}

/** A dial that did not bring the session up. After a few in a row, the ladder (re-register). */
export function connectFailed(d: Draft, config: MachineConfig, reason: string, hangUp: boolean): void {
  const failures = d.s.connectFailures + 1;
  d.log('warn', 'data session did not come up', { reason, failures });
  d.cancel('connect-poll', 'connect-deadline');
  if (failures >= config.recovery.connectFailuresBeforeLadder) {
    d.set({ connectFailures: 0, negotiated: null });
    enterLadder(d, config, 'failure', `${failures} connects failed: ${reason}`, 're-register');
    return;
  }
  d.set({ connectFailures: failures });
  if (hangUp) {
    // Abort the attempt the stick may still be making; the hold keeps it from redialling at once.
    d.set({ negotiated: null, reconnectHeld: true });
    d.timer('reconnect', backoffMs(failures, config));
    d.phase({ name: 'disconnecting', job: d.run({ kind: 'hangup' }) });
    return;
  }
  holdReconnect(d, config);
}
