// The thin runner under the modem's state machine: feeds it inputs one at a time, carries out
// its effects (open/close the port, run jobs, set timers, announce events), turns unsolicited
// codes into inputs, and answers the API calls that go straight to the stick (rates, counters).
import type { Cancel } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { Rates } from '../../shared/service.js';
import type { DataCounters, Modem, ModemEvent, ModemSnapshot } from './api.js';
import { AtChannel } from './channel/at-channel.js';
import { openSerialPort } from './channel/port.js';
import { isModemError, ModemError } from './errors.js';
import { at, CID, requestQos } from './huawei/commands.js';
import { parseCgeqneg, parseDsflowQry } from './huawei/data.js';
import { findTagged } from './huawei/fields.js';
import { snapRates } from './huawei/rate-grid.js';
import { runJob, type JobContext, type PortMemory } from './jobs.js';
import { effectiveRegistration, publicState } from './machine/public-state.js';
import { initialState, transition } from './machine/transition.js';
import type { Effect, Input, Job, MachineConfig, MachineState, TimerName } from './machine/types.js';
import type { ResolvedModemOptions } from './options.js';
import { registerUrcs } from './urcs.js';

export class ModemRunner implements Modem {
  private state: MachineState = initialState();
  private readonly config: MachineConfig;
  private readonly log: Logger;
  private channel: { readonly generation: number; readonly at: AtChannel; readonly told: PortMemory } | null = null;
  private readonly timers = new Map<TimerName, Cancel>();
  private readonly listeners = new Set<(event: ModemEvent) => void>();
  private readonly inbox: Input[] = [];
  private dispatching = false;
  private last: ModemSnapshot;
  private requested: Rates | null = null;
  private closing: Promise<void> = Promise.resolve();
  private firstOpen: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(private readonly options: ResolvedModemOptions) {
    this.log = options.logger;
    this.config = { hasPin: options.pin !== null, timing: options.timing, recovery: options.recovery };
    this.last = this.snapshot();
  }

  // ---- the Modem interface ----

  async start(): Promise<void> {
    if (this.state.phase.name !== 'stopped') return;
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstOpen = { promise, resolve };
    this.dispatch({ type: 'start' });
    await promise;
  }

  async stop(): Promise<void> {
    this.dispatch({ type: 'stop' });
    await this.closing;
  }

  snapshot(): ModemSnapshot {
    const s = this.state;
    const present = s.present && s.phase.name !== 'stopped';
    return {
      state: publicState(s),
      registration: effectiveRegistration(s.radio),
      technology: s.radio.technology,
      signalDbm: s.radio.signalDbm,
      operator: s.radio.operator,
      identity: present ? s.identity : null,
      negotiated: s.negotiated,
      sessionWanted: s.wanted && s.allowed,
    };
  }

  on(listener: (event: ModemEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setSessionWanted(wanted: boolean): void {
    this.dispatch({ type: 'want', wanted });
  }

  setDataAllowed(allowed: boolean): void {
    this.dispatch({ type: 'allow', allowed });
  }

  async requestRates(rates: Rates): Promise<Rates | null> {
    const snapped = snapRates(rates);
    const command = requestQos(snapped); // validates before anything is remembered
    this.requested = snapped;
    const channel = this.readyChannel('AT+CGEQREQ');
    await channel.send(command.text, { timeoutMs: this.options.timeouts.commandMs });
    if (this.state.phase.name !== 'connected') return null;
    await channel.send(at.modify, { timeoutMs: this.options.timeouts.modifyMs });
    const reply = await channel.send(at.negotiated, { timeoutMs: this.options.timeouts.commandMs });
    const negotiated = parseCgeqneg(reply.lines, CID);
    this.dispatch({ type: 'negotiated', rates: negotiated });
    return negotiated;
  }

  async readCounters(): Promise<DataCounters> {
    const channel = this.readyChannel(at.flowQuery);
    const reply = await channel.send(at.flowQuery, { timeoutMs: this.options.timeouts.commandMs });
    const found = findTagged(reply.lines, '^DSFLOWQRY');
    const flow = found ? parseDsflowQry(found.line) : null;
    if (!flow) throw new ModemError('bad-reply', `${at.flowQuery}: no readable ^DSFLOWQRY line`, { command: at.flowQuery });
    return {
      sessionTxBytes: flow.lastTxBytes,
      sessionRxBytes: flow.lastRxBytes,
      sessionSeconds: flow.lastSeconds,
      totalTxBytes: flow.totalTxBytes,
      totalRxBytes: flow.totalRxBytes,
      readAt: this.options.clock.now(),
    };
  }

  // ---- the machine ----

  /** Feeds one input; inputs that arrive while effects run wait their turn. */
  private dispatch(input: Input): void {
    this.inbox.push(input);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.inbox.shift(); next; next = this.inbox.shift()) {
        const { state, effects } = transition(this.state, next, this.config, this.options.clock.now());
        this.state = state;
        for (const effect of effects) this.apply(effect);
        this.announceState();
      }
    } finally {
      this.dispatching = false;
    }
  }

