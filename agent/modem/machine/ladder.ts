// The recovery ladder, pure: which rung comes next and how long to back off before it.
//
//   re-query → re-register (+COPS=0) → cfun-reset (+CFUN=1,1) → reopen (close, poll the path, open)
//
// The climb starts where the failure makes sense: a silent stick (timeouts) skips re-register,
// since a +COPS=0 with its 120 s budget cannot help a stick that answers nothing; a stick that
// answers but cannot register starts at re-register and stops at cfun-reset (reopening a port
// that answers fine cannot help either; it keeps polling). Each rung gets a few attempts, then
// the next; ModemManager's rule also holds: after `maxTimeoutsInARow` timeouts in a row the port
// is given up at once (reopen). Reopen repeats with the back-off at its cap until it works.
import type { ModemState } from '../../../shared/contract/messages.js';
import type { RecoveryStep } from '../api.js';
import type { FailureKind, Ladder, MachineConfig } from './types.js';

export const RUNGS: readonly RecoveryStep[] = ['re-query', 're-register', 'cfun-reset', 'reopen'];

const SKIPPED: Readonly<Record<FailureKind, ReadonlySet<RecoveryStep>>> = {
  timeout: new Set(['re-register']),
  failure: new Set(),
  unregistered: new Set(['re-query']),
};

const TOP: Readonly<Record<FailureKind, RecoveryStep>> = { timeout: 'reopen', failure: 'reopen', unregistered: 'cfun-reset' };

function budget(step: RecoveryStep, config: MachineConfig): number {
  const { attempts } = config.recovery;
  switch (step) {
    case 're-query':
      return attempts.reQuery;
    case 're-register':
      return attempts.reRegister;
    case 'cfun-reset':
      return attempts.cfunReset;
    case 'reopen':
      return Number.POSITIVE_INFINITY;
  }
}

/** The first rung at or after `from` this kind of failure uses and that has attempts at all. */
function rungFrom(from: number, kind: FailureKind, config: MachineConfig): RecoveryStep {
  const top = RUNGS.indexOf(TOP[kind]);
  for (let i = Math.min(from, top); i <= top; i++) {
    const step = RUNGS[i]!;
    if (!SKIPPED[kind].has(step) && budget(step, config) > 0) return step;
  }
  return TOP[kind];
}

/**
 * The next rung after a failure of `kind`, or null when the climb is over (an `unregistered`
 * climb that has used its top rung: the machine then only keeps polling).
 */
export function climb(
  current: Ladder | null,
  kind: FailureKind,
  reason: string,
  timeoutsInARow: number,
  config: MachineConfig,
  startAt?: RecoveryStep,
): Ladder | null {
  const total = (current?.total ?? 0) + 1;
  if (kind !== 'unregistered' && timeoutsInARow >= config.recovery.maxTimeoutsInARow) {
    const attempts = current?.step === 'reopen' ? current.attempts + 1 : 1;
    return { kind, step: 'reopen', attempts, total, reason: `${reason} (${timeoutsInARow} timeouts in a row)` };
  }
  if (!current) {
    const step = rungFrom(startAt ? RUNGS.indexOf(startAt) : 0, kind, config);
    return { kind, step, attempts: 1, total, reason };
  }
  const at = RUNGS.indexOf(current.step);
  const usable = !SKIPPED[kind].has(current.step) && at <= RUNGS.indexOf(TOP[kind]);
  if (usable && current.attempts < budget(current.step, config)) {
    return { kind, step: current.step, attempts: current.attempts + 1, total, reason };
  }
  if (current.step === TOP[kind] || at >= RUNGS.indexOf(TOP[kind])) {
    return kind === 'unregistered' ? null : { kind, step: TOP[kind], attempts: current.attempts + 1, total, reason };
  }
  const step = rungFrom(at + 1, kind, config);
  return { kind, step, attempts: 1, total, reason };
}

/** Back-off before the `total`-th attempt of a climb (the first waits `initialMs`). */
export function backoffMs(total: number, config: MachineConfig): number {
  const { initialMs, factor, maxMs } = config.recovery.backoff;
  return Math.min(maxMs, Math.round(initialMs * factor ** Math.max(0, total - 1)));
}

/** The public state while a rung is pending or running. */
export function showsDuring(step: RecoveryStep, before: ModemState): ModemState {
  switch (step) {
    case 're-query':
      return before;
    case 're-register':
      return before === 'absent' ? 'absent' : 'searching';
    case 'cfun-reset':
    case 'reopen':
      return 'initialising';
  }
}
