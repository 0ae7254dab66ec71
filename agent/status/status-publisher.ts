// Publishes the status when something that matters changed (coalesced within a tick) and
// refreshes it periodically, so `at` stays fresh and slow drifts (usage, signal) show up.
import type { Cancel, Clock } from '../../shared/clock.js';
import type { Status } from '../../shared/contract/messages.js';
import { statusFingerprint } from './status.js';

export interface StatusPublisherOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly build: () => Status;
  readonly publish: (status: Status) => void;
}

export class StatusPublisher {
  private lastFingerprint: string | null = null;
  private pending = false;
  private cancelRefresh: Cancel | null = null;
  private running = false;

  constructor(private readonly options: StatusPublisherOptions) {}

  start(): void {
    this.running = true;
    this.publishNow();
  }

  stop(): void {
    this.running = false;
    this.cancelRefresh?.();
    this.cancelRefresh = null;
  }

  /** Something may have changed: publish if the status differs in a way that matters. */
  changed(): void {
    if (!this.running || this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      if (!this.running) return;
      const status = this.options.build();
      if (statusFingerprint(status) !== this.lastFingerprint) this.send(status);
    });
  }

  publishNow(): void {
    if (this.running) this.send(this.options.build());
  }

  private send(status: Status): void {
    this.lastFingerprint = statusFingerprint(status);
    this.options.publish(status);
    this.cancelRefresh?.();
    this.cancelRefresh = this.options.clock.setTimeout(() => this.publishNow(), this.options.intervalMs);
  }
}
