// The stick's state and the simulated world around it (SIM, radio network, data session,
// counters), with the unsolicited codes each change causes. Commands (commands/*.ts) and the
// control surface both change it through these methods; nothing here touches the pty.
import type { SimCardState, SimRates, StickSnapshot } from '../index.js';
import type { StickConfig } from './config.js';
import { addBytes, clearCounters, endSession, freshCounters, readCounters, startSession, type Counters } from './counters.js';
import { tag } from './format.js';
import {
  isRegistered,
  modeReport,
  REG_STAT,
  reportedRegistration,
  rssi,
  simState,
  sysinfo,
  type RadioView,
  type Registration,
  type Technology,
} from './network.js';
import { negotiate, TECHNOLOGY_CAPACITY, type Kbps } from './rates.js';
import { newSimCard, powerUp, withState, type SimCard } from './sim-card.js';

export interface Settings {
  echo: boolean;
  verbose: boolean;
  cmee: 0 | 1 | 2;
  cregMode: number;
  cgregMode: number;
  /** ^CURC: Huawei unsolicited reports on. */
  curc: boolean;
  /** +COPS=3,<format>: 0 long, 1 short, 2 numeric. */
  copsFormat: number;
  /** +CGEREP mode: +CGEV reports. */
  cgerep: number;
}

export interface QosRequest {
  readonly trafficClass: number;
  readonly upKbps: number;
  readonly downKbps: number;
}

export interface Session {
  readonly kind: 'ndis' | 'ppp';
  readonly cid: number;
  readonly apn: string;
  readonly since: number;
  negotiated: Kbps;
  /** The request the network applied (at activation or the last +CGCMOD). */
  applied: QosRequest | null;
}

export interface PdpContext {
  readonly type: string;
  readonly apn: string;
}

/** A cell ID and area code for +CREG=2 (hex strings as the stick prints them). */
const LAC = '3F0A';
const CELL_ID = '01A2B3C4';

interface Observed {
  readonly reg: Registration;
  readonly rssi: number;
  readonly mode: string;
  readonly simst: number;
  readonly srvst: number;
}

export type UrcSink = (lines: readonly string[]) => void;

export class StickModel {
  settings!: Settings;
  cfun = 1;
  sim: SimCard;
  simBusyUntil = 0;
  signalDbm: number | null;
  target: Registration;
  technology: Technology;
  cellCapacity: Kbps | null = null;
  deregistered = false;
  /** Registration finished since the conditions last allowed it. */
  attached = false;
  contexts = new Map<number, PdpContext>();
  requested = new Map<number, QosRequest>();
  session: Session | null = null;
  /** A pending ^NDISDUP activation. */
  activation: { readonly cid: number; readonly apn: string; readonly cancel: () => void } | null = null;
  counters: Counters = freshCounters();
  load = { up: 0, down: 0 };
  boots = 0;
  private lastAccrual = 0;
  private registrationTimer: (() => void) | null = null;
  private readonly timers = new Set<() => void>();
  private sink: UrcSink = () => {};
  private readonly sessionWatchers = new Set<(up: boolean) => void>();

  /** Sends unsolicited lines to the host (through the interpreter, which may hold them back). */
  emit(lines: readonly string[]): void {
    if (lines.length > 0) this.sink(lines);
  }

  constructor(readonly config: StickConfig) {
    this.sim = newSimCard({ pin: config.pin, puk: config.puk });
    this.signalDbm = config.signalDbm;
    this.target = config.registration;
    this.technology = config.technology;
    this.resetSettings();
  }

  /** Where unsolicited codes go (the interpreter). */
  onUrc(sink: UrcSink): void {
    this.sink = sink;
  }

  /**
   * Calls `watcher` whenever a data session starts or ends, however it ends (hung up, lost with
   * the network, the stick restarting or unplugged), before the stick reports it: the data
   * plane's mobile link follows. Returns the unsubscribe.
   */
  onSessionChange(watcher: (up: boolean) => void): () => void {
    this.sessionWatchers.add(watcher);
    return () => this.sessionWatchers.delete(watcher);
  }

  private sessionChanged(up: boolean): void {
    for (const watcher of [...this.sessionWatchers]) watcher(up);
  }

  now(): number {
    return this.config.clock.now();
  }

  /** Runs `fn` after `ms` of the simulator's clock (next turn of the event loop for 0); the
   *  timer dies with the stick's power. */
  after(ms: number, fn: () => void): () => void {
    let done = false;
    const run = (): void => {
      if (done) return;
      done = true;
      this.timers.delete(cancel);
      fn();
    };
    let cancelTimer: () => void;
    if (ms <= 0) {
      const handle = setImmediate(run);
      cancelTimer = () => clearImmediate(handle);
    } else {
      cancelTimer = this.config.clock.setTimeout(run, ms);
    }
    const cancel = (): void => {
      done = true;
      this.timers.delete(cancel);
      cancelTimer();
    };
    this.timers.add(cancel);
    return cancel;
  }

