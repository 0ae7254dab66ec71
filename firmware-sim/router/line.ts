// The DSL line of the simulated box, and what TR-064 reports about it in each state:
// up (sync + PPP connected), down (no sync), training (sync in progress), no-internet (sync,
// PPP not connected), and flapping (down and up in turn).
import type { DslLineState, RouterLineSnapshot, SimClock, SimRates } from '../index.js';

export interface LineReport {
  readonly physicalLinkStatus: RouterLineSnapshot['physicalLinkStatus'];
  readonly dslStatus: RouterLineSnapshot['dslStatus'];
  readonly connectionStatus: RouterLineSnapshot['connectionStatus'];
  readonly lastConnectionError: string;
  readonly upstreamKbps: number;
  readonly downstreamKbps: number;
}

/** TR-064 values per state (TR-098 DSL Status; UPnP WANPPPConnection ConnectionStatus). */
export function lineReport(state: DslLineState, sync: SimRates): LineReport {
  switch (state) {
    case 'up':
      return { physicalLinkStatus: 'Up', dslStatus: 'Up', connectionStatus: 'Connected', lastConnectionError: 'ERROR_NONE', upstreamKbps: sync.upKbps, downstreamKbps: sync.downKbps };
    case 'no-internet':
      // Sync is there, PPP keeps trying and the provider does not answer.
      return { physicalLinkStatus: 'Up', dslStatus: 'Up', connectionStatus: 'Connecting', lastConnectionError: 'ERROR_ISP_TIME_OUT', upstreamKbps: sync.upKbps, downstreamKbps: sync.downKbps };
    case 'training':
      return { physicalLinkStatus: 'Initializing', dslStatus: 'Initializing', connectionStatus: 'Disconnected', lastConnectionError: 'ERROR_NO_CARRIER', upstreamKbps: 0, downstreamKbps: 0 };
    case 'down':
      return { physicalLinkStatus: 'Down', dslStatus: 'NoSignal', connectionStatus: 'Disconnected', lastConnectionError: 'ERROR_NO_CARRIER', upstreamKbps: 0, downstreamKbps: 0 };
  }
}

export class DslLine {
  private current: DslLineState;
  private since: number;
  private flapPeriod: number | null = null;
  private cancelFlap: (() => void) | null = null;
  private readonly listeners = new Set<(state: DslLineState) => void>();
  bytesSent = 0;
  bytesReceived = 0;

  constructor(
    private readonly clock: SimClock,
    initial: DslLineState,
    readonly sync: SimRates,
  ) {
    this.current = initial;
    this.since = clock.now();
  }

  get state(): DslLineState {
    return this.current;
  }

  /** Seconds PPP has been connected (0 unless up). */
  pppUptimeSeconds(): number {
    return this.current === 'up' ? Math.floor((this.clock.now() - this.since) / 1000) : 0;
  }

  set(state: DslLineState): void {
    this.stopFlapping();
    this.enter(state);
  }

  /** Down for periodMs/2, up for periodMs/2, repeating. */
  flap(periodMs: number): void {
    this.stopFlapping();
    const half = Math.max(1, Math.floor(periodMs / 2));
    this.flapPeriod = periodMs;
    const toggle = (): void => {
      this.enter(this.current === 'down' ? 'up' : 'down');
      this.cancelFlap = this.clock.setTimeout(toggle, half);
    };
    this.enter('down');
    this.cancelFlap = this.clock.setTimeout(toggle, half);
  }

  stopFlapping(): void {
    this.cancelFlap?.();
    this.cancelFlap = null;
    this.flapPeriod = null;
  }

  /** Calls `listener` with each new state (the data plane's DSL link follows it); returns the unsubscribe. */
  onChange(listener: (state: DslLineState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private enter(state: DslLineState): void {
    if (state === this.current) return;
    this.current = state;
    this.since = this.clock.now();
    for (const listener of [...this.listeners]) listener(state);
  }

  snapshot(): RouterLineSnapshot {
    const report = lineReport(this.current, this.sync);
    return {
      state: this.current,
      flappingPeriodMs: this.flapPeriod,
      physicalLinkStatus: report.physicalLinkStatus,
      dslStatus: report.dslStatus,
      connectionStatus: report.connectionStatus,
      upstreamKbps: report.upstreamKbps,
      downstreamKbps: report.downstreamKbps,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
    };
  }
}
