// R5: boosts end on time without anyone online. One ExpiryQueue (shared/expiry-queue.ts) holds
// every boost's end, with one timer for all; when one falls due the sweep runs, which ends
// every boost that is due in the store (idempotent, so a missed or early wake-up is harmless).
// The periodic cron sweep and the sweep at start catch up after downtime or a clock step.
import type { Clock } from '../../shared/clock.js';
import { ExpiryQueue } from '../../shared/expiry-queue.js';
import type { Logger } from '../../shared/log.js';
import type { DatabaseHandle } from '../db/database.js';
import type { BoostService } from '../services/boosts.js';
import { boostsInForce } from '../store/boosts.js';
import { coalesced } from './coalesce.js';

export class BoostExpiry {
  private readonly queue: ExpiryQueue<string>;
  /** Ends every due boost; concurrent calls share one run (plus one more if asked meanwhile). */
  readonly sweep: () => Promise<number>;

  constructor(
    private readonly store: DatabaseHandle,
    private readonly boosts: BoostService,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.sweep = coalesced(
      async () => {
        const ended = await this.boosts.endDue();
        if (ended > 0) this.log.info({ ended }, 'boosts ended');
        return ended;
      },
      (error) => this.log.error({ err: error }, 'boost expiry sweep failed'),
    );
    this.queue = new ExpiryQueue<string>(clock, () => void this.sweep());
  }

  /** Schedules every boost in force (at start). */
  async load(): Promise<void> {
    for (const boost of await boostsInForce(this.store.db)) this.queue.schedule(boost.id, boost.ends_at);
  }

  schedule(boostId: string, endsAt: number): void {
    this.queue.schedule(boostId, endsAt);
  }

  get scheduled(): number {
    return this.queue.size;
  }

  stop(): void {
    this.queue.stop();
  }
}
