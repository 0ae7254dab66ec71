// R20: on a contract's effective date its end actions run by themselves: mobile data off through
// the desired state (published like every other), the boost in force ended, the EUR 0 final
// invoice issued; then, once the suspended desired state has gone out, every router's MQTT
// credentials revoked. One ExpiryQueue holds each termination's end; the cron sweep and the
// sweep at start catch up after downtime. Each step is recorded with the contract, so a second
// run, an overlapping instance or a crash between the steps does each only once.
import type { Clock } from '../../shared/clock.js';
import { ExpiryQueue } from '../../shared/expiry-queue.js';
import type { Logger } from '../../shared/log.js';
import type { DatabaseHandle } from '../db/database.js';
import type { ContractService } from '../services/contracts.js';
import { pendingContractEnds } from '../store/contracts.js';
import { coalesced } from './coalesce.js';

export class ContractEnds {
  private readonly queue: ExpiryQueue<string>;
  /** Ends every contract that is due; concurrent calls share one run (plus one more if asked meanwhile). */
  readonly sweep: () => Promise<number>;

  constructor(
    private readonly store: DatabaseHandle,
    private readonly contracts: ContractService,
    private readonly clock: Clock,
    /** Resolves once every changed desired state is published (DesiredPublisher.idle). */
    private readonly desiredPublished: () => Promise<void>,
    private readonly log: Logger,
  ) {
    this.sweep = coalesced(
      () => this.endDue(),
      (error) => this.log.error({ err: error }, 'contract end sweep failed'),
    );
    this.queue = new ExpiryQueue<string>(clock, () => void this.sweep());
  }

  /** Arms the timer for every termination not carried out yet (at start). */
  async load(): Promise<void> {
    for (const row of await pendingContractEnds(this.store.db)) if (row.ends_at !== null) this.queue.schedule(row.subscription_id, row.ends_at);
  }

  /** A termination ends at `endsAt`; one already due is carried out now. */
  schedule(subscriptionId: string, endsAt: number): void {
    if (endsAt <= this.clock.now()) void this.sweep();
    else this.queue.schedule(subscriptionId, endsAt);
  }

  stop(): void {
    this.queue.stop();
  }

  private async endDue(): Promise<number> {
    let ended = 0;
    for (const subscriptionId of await this.contracts.dueEnds()) {
      if (await this.contracts.endService(subscriptionId)) {
        ended++;
        this.log.info({ subscriptionId }, 'contract ended: mobile data off, final invoice issued');
      }
      // The router reads "suspended" while it still may; then its credentials go.
      await this.desiredPublished();
      const revoked = await this.contracts.revokeCredentials(subscriptionId);
      if (revoked.length > 0) this.log.info({ subscriptionId, devices: revoked }, 'credentials revoked at the contract end');
    }
    return ended;
  }
}