  resetSettings(): void {
    this.settings = { echo: true, verbose: true, cmee: 0, cregMode: 0, cgregMode: 0, curc: this.config.urcs, copsFormat: 0, cgerep: 0 };
  }

  // ── Power ──────────────────────────────────────────────────────────────────────────────

  /** Power-up: settings, session, counters and QoS requests start from scratch (they live in
   *  RAM); the SIM asks for its PIN again; registration starts. */
  boot(): void {
    this.powerOff();
    this.boots += 1;
    this.resetSettings();
    this.cfun = 1;
    this.sim = powerUp(this.sim);
    this.simBusyUntil = this.now() + this.config.latency('simBusy');
    this.deregistered = false;
    this.attached = false;
    this.contexts.clear();
    this.requested.clear();
    this.counters = freshCounters();
    this.load = { up: 0, down: 0 };
    this.reconcile();
  }

  /** Power gone: every timer stops, the session is gone (no URCs: nobody is listening). */
  powerOff(): void {
    for (const cancel of [...this.timers]) cancel();
    this.registrationTimer = null;
    this.activation = null;
    const hadSession = this.session !== null;
    if (this.session) endSession(this.counters, this.now());
    this.session = null;
    if (hadSession) this.sessionChanged(false);
  }

  // ── Views ──────────────────────────────────────────────────────────────────────────────

  view(): RadioView {
    const lock = this.sim.lock.kind;
    return {
      cfun: this.cfun,
      simReady: lock === 'ready',
      simPresent: lock !== 'removed',
      signalDbm: this.signalDbm,
      target: this.target,
      registering: !this.attached,
      deregistered: this.deregistered,
      technology: this.technology,
    };
  }

  registration(): Registration {
    return reportedRegistration(this.view());
  }

  simStateValue(): number {
    return simState(this.sim.lock.kind !== 'removed', this.sim.lock.kind === 'blocked');
  }

  capacity(): Kbps {
    return this.cellCapacity ?? TECHNOLOGY_CAPACITY[this.technology]!;
  }

  negotiateFor(request: QosRequest | null): Kbps {
    return negotiate(request, this.config.subscribed, this.capacity(), this.config.rounding);
  }

  private observe(): Observed {
    const v = this.view();
    const m = modeReport(v);
    return { reg: reportedRegistration(v), rssi: rssi(v), mode: `${m.mode},${m.submode}`, simst: this.simStateValue(), srvst: sysinfo(v, this.simStateValue()).srvStatus };
  }

  /** Applies a change and reports what it changed (registration, signal, mode, SIM, session). */
  change(fn: () => void): void {
    this.accrue();
    const before = this.observe();
    fn();
    this.reconcile();
    const after = this.observe();
    this.report(before, after);
  }

  /** Keeps derived state consistent: registration attempts, sessions that lost their network. */
  private reconcile(): void {
    const v = this.view();
    const canRegister = v.cfun === 1 && v.simReady && !v.deregistered && v.signalDbm !== null;
    if (!canRegister) {
      this.attached = false;
      this.registrationTimer?.();
      this.registrationTimer = null;
    } else if (!this.attached && !this.registrationTimer) {
      this.registrationTimer = this.after(this.config.latency('register'), () => {
        this.registrationTimer = null;
        this.change(() => {
          this.attached = true;
        });
      });
    }
    if (!isRegistered(this.view())) {
      if (this.activation) {
        this.activation.cancel();
        this.activation = null;
        this.emit([this.ndisStat(false)]);
      }
      if (this.session) this.dropSession('network');
    } else if (this.session) {
      // The cell may grant less (or more, up to the request) after a technology change.
      this.accrue();
      this.session.negotiated = this.negotiateFor(this.session.applied);
    }
  }

  private report(before: Observed, after: Observed): void {
    const q = this.config.quirks;
    const lines: string[] = [];
    if (this.settings.curc) {
      if (before.simst !== after.simst) lines.push(tag(q, '^SIMST', String(after.simst)));
      if (before.rssi !== after.rssi) lines.push(tag(q, '^RSSI', String(after.rssi)));
      if (before.mode !== after.mode) lines.push(tag(q, '^MODE', after.mode));
      if (before.srvst !== after.srvst) lines.push(tag(q, '^SRVST', String(after.srvst)));
    }
    if (before.reg !== after.reg) {
      const registered = after.reg === 'home' || after.reg === 'roaming';
      const stat = REG_STAT[after.reg];
      const location = registered ? `,"${LAC}","${CELL_ID}"` : '';
      if (this.settings.cregMode === 1) lines.push(`+CREG: ${stat}`);
      if (this.settings.cregMode === 2) lines.push(`+CREG: ${stat}${location}`);
      if (this.settings.cgregMode === 1) lines.push(`+CGREG: ${stat}`);
      if (this.settings.cgregMode === 2) lines.push(`+CGREG: ${stat}${location}`);
    }
    this.emit(lines);
  }

