// The modem as the rest of the agent sees it. The modem stack (line framing, command channel,
// Huawei dialect, state machine) implements this; failover, meter, profile and status code
// depend on nothing else of it. Keep this file small: it is the seam between the two.
import type { ModemState, Registration, Technology } from '../../shared/contract/messages.js';
import type { Rates } from '../../shared/service.js';

export interface ModemIdentity {
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly imei: string | null;
}

export interface ModemSnapshot {
  /** absent | initialising | sim-locked | searching | registered | connecting | connected */
  readonly state: ModemState;
  readonly registration: Registration | null;
  readonly technology: Technology | null;
  /** −113 + 2·rssi; null when unknown (rssi 99) or no stick. */
  readonly signalDbm: number | null;
  readonly operator: string | null;
  readonly identity: ModemIdentity | null;
  /** What the network granted for the data context (+CGEQNEG), when a session is up. */
  readonly negotiated: Rates | null;
  /** Whether the agent currently wants a data session (failover) and data is allowed. */
  readonly sessionWanted: boolean;
}

/** The stick's own byte counters (^DSFLOWQRY / ^DSFLOWRPT). They restart when the stick does. */
export interface DataCounters {
  /** Bytes of the current (or last) data session. */
  readonly sessionTxBytes: number;
  readonly sessionRxBytes: number;
  readonly sessionSeconds: number;
  /** Bytes since the last ^DSFLOWCLR or stick restart; null where only a ^DSFLOWRPT was seen. */
  readonly totalTxBytes: number | null;
  readonly totalRxBytes: number | null;
  /** Clock time (ms) the counters were read. */
  readonly readAt: number;
}

export type RecoveryStep = 're-query' | 're-register' | 'cfun-reset' | 'reopen';

export type ModemEvent =
  | { readonly type: 'state'; readonly snapshot: ModemSnapshot }
  | { readonly type: 'counters'; readonly counters: DataCounters }
  | { readonly type: 'lost'; readonly reason: string }
  | { readonly type: 'found'; readonly identity: ModemIdentity }
  | { readonly type: 'reset'; readonly step: RecoveryStep; readonly reason: string };

export interface Modem {
  /** Opens the device and keeps the stick registered and ready (warm standby, R2). */
  start(): Promise<void>;
  /** Hangs up if needed and closes the device. */
  stop(): Promise<void>;
  snapshot(): ModemSnapshot;
  /** Subscribes to modem events; returns the unsubscribe function. */
  on(listener: (event: ModemEvent) => void): () => void;
  /**
   * Declares whether a data session is wanted (true on failover, false on failback). The modem
   * connects, keeps the session up (reconnecting and recovering by itself) and hangs up when it
   * is no longer wanted. Progress shows as `state` events (`connecting`, `connected`).
   */
  setSessionWanted(wanted: boolean): void;
  /**
   * Mobile data allowed at all (false while suspended, R22): when false the session is hung up
   * and not reconnected whatever `setSessionWanted` says.
   */
  setDataAllowed(allowed: boolean): void;
  /**
   * Asks the network for these maximum rates (+CGEQREQ, +CGCMOD on an active context) and reads
   * back what it granted (+CGEQNEG). Resolves to the negotiated rates when a session is up, or
   * null when there is none (the request then applies at the next connect). Rejects with a
   * ModemError when the stick refuses or does not answer.
   */
  requestRates(rates: Rates): Promise<Rates | null>;
  /** Reads the counters now (^DSFLOWQRY). */
  readCounters(): Promise<DataCounters>;
}
