// Publishes desired states, retained, QoS 1. Changes only mark a device as due; a worker
// publishes each due device's CURRENT row, never two of one device at once, so the retained
// message on the broker always ends as the latest seq. The store remembers what the broker
// confirmed (published_seq), so after a reconnect or a crash the rest still goes out.
// Several server instances (issue 10, PostgreSQL): a device's row is locked (FOR UPDATE) while
// its state goes out, so two instances never publish one device at once, and a change (which
// must update that row) waits until the publish is done: the retained message is always the
// latest seq. A publisher that waited for another one finds the row published and stops there.
// A lock held by a server that vanished without its connection closing is waited for at most
// LOCK_TIMEOUT; the desired-republish sweep tries again at the next tick.
import { sql } from 'kysely';
import { encodeMessage, topicFor } from '../../shared/contract/index.js';
import type { Logger } from '../../shared/log.js';
import { desiredMessage } from '../core/desired.js';
import type { DatabaseHandle } from '../db/database.js';
import { contentOf, getDesired, markPublished, unpublishedDeviceIds, type DesiredRow } from '../store/desired-states.js';

const CONCURRENCY = 16;
/** A publish holding a row lock gives up after this long (the broker is gone); retried later. */
const LOCKED_PUBLISH_TIMEOUT_MS = 10_000;
const LOCK_TIMEOUT = '5s';

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
    /** Told when the broker confirmed a device's state (the store's published_seq moved). */
    private readonly onPublished: (deviceId: string) => void = () => {},
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
    if (this.store.dialect === 'postgres') return this.publishLocked(broker, deviceId);
    const row = await getDesired(this.store.db, deviceId);
    if (!row) return;
    await broker.publishRetained(topicFor('desired', deviceId), payloadOf(row));
    await markPublished(this.store.db, deviceId, row.seq);
    this.onPublished(deviceId);
    this.log.debug({ deviceId, seq: row.seq, profile: row.profile }, 'desired state published');
  }

  private async publishLocked(broker: RetainedPublisher, deviceId: string): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await sql`select set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`.execute(trx);
      const row = await trx.selectFrom('desired_states').selectAll().where('device_id', '=', deviceId).forUpdate().executeTakeFirst();
      // Gone, or already out (another instance published it while this one waited).
      if (!row || row.published_seq >= row.seq) return;
      await withTimeout(broker.publishRetained(topicFor('desired', deviceId), payloadOf(row)), LOCKED_PUBLISH_TIMEOUT_MS);
      await markPublished(trx, deviceId, row.seq);
      this.log.debug({ deviceId, seq: row.seq, profile: row.profile }, 'desired state published');
    });
    this.onPublished(deviceId);
  }
}

function payloadOf(row: DesiredRow): Buffer {
  return encodeMessage('desired', desiredMessage(contentOf(row), row.seq, row.issued_at));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no PUBACK within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
