// Entering the recovery ladder and running its rungs (pure; see ladder.ts for the order).
import type { RecoveryStep } from '../api.js';
import { Draft } from './draft.js';
import { backoffMs, climb, showsDuring } from './ladder.js';
import { publicState } from './public-state.js';
import { NO_RADIO, type FailureKind, type MachineConfig } from './types.js';

/** Stops what was going on and schedules the next rung after its back-off. */
export function enterLadder(d: Draft, config: MachineConfig, kind: FailureKind, reason: string, startAt?: RecoveryStep): void {
  const before = publicState(d.s);
  const next = climb(d.s.ladder, kind, reason, d.s.timeoutsInARow, config, startAt);
  d.cancel('poll', 'connect-poll', 'connect-deadline', 'reconnect', 'ladder');
  d.set({ reconnectHeld: false });
  if (next === null) {
    // An unregistered stick that had its re-register and reset: keep polling, nothing more.
    d.log('warn', 'still not registered after the recovery ladder; polling only', { reason });
    d.set({ pollJob: null });
    d.phase({ name: 'searching', since: d.now });
    d.timer('poll', config.timing.searchPollMs);
    return;
  }
  const waitMs = backoffMs(next.total, config);
  d.log('warn', 'modem recovery', { step: next.step, attempt: next.attempts, kind, reason: next.reason, inMs: waitMs });
  d.set({ ladder: next, pollJob: null });
  d.phase({ name: 'recovering', shows: showsDuring(next.step, before), job: null });
  d.timer('ladder', waitMs);
}

/** The `ladder` timer: announce the rung and do it. */
export function runRung(d: Draft): void {
  const { ladder, phase } = d.s;
  if (!ladder || phase.name !== 'recovering' || phase.job !== null) return;
  d.emit({ type: 'reset', step: ladder.step, reason: ladder.reason });
  switch (ladder.step) {
    case 're-query':
      d.phase({ ...phase, job: d.run({ kind: 'poll' }) });
      return;
    case 're-register':
      d.phase({ ...phase, job: d.run({ kind: 're-register' }) });
      return;
    case 'cfun-reset':
      d.phase({ ...phase, job: d.run({ kind: 'restart' }) });
      return;
    case 'reopen':
      d.emit({ type: 'close', generation: d.s.generation, hangUpFirst: false });
      d.set({ radio: NO_RADIO, negotiated: null, pollJob: null });
      openDevice(d);
      return;
  }
}

/** Opens the device afresh: a new generation, so results from the old port are ignored. */
export function openDevice(d: Draft): void {
  const generation = d.s.generation + 1;
  d.set({ generation });
  d.phase({ name: 'opening' });
  d.emit({ type: 'open', generation });
}
