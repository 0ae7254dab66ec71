// The modem's state machine as data: its state (a phase from a discriminated union plus what
// it knows of the stick), its inputs (I/O results, unsolicited codes, timers, the agent's
// wishes), and the effects the runner carries out. transition.ts maps (state, input) to
// (state, effects) without doing any I/O.
import type { ModemState, Registration, Technology } from '../../../shared/contract/messages.js';
import type { Rates } from '../../../shared/service.js';
import type { ModemIdentity, RecoveryStep } from '../api.js';
import type { CmeName, ModemErrorCode } from '../errors.js';

export type SimLockReason = 'pin-required' | 'pin-rejected' | 'puk-required' | 'no-sim' | 'sim-failure';

/** What the stick told about the SIM (`busy`: +CME 14 for a few seconds after power-up). */
export type SimReading = 'ready' | 'pin' | 'puk' | 'busy' | 'absent' | 'failure';

/** Why the ladder is climbed: the stick says nothing, says only errors, or cannot register. */
export type FailureKind = 'timeout' | 'failure' | 'unregistered';

export type Phase =
  | { readonly name: 'stopped' }
  /** No port: waiting to (re)open the device path. */
  | { readonly name: 'absent' }
  | { readonly name: 'opening' }
  /** `job` null: waiting for a timer (SIM busy) before the step's job. */
  | {
      readonly name: 'initialising';
      readonly step: 'init' | 'sim' | 'unlock' | 'setup';
      readonly job: number | null;
      /** The `sim` step right after the PIN was accepted: a SIM still asking means a wrong PIN. */
      readonly afterUnlock?: boolean;
    }
  /** After a +CFUN reset that kept the port: the stick reboots before `init`. */
  | { readonly name: 'settling' }
  | { readonly name: 'sim-locked'; readonly reason: SimLockReason; readonly job: number | null }
  | { readonly name: 'searching'; readonly since: number }
  | { readonly name: 'registered' }
  /** `job`: ^NDISDUP or a ^NDISSTATQRY? in flight; null while waiting for ^NDISSTAT. */
  | { readonly name: 'connecting'; readonly since: number; readonly job: number | null }
  | { readonly name: 'connected' }
  /** `job`: ^NDISDUP=1,0 or a ^NDISSTATQRY? in flight; null while waiting for ^NDISSTAT: 0.
   *  `downSeen`: ^NDISSTAT: 0 came before the OK of the hang-up (same read). */
  | { readonly name: 'disconnecting'; readonly job: number | null; readonly downSeen?: boolean }
  /** On the recovery ladder (see `MachineState.ladder`); `job` null while backing off. */
  | { readonly name: 'recovering'; readonly shows: ModemState; readonly job: number | null };

export type PhaseName = Phase['name'];

export interface Ladder {
  readonly kind: FailureKind;
  readonly step: RecoveryStep;
  /** Attempts made at `step`. */
  readonly attempts: number;
  /** Attempts made on the whole climb (drives the back-off). */
  readonly total: number;
  readonly reason: string;
}

export interface Radio {
  /** +CREG (circuit) and +CGREG (packet) as last heard. */
  readonly cs: Registration | null;
  readonly ps: Registration | null;
  readonly technology: Technology | null;
  readonly signalDbm: number | null;
  readonly operator: string | null;
}

export const NO_RADIO: Radio = { cs: null, ps: null, technology: null, signalDbm: null, operator: null };

export interface MachineState {
  readonly phase: Phase;
  /** Bumped at every open: results of jobs on an older port are ignored. */
  readonly generation: number;
  /** The id the next job gets. */
  readonly nextJob: number;
  /** The background poll in flight, if any. */
  readonly pollJob: number | null;
  readonly wanted: boolean;
  readonly allowed: boolean;
  /** The stick answered `init` on this device at least once since it was last lost. */
  readonly present: boolean;
  /** The SIM refused the configured PIN once: it is never sent again (each try burns one of
   *  three before the PUK). */
  readonly pinRejected: boolean;
  readonly radio: Radio;
  readonly identity: ModemIdentity | null;
  readonly negotiated: Rates | null;
  readonly ladder: Ladder | null;
  readonly timeoutsInARow: number;
  readonly connectFailures: number;
  /** A reconnect back-off is running: do not dial before its timer. */
  readonly reconnectHeld: boolean;
}

/** A report of the radio and the session, from the setup, poll and re-register jobs. */
export interface RadioReport {
  readonly cs: Registration | null;
  readonly ps: Registration | null;
  readonly operator: string | null;
  readonly technology: Technology | null;
  readonly signalDbm: number | null;
  /** ^NDISSTATQRY?: the data session is up; null when the stick did not say. */
  readonly session: boolean | null;
  /** The stick forgot what setup told it (+CREG? shows URC mode 0 again): it restarted by
   *  itself (a power glitch, a firmware reset) and needs init, PIN and setup again. */
  readonly restarted?: boolean;
}