  private apply(effect: Effect): void {
    switch (effect.type) {
      case 'open':
        this.open(effect.generation);
        return;
      case 'close':
        this.close(effect.generation, effect.hangUpFirst);
        return;
      case 'run':
        this.run(effect.generation, effect.job, effect.what);
        return;
      case 'set-timer': {
        this.timers.get(effect.name)?.();
        const name = effect.name;
        const cancel = this.options.clock.setTimeout(() => {
          if (this.timers.get(name) !== cancel) return;
          this.timers.delete(name);
          this.dispatch({ type: 'timer', name });
        }, effect.ms);
        this.timers.set(name, cancel);
        return;
      }
      case 'cancel-timer':
        this.timers.get(effect.name)?.();
        this.timers.delete(effect.name);
        return;
      case 'lost':
        this.emit({ type: 'lost', reason: effect.reason });
        return;
      case 'found':
        this.emit({ type: 'found', identity: effect.identity });
        return;
      case 'reset':
        this.emit({ type: 'reset', step: effect.step, reason: effect.reason });
        return;
      case 'log':
        this.log[effect.level]({ ...effect.data, state: publicState(this.state) }, effect.message);
        return;
    }
  }

  private open(generation: number): void {
    const openPort = this.options.openPort ?? openSerialPort;
    const settleFirstOpen = (): void => {
      this.firstOpen?.resolve();
      this.firstOpen = null;
    };
    // Wait for a close of the previous port (a reopen) before opening the device again.
    void this.closing
      .then(() => openPort(this.options.devicePath))
      .then(
        (port) => {
          if (generation !== this.state.generation || this.state.phase.name === 'stopped') {
            void port.close();
            return;
          }
          const channel = new AtChannel(port, { clock: this.options.clock, logger: this.log, defaultTimeoutMs: this.options.timeouts.commandMs });
          registerUrcs(channel, {
            onInput: (urc) => this.dispatch({ type: 'urc', generation, urc }),
            onCounters: (counters) => this.emit({ type: 'counters', counters: { ...counters, readAt: this.options.clock.now() } }),
            logger: this.log,
          });
          channel.onClose((closed) => this.dispatch({ type: 'closed', generation, reason: closed.reason }));
          this.channel = { generation, at: channel, told: { cregMode: null } };
          this.log.info({ devicePath: this.options.devicePath }, 'modem device opened');
          this.dispatch({ type: 'opened', generation });
        },
        (error: unknown) => {
          this.log.debug({ devicePath: this.options.devicePath, err: (error as Error).message }, 'modem device not opened');
          this.dispatch({ type: 'open-failed', generation, reason: (error as Error).message });
        },
      )
      .finally(settleFirstOpen);
  }

  private close(generation: number, hangUpFirst: boolean): void {
    const current = this.channel;
    if (!current || current.generation !== generation) return;
    this.channel = null;
    const channel = current.at;
    this.closing = (async () => {
      if (hangUpFirst) {
        await channel.send(at.ndisDown, { timeoutMs: this.options.timeouts.dialMs }).catch((error: unknown) => {
          this.log.warn({ err: (error as Error).message }, 'hang-up before closing failed');
        });
      }
      await channel.close().catch(() => {});
    })();
  }

  private run(generation: number, job: number, what: Job): void {
    const current = this.channel;
    const fail = (error: unknown): void => {
      const modemError = isModemError(error) ? error : new ModemError('bad-reply', (error as Error).message ?? String(error), { cause: error });
      this.dispatch({
        type: 'job-failed',
        generation,
        job,
        kind: what.kind,
        error: { code: modemError.code, cme: modemError.cme?.name ?? null, message: modemError.message },
      });
    };
    if (!current || current.generation !== generation) {
      queueMicrotask(() => fail(new ModemError('closed', `${what.kind}: no open port`)));
      return;
    }
    const context: JobContext = {
      channel: current.at,
      apn: this.options.apn,
      pin: this.options.pin,
      timeouts: this.options.timeouts,
      resetCommand: this.options.recovery.resetCommand,
      requestedRates: () => this.requested,
      told: current.told,
      logger: this.log,
    };
    runJob(what, context).then((result) => this.dispatch({ type: 'job-done', generation, job, result }), fail);
  }

  /** The port, if the stick is open and past its init (rates and counters need that). */
  private readyChannel(command: string): AtChannel {
    const phase = this.state.phase.name;
    const ready = phase !== 'stopped' && phase !== 'absent' && phase !== 'opening' && phase !== 'settling' && !(phase === 'initialising' && this.state.phase.step !== 'setup');
    if (!this.channel || !ready) throw new ModemError('absent', `${command}: the stick is not ready (${publicState(this.state)})`, { command });
    return this.channel.at;
  }

  private announceState(): void {
    const next = this.snapshot();
    if (sameSnapshot(this.last, next)) return;
    this.last = next;
    this.emit({ type: 'state', snapshot: next });
  }

  private emit(event: ModemEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, event: event.type }, 'modem event listener failed');
      }
    }
  }
}

function sameSnapshot(a: ModemSnapshot, b: ModemSnapshot): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