  /** +CREG? / +CGREG? body for mode n. */
  registrationQuery(mode: number): string {
    const reg = this.registration();
    const registered = reg === 'home' || reg === 'roaming';
    const location = mode === 2 && registered ? `,"${LAC}","${CELL_ID}"` : '';
    return `${mode},${REG_STAT[reg]}${location}`;
  }

  // ── Data session ───────────────────────────────────────────────────────────────────────

  ndisStat(up: boolean, cause?: number): string {
    return `^NDISSTAT: ${up ? 1 : 0},${cause ?? ''},,"IPV4"`;
  }

  /** Brings a session up now (the caller checked the network). */
  startSession(kind: 'ndis' | 'ppp', cid: number, apn: string): Session {
    this.accrue();
    const applied = this.requested.get(cid) ?? null;
    const session: Session = { kind, cid, apn, since: this.now(), negotiated: this.negotiateFor(applied), applied };
    this.session = session;
    startSession(this.counters, this.now());
    this.lastAccrual = this.now();
    this.sessionChanged(true);
    if (kind === 'ndis') this.emit([this.ndisStat(true)]);
    return session;
  }

  /** Ends the session; `network` = lost (coverage, SIM, radio), `user` = hung up. */
  dropSession(reason: 'network' | 'user'): void {
    const session = this.session;
    if (!session) return;
    this.accrue();
    endSession(this.counters, this.now());
    this.session = null;
    this.sessionChanged(false);
    const lines: string[] = [];
    if (session.kind === 'ndis') lines.push(this.ndisStat(false));
    if (reason === 'network' && this.settings.cgerep > 0) lines.push('+CGEV: NW DETACH');
    this.emit(lines);
    this.onSessionEnd(session, reason);
  }

  /** Hook for the interpreter (PPP: NO CARRIER and back to command mode). */
  onSessionEnd: (session: Session, reason: 'network' | 'user') => void = () => {};

  /** Counters grow with clock time at the configured load. */
  accrue(): void {
    const now = this.now();
    const session = this.session;
    if (session && (this.load.up > 0 || this.load.down > 0)) {
      const seconds = Math.max(0, now - this.lastAccrual) / 1000;
      addBytes(this.counters, seconds * session.negotiated.upKbps * 125 * this.load.up, seconds * session.negotiated.downKbps * 125 * this.load.down);
    }
    this.lastAccrual = now;
  }

  addTraffic(tx: number, rx: number): void {
    this.accrue();
    addBytes(this.counters, tx, rx);
  }

  clearCounters(): void {
    this.accrue();
    clearCounters(this.counters, this.now());
  }

  readCounters(): ReturnType<typeof readCounters> {
    this.accrue();
    return readCounters(this.counters, this.now());
  }

  // ── Control-surface changes ────────────────────────────────────────────────────────────

  setSim(state: SimCardState): void {
    this.change(() => {
      this.sim = withState(this.sim, state);
    });
  }

  snapshot(plugged: boolean, hung: boolean, hostBytes: number): StickSnapshot {
    const reading = this.readCounters();
    const requested: Record<number, SimRates> = {};
    for (const [cid, r] of this.requested) requested[cid] = { downKbps: r.downKbps, upKbps: r.upKbps };
    const lock = this.sim.lock.kind;
    return {
      plugged,
      hung,
      cfun: this.cfun,
      sim: lock === 'blocked' ? 'puk' : lock,
      pinTriesLeft: this.sim.pinTriesLeft,
      registration: this.registration(),
      technology: this.technology,
      signalDbm: this.signalDbm,
      echo: this.settings.echo,
      cmee: this.settings.cmee,
      cregMode: this.settings.cregMode,
      cgregMode: this.settings.cgregMode,
      urcs: this.settings.curc,
      requested,
      session: this.session
        ? { kind: this.session.kind, cid: this.session.cid, apn: this.session.apn, since: this.session.since, negotiated: { ...this.session.negotiated } }
        : null,
      counters: {
        sessionSeconds: reading.lastSeconds,
        sessionTxBytes: reading.lastTx,
        sessionRxBytes: reading.lastRx,
        totalSeconds: reading.totalSeconds,
        totalTxBytes: reading.totalTx,
        totalRxBytes: reading.totalRx,
      },
      load: { ...this.load },
      boots: this.boots,
      hostBytes,
    };
  }
}
