// Publishes desired states, retained, QoS 1. Changes only mark a device as due; a worker
// publishes each due device's CURRENT row, never two of one device at once, so the retained
// message on the broker always ends as the latest seq. The store remembers what the broker
// confirmed (published_seq), so after a reconnect or a crash the rest still goes out.
import { encodeMessage, topicFor } from '../../shared/contract/index.js';
import type { Logger } from '../../shared/log.js';
import { desiredMessage } from '../core/desired.js';
import type { DatabaseHandle } from '../db/database.js';
import { contentOf, getDesired, markPublished, unpublishedDeviceIds } from '../store/desired-states.js';

const CONCURRENCY = 16;

export interface RetainedPublisher {
  readonly connected: boolean;
  publishRetained(topic: string, payload: Buffer): Promise<void>;
}

export class DesiredPublisher {
  private readonly due = new Set<string>();
  private readonly inFlight = new Set<string>();
  private running: Promise<void> | null = null;
  private broker: RetainedPublisher | null = null;

  constructor(
    private readonly store: DatabaseHandle,
    private readonly log: Logger,
  ) {}

  attach(broker: RetainedPublisher): void {
    this.broker = broker;
  }

  /** These devices' desired states changed. */
  touch(deviceIds: readonly string[]): void {
    for (const id of deviceIds) this.due.add(id);
    this.kick();
  }

  /** Marks every desired state the broker has not confirmed as due (after a (re)connect). */
  async republishPending(): Promise<void> {
    this.touch(await unpublishedDeviceIds(this.store.db));
  }

  /** Resolves when nothing is due or in flight (or the broker is gone). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running || this.due.size === 0) return;
    this.running = this.work().finally(() => {
      this.running = null;
      if (this.due.size > 0 && this.broker?.connected) this.kick();
    });
  }

  private async work(): Promise<void> {
    const workers = Array.from({ length: CONCURRENCY }, () => this.worker());
    await Promise.all(workers);
  }

  private async worker(): Promise<void> {
    for (;;) {
      const broker = this.broker;
      if (!broker?.connected) return;
      const id = this.nextDue();
      if (id === undefined) return;
      this.due.delete(id);
      this.inFlight.add(id);
      try {
        await this.publishOne(broker, id);
      } catch (error) {
        this.log.warn({ deviceId: id, err: (error as Error).message }, 'publishing the desired state failed; retried on reconnect');
      } finally {
        this.inFlight.delete(id);
      }
    }
  }

  private nextDue(): string | undefined {
    for (const id of this.due) if (!this.inFlight.has(id)) return id;
    return undefined;
  }

  private async publishOne(broker: RetainedPublisher, deviceId: string): Promise<void> {
    const row = await getDesired(this.store.db, deviceId);
    if (!row) return;
    const payload = encodeMessage('desired', desiredMessage(contentOf(row), row.seq, row.issued_at));
    await broker.publishRetained(topicFor('desired', deviceId), payload);
    await markPublished(this.store.db, deviceId, row.seq);
    this.log.debug({ deviceId, seq: row.seq, profile: row.profile }, 'desired state published');
  }
}
