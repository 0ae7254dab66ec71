// Layer 2 of the AT stack: the command channel. One command in flight (the rest wait in a
// queue), a budget per command, every final result classified into success or a typed
// ModemError, and unsolicited codes handed to their handlers wherever they fall: before the
// echo, between the echo and the reply, inside a multi-line reply, right after `OK`.
//
// A line whose tag has a URC handler is still part of the reply when the command in flight
// claims it (`claims`): `+CREG: 1,1` answers `AT+CREG?`, while `+CREG: 1` is the unsolicited
// form arriving meanwhile. The dialect module decides that by the reply's form.
import type { Clock, Cancel } from '../../../shared/clock.js';
import type { Logger } from '../../../shared/log.js';
import { ModemError } from '../errors.js';
import { LineFramer } from '../framing/line-framer.js';
import { classifyFinal, finalError } from './final-result.js';
import type { AtPort, PortClosed } from './port.js';
import { UrcRegistry, type UrcHandler } from './urc-registry.js';

export interface CommandOptions {
  /** Budget for the final result, ms. Default: the channel's `defaultTimeoutMs`. */
  readonly timeoutMs?: number;
  /** True for lines (with a URC handler's tag) that are this command's reply. */
  readonly claims?: (line: string) => boolean;
  /** Text for logs and errors instead of the command (`AT+CPIN=****`). */
  readonly logAs?: string;
}

export interface AtResponse {
  /** Information lines of the reply, in order (no echo, no URCs, no final result). */
  readonly lines: readonly string[];
  /** `ok`, or `connect` (with the text after CONNECT) for a dial. */
  readonly final: 'ok' | 'connect';
  readonly connectText?: string;
}

export interface AtChannelOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default 3000 (ModemManager's default command timeout). */
  readonly defaultTimeoutMs?: number;
}

interface Pending {
  readonly command: string;
  readonly logAs: string;
  readonly timeoutMs: number;
  readonly claims: ((line: string) => boolean) | undefined;
  readonly resolve: (response: AtResponse) => void;
  readonly reject: (error: ModemError) => void;
}

interface InFlight extends Pending {
  readonly lines: string[];
  readonly sentAt: number;
  cancelTimer: Cancel;
}

export class AtChannel {
  private readonly framer: LineFramer;
  private readonly urcs = new UrcRegistry();
  private readonly queue: Pending[] = [];
  private readonly closeListeners: Array<(closed: PortClosed) => void> = [];
  private readonly defaultTimeoutMs: number;
  private inFlight: InFlight | null = null;
  private closed: PortClosed | null = null;
  private timeoutsInARow = 0;
  private lastHeardAt: number | null = null;