/** The work the runner does for the machine; each ends in a `job-done` or `job-failed`. */
export type Job =
  /** ATE0, ATV1, +CMEE=1, ^CURC=1, identity. */
  | { readonly kind: 'init' }
  /** +CPIN? */
  | { readonly kind: 'sim' }
  /** +CPIN="<configured pin>" */
  | { readonly kind: 'unlock' }
  /** +CREG=2, +CGREG=2, +COPS=3,0, +CGDCONT, +CGEQREQ (if rates were asked), then a poll. */
  | { readonly kind: 'setup' }
  /** +CREG?, +CGREG?, +COPS?, ^SYSINFO, +CSQ, ^NDISSTATQRY? */
  | { readonly kind: 'poll' }
  /** +COPS=0, then a poll. */
  | { readonly kind: 're-register' }
  /** +CFUN=1,1 (or +CFUN=0 / +CFUN=1). */
  | { readonly kind: 'restart' }
  /** ^NDISDUP=1,1,"<apn>" */
  | { readonly kind: 'dial' }
  /** ^NDISSTATQRY? */
  | { readonly kind: 'session' }
  /** ^NDISDUP=1,0 */
  | { readonly kind: 'hangup' }
  /** +CGEQNEG=1 */
  | { readonly kind: 'negotiated' };

export type JobKind = Job['kind'];

export type JobResult =
  | { readonly kind: 'init'; readonly identity: ModemIdentity }
  | { readonly kind: 'sim'; readonly sim: SimReading }
  | { readonly kind: 'unlock' }
  | { readonly kind: 'setup' | 'poll' | 're-register'; readonly report: RadioReport }
  | { readonly kind: 'restart' }
  | { readonly kind: 'dial' }
  | { readonly kind: 'session'; readonly connected: boolean }
  | { readonly kind: 'hangup' }
  | { readonly kind: 'negotiated'; readonly rates: Rates | null };

/** A job's failure as the machine needs it (the runner keeps the ModemError for logs). */
export interface JobError {
  readonly code: ModemErrorCode;
  readonly cme: CmeName | null;
  readonly message: string;
}

/** Unsolicited codes the machine acts on (parsed by the runner). */
export type Urc =
  | { readonly type: 'signal'; readonly dbm: number | null }
  | { readonly type: 'mode'; readonly technology: Technology | null }
  | { readonly type: 'registration'; readonly domain: 'cs' | 'ps'; readonly registration: Registration }
  | { readonly type: 'session'; readonly connected: boolean; readonly cause: number | null }
  /** +CGEV: NW DETACH / ME DETACH: the network dropped the packet attach. */
  | { readonly type: 'detach' }
  /** ^SIMST: 255 (SIM pulled) or 1 (a valid SIM). */
  | { readonly type: 'sim'; readonly present: boolean };

export type TimerName =
  | 'reopen'
  | 'retry-sim'
  | 'sim-recheck'
  | 'poll'
  | 'connect-poll'
  | 'connect-deadline'
  | 'reconnect'
  | 'ladder'
  | 'settle';

export type Input =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'opened'; readonly generation: number }
  | { readonly type: 'open-failed'; readonly generation: number; readonly reason: string }
  | { readonly type: 'closed'; readonly generation: number; readonly reason: string }
  | { readonly type: 'job-done'; readonly generation: number; readonly job: number; readonly result: JobResult }
  | { readonly type: 'job-failed'; readonly generation: number; readonly job: number; readonly kind: JobKind; readonly error: JobError }
  | { readonly type: 'timer'; readonly name: TimerName }
  | { readonly type: 'urc'; readonly generation: number; readonly urc: Urc }
  | { readonly type: 'want'; readonly wanted: boolean }
  | { readonly type: 'allow'; readonly allowed: boolean }
  /** What +CGEQNEG said after a rate request the runner made for the API. */
  | { readonly type: 'negotiated'; readonly rates: Rates | null };

export type Effect =
  | { readonly type: 'open'; readonly generation: number }
  /** Close the port of `generation` (ours: the ladder's reopen, or stop). */
  | { readonly type: 'close'; readonly generation: number; readonly hangUpFirst: boolean }
  | { readonly type: 'run'; readonly generation: number; readonly job: number; readonly what: Job }
  | { readonly type: 'set-timer'; readonly name: TimerName; readonly ms: number }
  | { readonly type: 'cancel-timer'; readonly name: TimerName }
  | { readonly type: 'lost'; readonly reason: string }
  | { readonly type: 'found'; readonly identity: ModemIdentity }
  | { readonly type: 'reset'; readonly step: RecoveryStep; readonly reason: string }
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly message: string; readonly data?: Readonly<Record<string, unknown>> };

export interface Transition {
  readonly state: MachineState;
  readonly effects: readonly Effect[];
}

/** The machine's settings (a slice of the modem's options). */
export interface MachineConfig {
  readonly hasPin: boolean;
  readonly timing: {
    readonly devicePollMs: number;
    readonly standbyPollMs: number;
    readonly searchPollMs: number;
    readonly connectPollMs: number;
    readonly connectTimeoutMs: number;
    readonly registerTimeoutMs: number;
    readonly settleMs: number;
    readonly simRetryMs: number;
    readonly simRecheckMs: number;
  };
  readonly recovery: {
    readonly backoff: { readonly initialMs: number; readonly factor: number; readonly maxMs: number };
    readonly attempts: { readonly reQuery: number; readonly reRegister: number; readonly cfunReset: number };
    readonly maxTimeoutsInARow: number;
    readonly connectFailuresBeforeLadder: number;
  };
}
