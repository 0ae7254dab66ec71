// The simulated Huawei stick: a USB device (pty + stable path) wired to the AT interpreter and
// the model, the periodic unsolicited reports, restarts, and the control surface (SimStick).
import type { SimCardState, SimLogger, SimRates, SimRegistration, SimStick, SimTechnology, StickSnapshot, UrcPlacement } from '../index.js';
import { SimulatorError } from '../errors.js';
import { createUsbDevice, type UsbDevice } from '../pty/device.js';
import { randomBytes, type Random } from '../random.js';
import { dsflowReport } from './commands/flow.js';
import type { StickConfig } from './config.js';
import { tag } from './format.js';
import { AtInterpreter } from './interpreter.js';
import { StickModel } from './model.js';

const TECHNOLOGIES: readonly SimTechnology[] = ['gsm', 'gprs', 'edge', 'umts', 'hsdpa', 'hsupa', 'hspa'];
const REGISTRATIONS: readonly SimRegistration[] = ['not-registered', 'home', 'searching', 'denied', 'unknown', 'roaming'];

function fraction(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new SimulatorError('BAD_ARGUMENT', `${name} must be between 0 and 1, got ${value}`);
  return value;
}

function byteCount(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new SimulatorError('BAD_ARGUMENT', `${name} must be a whole number of bytes ≥ 0, got ${value}`);
  return value;
}

export class Stick implements SimStick {
  readonly devicePath: string;
  private readonly device: UsbDevice;
  private readonly model: StickModel;
  private readonly interp: AtInterpreter;
  private closed = false;
  private bootKey = 0;
  private lastSignal: number;
  private restarting: Promise<void> | null = null;
  /** Cancels the restart's pending steps (they run on the clock, outside the model's power). */
  private readonly restartTimers = new Set<() => void>();
  /** Settles a pending restart() when the simulator closes under it. */
  private finishRestart: (() => void) | null = null;

  constructor(
    private readonly config: StickConfig,
    where: { dir?: string; name: string },
    private readonly random: Random,
    private readonly logger: SimLogger | undefined,
  ) {
    this.lastSignal = config.signalDbm ?? -73;
    this.device = createUsbDevice(where);
    this.devicePath = this.device.devicePath;
    this.model = new StickModel(config);
    this.interp = new AtInterpreter({
      model: this.model,
      config,
      write: (data) => {
        this.device.write(data);
      },
      restart: () => {
        void this.restart();
      },
      onCommand: (line) => this.logger?.debug({ line }, 'stick: command'),
      onError: (error, command) => this.logger?.warn({ command, error: error instanceof Error ? error.message : String(error) }, 'stick: command handler failed'),
    });
    this.device.onData((chunk) => this.interp.input(chunk));
  }

  /** Plugs the stick in and powers it up. */
  start(): void {
    this.plugAndBoot();
  }

  private plugAndBoot(): void {
    this.device.plug();
    this.powerUp();
    this.logger?.info({ devicePath: this.devicePath, tty: this.device.ttyPath }, 'stick: plugged in');
  }

  private powerUp(): void {
    this.interp.reset();
    this.interp.powered = true;
    this.model.boot();
    this.bootKey = Math.floor(this.random() * 1e8);
    this.armPeriodic();
  }

  /** ^DSFLOWRPT while a session is up, ^BOOT on an idle port; both die with the power. */
  private armPeriodic(): void {
    const dsflow = this.config.dsflowReportIntervalMs;
    if (dsflow !== null && dsflow > 0) {
      const tick = (): void => {
        const report = this.model.settings.curc ? dsflowReport(this.model, this.config) : null;
        if (report && this.model.session?.kind === 'ndis') this.interp.urc([report]);
        this.model.after(dsflow, tick);
      };
      this.model.after(dsflow, tick);
    }
    const boot = this.config.bootUrcIntervalMs;
    if (boot !== null && boot > 0) {
      const tick = (): void => {
        if (this.model.settings.curc) this.interp.urc([tag(this.config.quirks, '^BOOT', `${String(this.bootKey).padStart(8, '0')},0,0,0,72`)]);
        this.model.after(boot, tick);
      };
      this.model.after(boot, tick);
    }
  }

