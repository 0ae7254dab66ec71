// R12: the SLA watch of swap tickets. Each open ticket changes state at two instants (at risk,
// then breached one millisecond after the deadline); one ExpiryQueue holds them, and the cron
// sweep and the sweep at start catch up. The watch records each change once (ticket row and
// audit log), so the NOC's history shows when a ticket went at risk or was breached.
import type { Clock } from '../../shared/clock.js';
import { ExpiryQueue } from '../../shared/expiry-queue.js';
import type { Logger } from '../../shared/log.js';
import type { SwapTicketService } from '../services/swap-tickets.js';
import { coalesced } from './coalesce.js';

export class SwapSlaWatch {
  private readonly queue: ExpiryQueue<string>;
  readonly sweep: () => Promise<number>;

  constructor(
    private readonly tickets: SwapTicketService,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.sweep = coalesced(
      async () => {
        const changed = await this.tickets.watchSla();
        if (changed > 0) this.log.info({ changed }, 'swap ticket SLA states changed');
        return changed;
      },
      (error) => this.log.error({ err: error }, 'swap SLA watch failed'),
    );
    this.queue = new ExpiryQueue<string>(clock, () => void this.sweep());
  }

  async load(): Promise<void> {
    for (const { ticketId, at } of await this.tickets.slaInstants()) this.schedule(ticketId, at);
  }

  /** Keyed by ticket and instant, so a ticket's two instants do not replace each other. */
  schedule(ticketId: string, at: number): void {
    this.queue.schedule(`${ticketId}@${at}`, at);
  }

  stop(): void {
    this.queue.stop();
  }
}
