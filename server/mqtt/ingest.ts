// Every message from a device passes here: topic, device, size, JSON and schema are checked
// (the shared codec), then the telemetry service stores it. A bad message is counted by reason
// and logged (at most a few lines a minute per reason), and never stops the ingest.
import { decodeMessage, parseTopic, TOPIC_SPECS, type MessageOf, type TopicKind } from '../../shared/contract/index.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { DatabaseHandle } from '../db/database.js';
import { isStoreUnavailable } from '../db/unavailable.js';
import { getDevice, type DeviceRow } from '../store/devices.js';
import type { IngestOutcome, TelemetryService } from '../services/telemetry.js';
import { IngestStats, refusalOf, type IngestRefusal } from './ingest-stats.js';

const LOG_LINES_PER_MINUTE = 10;
/** The longest wait between two tries to store a message while the store is out of reach. */
const RETRY_MAX_MS = 5_000;

export class Ingest {
  readonly stats = new IngestStats();
  private readonly logWindow = new Map<IngestRefusal, { start: number; lines: number }>();

  constructor(
    private readonly store: DatabaseHandle,
    private readonly telemetry: TelemetryService,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Told of every message that changed something (the NOC dashboard's live feed). */
    private readonly onStored: (deviceId: string, kind: TopicKind) => void = () => {},
  ) {}

  /** Handles one message; never throws. */
  async handle(topic: string, payload: Buffer): Promise<void> {
    this.stats.countReceived();
    const parsed = parseTopic(topic);
    if (!parsed || TOPIC_SPECS[parsed.kind].direction !== 'up') return this.refuse('unknown-topic', { topic });
    for (let attempt = 0; ; attempt++) {
      try {
        const device = await getDevice(this.store.db, parsed.deviceId);
        if (!device || device.revoked_at !== null) return this.refuse('unknown-device', { topic }, 'debug');
        // An empty payload clears a retained message; nothing to store. Checked after the device,
        // so another server's routers clearing theirs on a shared broker count as unknown devices.
        if (payload.length === 0) return this.refuse('empty-payload', { topic }, 'debug');
        const outcome = await this.dispatch(parsed.kind, device, payload);
        if (outcome === null) return;
        if (outcome === 'stored') {
          this.stats.countStored(parsed.kind);
          this.onStored(device.id, parsed.kind);
        } else this.stats.countIgnored(outcome);
        if (attempt > 0) this.log.info({ topic, attempts: attempt + 1 }, 'store back; held message stored');
        return;
      } catch (error) {
        // Issue 11: the store is out of reach. The message is held, not acknowledged, and tried
        // again (the handlers are idempotent) until the store is back: an ack or an event that
        // arrives during a database outage is stored late, not lost. What follows it waits.
        if (isStoreUnavailable(error)) {
          if (attempt === 0) this.log.warn({ topic, err: (error as Error).message }, 'store unreachable; holding the message until it is back');
          await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_MAX_MS, 250 * 2 ** Math.min(attempt, 5))).unref());
          continue;
        }
        this.refuse('handler-failed', { topic, err: error }, 'error');
        return;
      }
    }
  }

  private async dispatch(kind: TopicKind, device: DeviceRow, payload: Buffer): Promise<IngestOutcome | null> {
    switch (kind) {
      case 'presence':
        return this.decoded(kind, device, payload, (m) => this.telemetry.presence(device, m));
      case 'status':
        return this.decoded(kind, device, payload, (m) => this.telemetry.status(device, m));
      case 'events':
        return this.decoded(kind, device, payload, (m) => this.telemetry.event(device, m));
      case 'usage':
        return this.decoded(kind, device, payload, (m) => this.telemetry.usage(device, m));
      case 'acks':
        // The reason is stored as text, and PostgreSQL's text cannot hold a NUL (the ack was lost).
        return this.decoded(kind, device, payload, (m) => this.telemetry.ack(device, m.reason?.includes('\u0000') ? { ...m, reason: m.reason.replaceAll('\u0000', '\ufffd') } : m));
      case 'desired':
        return null; // never subscribed; down only
    }
  }

  private async decoded<K extends TopicKind>(
    kind: K,
    device: DeviceRow,
    payload: Buffer,
    store: (message: MessageOf<K>) => Promise<IngestOutcome>,
  ): Promise<IngestOutcome | null> {
    const result = decodeMessage(kind, payload);
    if (!result.ok) {
      this.refuse(refusalOf(result.error), { deviceId: device.id, kind, error: result.error });
      return null;
    }
    return store(result.value);
  }

  private refuse(reason: IngestRefusal, context: Record<string, unknown>, level: 'debug' | 'warn' | 'error' = 'warn'): void {
    this.stats.countRefused(reason);
    if (level === 'debug') {
      this.log.debug({ ...context, reason }, 'message refused');
      return;
    }
    const now = this.clock.now();
    const window = this.logWindow.get(reason);
    if (!window || now - window.start >= 60_000) {
      this.logWindow.set(reason, { start: now, lines: 1 });
    } else if (++window.lines > LOG_LINES_PER_MINUTE) {
      return;
    }
    this.log[level]({ ...context, reason }, 'message refused');
  }
}
