// Watches the FRITZ!Box over TR-064: reads its identity once (R1), then polls the line at a short
// interval and hands each poll's classified observation to a listener. I/O only; what the
// observations mean is decided in failover/dsl-view.ts.
import type { Cancel, Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import { supportedModel, SUPPORTED_MODELS, type SupportedModel } from '../../shared/service.js';
import { AgentError, describeError } from '../errors.js';
import { classifyLine, unreachableObservation, type LineObservation } from './line-reading.js';
import type { Tr064Client } from './tr064-client.js';

export const SERVICE = {
  deviceInfo: 'urn:dslforum-org:service:DeviceInfo:1',
  commonIf: 'urn:dslforum-org:service:WANCommonInterfaceConfig:1',
  dslIf: 'urn:dslforum-org:service:WANDSLInterfaceConfig:1',
  ppp: 'urn:dslforum-org:service:WANPPPConnection:1',
  ip: 'urn:dslforum-org:service:WANIPConnection:1',
} as const;

export interface RouterIdentity {
  readonly modelName: string;
  readonly firmware: string;
  readonly model: SupportedModel;
}

/** DeviceInfo GetInfo; an unsupported model is refused with its name (R1). */
export async function readRouterIdentity(client: Tr064Client): Promise<RouterIdentity> {
  const info = await client.call(SERVICE.deviceInfo, 'GetInfo');
  const modelName = (info['NewModelName'] ?? '').trim();
  const firmware = (info['NewSoftwareVersion'] ?? '').trim() || 'unknown';
  const model = supportedModel(modelName);
  if (model === null) {
    throw new AgentError(
      'unsupported-router',
      `unsupported router model "${modelName || '(none reported)'}": ServicePlus supports FRITZ!Box ${SUPPORTED_MODELS.join(', ')} (R1)`,
    );
  }
  return { modelName: modelName.slice(0, 64), firmware: firmware.slice(0, 64), model };
}

export interface LineWatchOptions {
  readonly client: Tr064Client;
  readonly clock: Clock;
  readonly log: Logger;
  /** Time between the starts of two polls (default 250 ms). */
  readonly intervalMs: number;
  /** How often the slower DSL detail (status and rates) is read besides a link change (default 10 s). */
  readonly dslInfoEveryMs: number;
  /**
   * While the line is up, the connection's status is read at every Nth poll (default 2: every
   * 500 ms), the link status at every poll; once a poll is not `up`, both at every poll. A DSL
   * cut shows in the link status; only a PPP drop with sync kept waits up to one poll longer.
   */
  readonly connectionEvery?: number;
  /**
   * Once the line has not been up for `slowAfterMs`, polls every `slowIntervalMs` until it is up
   * again (defaults 10 s and 1 s). By then the failover is decided and done; on mobile only the
   * line's return matters, and the failback waits for 30 s of stable line anyway, so a second
   * more to notice it costs nothing, while polling at full rate through an hours-long outage
   * was most of the agent's CPU on mobile (issue 9, bench/footprint.ts).
   */
  readonly slowIntervalMs?: number;
  readonly slowAfterMs?: number;
  readonly onObservation: (observation: LineObservation, at: number) => void;
}

export class LineWatch {
  private running = false;
  private cancelTimer: Cancel | null = null;
  private connectionService: string | null | undefined;
  private hasDslInfo = true;
  private lastPhysical: string | null = null;
  private lastDslInfoAt = -Infinity;
  private rates: { downKbps: number | null; upKbps: number | null; dslStatus: string | null } = { downKbps: null, upKbps: null, dslStatus: null };
  private inFlight: Promise<void> | null = null;
  private polls = 0;
  private lastKind: LineObservation['kind'] | null = null;
  private lastConnection: Record<string, string> | null = null;
  /** When the line was last seen leaving `up`; null while up. */
  private notUpSince: number | null = null;

  constructor(private readonly options: LineWatchOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.cancelTimer = this.options.clock.setTimeout(() => {
      const started = this.options.clock.now();
      this.inFlight = this.pollOnce().finally(() => {
        this.inFlight = null;
        this.schedule(this.intervalMs() - (this.options.clock.now() - started));
      });
    }, Math.max(0, delayMs));
  }

  /** The time between two polls now: the full rate, or the slow one in a long outage. */
  private intervalMs(): number {
    const { intervalMs, slowIntervalMs = 1_000, slowAfterMs = 10_000, clock } = this.options;
    const slow = this.notUpSince !== null && clock.now() - this.notUpSince >= slowAfterMs;
    return slow ? Math.max(intervalMs, slowIntervalMs) : intervalMs;
  }

  /** One poll; never throws (a failure is an `unreachable` observation). */
  async pollOnce(): Promise<void> {
    const { client, clock } = this.options;
    let observation: LineObservation;
    try {
      const connection = await this.connectionServiceType();
      const readConnection = connection !== null && (this.lastKind !== 'up' || this.polls++ % Math.max(1, this.options.connectionEvery ?? 2) === 0);
      const [link, conn] = await Promise.all([
        client.call(SERVICE.commonIf, 'GetCommonLinkProperties'),
        readConnection ? client.call(connection, 'GetStatusInfo').catch((error: unknown) => this.optional(error)) : Promise.resolve(this.lastConnection),
      ]);
      if (readConnection) this.lastConnection = conn;
      const physical = link['NewPhysicalLinkStatus'] ?? null;
      const now = clock.now();
      if (this.hasDslInfo && (physical !== this.lastPhysical || now - this.lastDslInfoAt >= this.options.dslInfoEveryMs)) {
        await this.readDslInfo(now);
      }
      this.lastPhysical = physical;
      observation = classifyLine({
        physical,
        connection: conn?.['NewConnectionStatus'] ?? null,
        lastConnectionError: conn?.['NewLastConnectionError'] ?? null,
        dslStatus: physical !== null && physical.trim().toLowerCase() !== 'up' ? this.rates.dslStatus : null,
        downKbps: this.rates.downKbps,
        upKbps: this.rates.upKbps,
      });
    } catch (error) {
      if (error instanceof AgentError && error.code === 'router-auth') this.options.log.error({ err: describeError(error) }, 'router refused the TR-064 credentials');
      observation = unreachableObservation(describeError(error));
    }
    this.lastKind = observation.kind;
    if (observation.kind !== 'up') this.polls = 0; // back up: the next poll reads the connection too
    this.notUpSince = observation.kind === 'up' ? null : (this.notUpSince ?? clock.now());
    if (this.running) this.options.onObservation(observation, clock.now());
  }

  private async readDslInfo(now: number): Promise<void> {
    try {
      const info = await this.options.client.call(SERVICE.dslIf, 'GetInfo');
      this.lastDslInfoAt = now;
      this.rates = {
        downKbps: toKbps(info['NewDownstreamCurrRate']),
        upKbps: toKbps(info['NewUpstreamCurrRate']),
        dslStatus: info['NewStatus']?.trim() || null,
      };
    } catch (error) {
      this.optional(error);
      this.lastDslInfoAt = now; // a fault: try again at the next interval, not at every poll
      if (error instanceof AgentError && error.code === 'router-service-missing') {
        this.hasDslInfo = false;
        this.options.log.warn('the router offers no WANDSLInterfaceConfig; DSL rates will not be reported');
      } else {
        this.options.log.debug({ err: describeError(error) }, 'WANDSLInterfaceConfig GetInfo failed');
      }
    }
  }

  /** PPP on most lines; an IP connection where the box is not the PPP end. */
  private async connectionServiceType(): Promise<string | null> {
    if (this.connectionService !== undefined) return this.connectionService;
    const { client } = this.options;
    this.connectionService = (await client.has(SERVICE.ppp)) ? SERVICE.ppp : (await client.has(SERVICE.ip)) ? SERVICE.ip : null;
    if (this.connectionService === null) this.options.log.warn('the router offers no WANPPPConnection or WANIPConnection; judging the line by its link status only');
    return this.connectionService;
  }

  /** A failed optional call: silence (unreachable) propagates, a fault just leaves the value out. */
  private optional(error: unknown): null {
    if (error instanceof AgentError && error.code === 'router-unreachable') throw error;
    return null;
  }
}

function toKbps(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number.parseInt(value.trim(), 10);
  return Number.isFinite(n) && n >= 0 && n <= 1_000_000 ? n : null;
}