  private requirePlugged(): void {
    if (this.closed) throw new SimulatorError('CLOSED', 'the simulator is closed');
    if (!this.device.plugged) throw new SimulatorError('NOT_PLUGGED', 'the stick is unplugged');
  }

  snapshot(): StickSnapshot {
    return this.model.snapshot(this.device.plugged, this.interp.hung, this.interp.hostBytes);
  }

  /** For the simulator's data plane (not on SimStick): a data session started (true) or ended. */
  onSessionChange(watcher: (up: boolean) => void): () => void {
    return this.model.onSessionChange(watcher);
  }

  commands(): readonly string[] {
    return this.interp.commandsReceived();
  }

  async waitForCommand(match: string | RegExp, options: { sinceIndex?: number; timeoutMs?: number } = {}): Promise<string> {
    const found = this.interp.waitFor(match, options.sinceIndex ?? 0);
    if (typeof found === 'string') return found;
    const timeoutMs = options.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SimulatorError('BAD_ARGUMENT', `no command matching ${String(match)} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([found, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ── Network ──────────────────────────────────────────────────────────────────────────────

  setSignal(dbm: number | null): void {
    if (dbm !== null && (!Number.isFinite(dbm) || dbm < -130 || dbm > -30)) throw new SimulatorError('BAD_ARGUMENT', `signal must be −130…−30 dBm or null, got ${dbm}`);
    if (dbm !== null) this.lastSignal = dbm;
    this.model.change(() => {
      this.model.signalDbm = dbm;
    });
  }

  setCoverage(on: boolean): void {
    this.setSignal(on ? this.lastSignal : null);
  }

  setRegistration(registration: SimRegistration): void {
    if (!REGISTRATIONS.includes(registration)) throw new SimulatorError('BAD_ARGUMENT', `unknown registration ${String(registration)}`);
    this.model.change(() => {
      this.model.target = registration;
    });
  }

  setTechnology(technology: SimTechnology): void {
    if (!TECHNOLOGIES.includes(technology)) throw new SimulatorError('BAD_ARGUMENT', `unknown technology ${String(technology)}`);
    this.model.change(() => {
      this.model.technology = technology;
    });
  }

  setCellCapacity(rates: SimRates | null): void {
    if (rates !== null && !(rates.downKbps > 0 && rates.upKbps > 0)) throw new SimulatorError('BAD_ARGUMENT', 'cell capacity must be positive kbit/s');
    this.model.change(() => {
      this.model.cellCapacity = rates === null ? null : { downKbps: rates.downKbps, upKbps: rates.upKbps };
    });
  }

  setSim(state: SimCardState): void {
    if (!['ready', 'pin', 'puk', 'removed'].includes(state)) throw new SimulatorError('BAD_ARGUMENT', `unknown SIM state ${String(state)}`);
    this.model.setSim(state);
  }

  // ── Traffic ──────────────────────────────────────────────────────────────────────────────

  generateTraffic(traffic: { seconds: number; load?: { up?: number; down?: number } } | { txBytes?: number; rxBytes?: number }): void {
    const session = this.model.session;
    if (!session) throw new SimulatorError('NO_SESSION', 'no data session is up');
    if ('seconds' in traffic) {
      if (!Number.isFinite(traffic.seconds) || traffic.seconds < 0) throw new SimulatorError('BAD_ARGUMENT', `seconds must be ≥ 0, got ${traffic.seconds}`);
      const up = fraction(traffic.load?.up, 'load.up') ?? 1;
      const down = fraction(traffic.load?.down, 'load.down') ?? 1;
      this.model.addTraffic(Math.floor(traffic.seconds * session.negotiated.upKbps * 125 * up), Math.floor(traffic.seconds * session.negotiated.downKbps * 125 * down));
      return;
    }
    this.model.addTraffic(byteCount(traffic.txBytes, 'txBytes'), byteCount(traffic.rxBytes, 'rxBytes'));
  }

  setLoad(load: { up?: number; down?: number }): void {
    const up = fraction(load.up, 'load.up');
    const down = fraction(load.down, 'load.down');
    this.model.accrue();
    this.model.load = { up: up ?? this.model.load.up, down: down ?? this.model.load.down };
  }

  // ── Unsolicited codes ────────────────────────────────────────────────────────────────────

  sendUrc(...lines: string[]): void {
    this.interp.urc(lines);
  }

  injectUrcs(lines: readonly string[], options: { at?: UrcPlacement; command?: string | RegExp } = {}): void {
    this.interp.inject([...lines], options.at ?? 'after-echo', options.command);
  }

  // ── Faults ───────────────────────────────────────────────────────────────────────────────

  async unplug(): Promise<void> {
    if (this.closed || !this.device.plugged) return;
    this.model.powerOff();
    this.interp.reset();
    this.device.unplug();
    this.logger?.info({ devicePath: this.devicePath }, 'stick: unplugged');
  }

  async replug(): Promise<void> {
    if (this.closed) throw new SimulatorError('CLOSED', 'the simulator is closed');
    if (this.device.plugged) throw new SimulatorError('ALREADY_PLUGGED', 'the stick is already plugged in');
    this.plugAndBoot();
  }

  restart(): Promise<void> {
    this.requirePlugged();
    if (this.restarting) return this.restarting;
    const latency = this.config.latency;
    this.restarting = new Promise<void>((resolve) => {
      const done = (): void => {
        this.restarting = null;
        this.finishRestart = null;
        resolve();
      };
      this.finishRestart = done;
      // Timers on the clock, not the model's: the model's die with its power.
      const later = (ms: number, fn: () => void): void => {
        const run = (): void => {
          this.restartTimers.delete(cancel);
          fn();
        };
        let cancel: () => void;
        if (ms <= 0) {
          const handle = setImmediate(run);
          cancel = () => clearImmediate(handle);
        } else cancel = this.config.clock.setTimeout(run, ms);
        this.restartTimers.add(cancel);
      };
      if (this.config.resetMode === 'reenumerate') {
        later(latency('resetDetach'), () => {
          if (this.closed) return done();
          const reboot = (): void =>
            later(latency('reboot'), () => {
              if (!this.closed && !this.device.plugged) this.plugAndBoot();
              done();
            });
          void this.drained()
            .then(() => this.unplug())
            .then(reboot);
        });
      } else {
        this.model.powerOff();
        this.interp.reset();
        this.interp.powered = false;
        later(latency('reboot'), () => {
          if (!this.closed && this.device.plugged) this.powerUp();
          done();
        });
      }
    });
    return this.restarting;
  }

  /** Resolves once the host has read what the stick wrote (the OK of +CFUN=1,1 must not die
   *  in the pty's buffer with the hang-up), or after five seconds if nobody reads (a loaded
   *  host can take over a second to read). */
  private async drained(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.device.unread() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  hang(): void {
    this.interp.hung = true;
  }

  unhang(): void {
    this.interp.unhang();
  }

  injectGarbage(bytes?: Uint8Array | string, length = 16): void {
    this.requirePlugged();
    const data = bytes ?? randomBytes(this.random, length);
    this.device.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  truncateNextReply(keepBytes?: number): void {
    if (keepBytes !== undefined && (!Number.isSafeInteger(keepBytes) || keepBytes < 0)) throw new SimulatorError('BAD_ARGUMENT', `keepBytes must be ≥ 0, got ${keepBytes}`);
    this.interp.truncateNext(keepBytes);
  }

  setAnswerDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new SimulatorError('BAD_ARGUMENT', `delay must be ≥ 0 ms, got ${ms}`);
    this.interp.answerDelayMs = ms;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of [...this.restartTimers]) cancel();
    this.restartTimers.clear();
    this.finishRestart?.();
    this.model.powerOff();
    this.interp.reset();
    this.device.dispose();
  }
}