  constructor(
    private readonly port: AtPort,
    private readonly options: AtChannelOptions,
  ) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 3000;
    this.framer = new LineFramer({
      onDiscard: (reason, bytes) => options.logger.debug({ reason, bytes }, 'noise on the line dropped'),
    });
    this.framer.on('data', (line: string) => this.onLine(line));
    port.onData((chunk) => {
      this.lastHeardAt = options.clock.now();
      this.framer.write(chunk);
    });
    port.onClose((closed) => this.onClosed(closed));
  }

  /** Sends one command (`AT…`, without `\r`); resolves on OK/CONNECT, rejects with ModemError. */
  send(command: string, options: CommandOptions = {}): Promise<AtResponse> {
    return new Promise<AtResponse>((resolve, reject) => {
      const logAs = options.logAs ?? command;
      if (this.closed) {
        reject(new ModemError('closed', `${logAs}: the port is closed (${this.closed.reason})`, { command: logAs }));
        return;
      }
      this.queue.push({ command, logAs, timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs, claims: options.claims, resolve, reject });
      this.pump();
    });
  }

  /** Handles unsolicited lines with this tag (`^RSSI`, `+CREG`); returns the remover. */
  onUrc(tag: string, handler: UrcHandler): () => void {
    return this.urcs.on(tag, handler);
  }

  onClose(listener: (closed: PortClosed) => void): void {
    if (this.closed) listener(this.closed);
    else this.closeListeners.push(listener);
  }

  /** Final-result-less commands in a row (reset by any final result). */
  get consecutiveTimeouts(): number {
    return this.timeoutsInARow;
  }

  /** Clock time of the last byte from the stick, or null. */
  get lastHeard(): number | null {
    return this.lastHeardAt;
  }

  get isClosed(): boolean {
    return this.closed !== null;
  }

  /** Closes the port; whatever waits is rejected with `closed`. */
  async close(): Promise<void> {
    await this.port.close();
    this.onClosed({ disconnected: false, reason: 'closed' });
  }

  private pump(): void {
    if (this.inFlight || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    const { clock } = this.options;
    const flight: InFlight = { ...next, lines: [], sentAt: clock.now(), cancelTimer: () => {} };
    this.inFlight = flight;
    flight.cancelTimer = clock.setTimeout(() => this.onTimeout(flight), next.timeoutMs);
    // Bytes heard before the command went out cannot be its reply or its echo: a half line of
    // noise left there would be glued to the echo or the first reply line (`!AT+CGMM`, read as
    // the model). A URC cut in two by this instant is lost; the polls catch up with it.
    this.framer.discardPartial();
    this.framer.expectEcho(next.command);
    this.port.write(`${next.command}\r`).catch((error: unknown) => {
      if (this.inFlight !== flight) return;
      this.finish(flight);
      flight.reject(error instanceof ModemError ? error : new ModemError('closed', `${flight.logAs}: write failed`, { command: flight.logAs, cause: error }));
    });
  }

  private onLine(line: string): void {
    const flight = this.inFlight;
    if (flight) {
      const final = classifyFinal(line);
      if (final) {
        this.timeoutsInARow = 0;
        this.finish(flight);
        const elapsedMs = this.options.clock.now() - flight.sentAt;
        if (final.kind === 'error') {
          const error = finalError(final, flight.logAs);
          this.options.logger.debug({ command: flight.logAs, result: final.line, elapsedMs }, 'AT command failed');
          flight.reject(error);
        } else {
          this.options.logger.debug({ command: flight.logAs, lines: flight.lines.length, elapsedMs }, 'AT command done');
          flight.resolve(final.kind === 'ok' ? { lines: flight.lines, final: 'ok' } : { lines: flight.lines, final: 'connect', connectText: final.text });
        }
        return;
      }
      if (this.urcs.handles(line) && !(flight.claims?.(line) ?? false)) {
        this.dispatchUrc(line);
        return;
      }
      flight.lines.push(line);
      return;
    }
    // Nothing in flight: an unsolicited code, or the late end of a reply that timed out.
    if (!this.dispatchUrc(line)) this.options.logger.debug({ tag: line.slice(0, 16) }, 'unsolicited line without a handler');
  }

  private dispatchUrc(line: string): boolean {
    return this.urcs.dispatch(line, (error) => this.options.logger.warn({ err: error, tag: line.slice(0, 16) }, 'URC handler failed'));
  }

  private onTimeout(flight: InFlight): void {
    if (this.inFlight !== flight) return;
    this.timeoutsInARow++;
    // The rest of a truncated reply is not coming; its start must not prefix the next one.
    this.framer.discardPartial();
    this.framer.expectEcho(null);
    this.options.logger.debug({ command: flight.logAs, timeoutMs: flight.timeoutMs, inARow: this.timeoutsInARow }, 'AT command timed out');
    this.finish(flight);
    flight.reject(new ModemError('timeout', `${flight.logAs}: no answer within ${flight.timeoutMs} ms`, { command: flight.logAs }));
  }

  /** Ends the command in flight and sends the next one. */
  private finish(flight: InFlight): void {
    flight.cancelTimer();
    this.inFlight = null;
    queueMicrotask(() => this.pump());
  }

  private onClosed(closed: PortClosed): void {
    if (this.closed) return;
    this.closed = closed;
    const waiting = [...(this.inFlight ? [this.inFlight] : []), ...this.queue.splice(0)];
    if (this.inFlight) this.inFlight.cancelTimer();
    this.inFlight = null;
    for (const pending of waiting) {
      pending.reject(new ModemError('closed', `${pending.logAs}: the port closed (${closed.reason})`, { command: pending.logAs }));
    }
    for (const listener of this.closeListeners) listener(closed);
  }
}
