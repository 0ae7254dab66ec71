// A fake of the Modem interface (agent/modem/api.ts) for the pure core's tests: state, counters
// and rate negotiation are set by the test, and every call is recorded. The real stack is tested
// against the firmware simulator in test/e2e.
import type { ModemState } from '../../../shared/contract/messages.js';
import type { Rates } from '../../../shared/service.js';
import type { DataCounters, Modem, ModemEvent, ModemSnapshot } from '../../../agent/modem/api.js';

export class FakeModem implements Modem {
  private listeners = new Set<(event: ModemEvent) => void>();
  private current: ModemSnapshot = {
    state: 'registered',
    registration: 'home',
    technology: 'hspa',
    signalDbm: -73,
    operator: 'KPN',
    identity: { manufacturer: 'huawei', model: 'E173', imei: '356789012345678' },
    negotiated: null,
    sessionWanted: false,
  };
  counters: DataCounters = { sessionTxBytes: 0, sessionRxBytes: 0, sessionSeconds: 0, totalTxBytes: 0, totalRxBytes: 0, readAt: 0 };
  readonly calls: Array<{ method: 'setSessionWanted' | 'setDataAllowed' | 'requestRates'; arg: unknown }> = [];
  /** What the network grants for a request; throw to refuse. */
  negotiate: (rates: Rates) => Rates | null = (rates) => (this.current.state === 'connected' ? rates : null);
  readCountersFails = false;
  clock: { now(): number } = { now: () => Date.now() };

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  snapshot(): ModemSnapshot {
    return this.current;
  }

  on(listener: (event: ModemEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setSessionWanted(wanted: boolean): void {
    this.calls.push({ method: 'setSessionWanted', arg: wanted });
    this.current = { ...this.current, sessionWanted: wanted };
  }

  setDataAllowed(allowed: boolean): void {
    this.calls.push({ method: 'setDataAllowed', arg: allowed });
  }

  async requestRates(rates: Rates): Promise<Rates | null> {
    this.calls.push({ method: 'requestRates', arg: rates });
    const granted = this.negotiate(rates);
    if (granted) this.current = { ...this.current, negotiated: granted };
    return granted;
  }

  async readCounters(): Promise<DataCounters> {
    if (this.readCountersFails) throw new Error('stick not ready');
    return { ...this.counters, readAt: this.clock.now() };
  }

  // --- test controls
  setState(state: ModemState, extra: Partial<ModemSnapshot> = {}): void {
    this.current = { ...this.current, ...extra, state };
    this.emit({ type: 'state', snapshot: this.current });
  }

  emit(event: ModemEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** The stick's counters grow (session and total alike) and a ^DSFLOWRPT-like event goes out. */
  traffic(upBytes: number, downBytes: number, seconds = 2, report = true): void {
    const c = this.counters;
    this.counters = {
      sessionTxBytes: c.sessionTxBytes + upBytes,
      sessionRxBytes: c.sessionRxBytes + downBytes,
      sessionSeconds: c.sessionSeconds + seconds,
      totalTxBytes: (c.totalTxBytes ?? 0) + upBytes,
      totalRxBytes: (c.totalRxBytes ?? 0) + downBytes,
      readAt: this.clock.now(),
    };
    if (report) {
      // ^DSFLOWRPT carries only the session figures.
      this.emit({ type: 'counters', counters: { ...this.counters, totalTxBytes: null, totalRxBytes: null } });
    }
  }

  /** The stick restarts: every counter back to zero. */
  restart(): void {
    this.counters = { sessionTxBytes: 0, sessionRxBytes: 0, sessionSeconds: 0, totalTxBytes: 0, totalRxBytes: 0, readAt: this.clock.now() };
    this.emit({ type: 'lost', reason: 'restart' });
    this.emit({ type: 'found', identity: this.current.identity! });
  }

  callsOf(method: 'setSessionWanted' | 'setDataAllowed' | 'requestRates'): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.arg);
  }
}
