// Sends what the outbox holds, oldest first, with retries and backoff (1, 2, 4 … minutes, at most
// an hour; given up after MAX_ATTEMPTS). One drain at a time; a wake-up during a drain runs
// another afterwards. Time comes from the injected clock. With several server instances on one
// database, `exclusive` (a cluster lock, issue 10) lets one instance drain at a time, so no mail
// is sent twice; a drain asked for meanwhile waits its turn and then sends what is still due.
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { DatabaseHandle } from '../db/database.js';
import { dueMails, markAttemptFailed, markSent } from '../store/outbox.js';
import type { Mailer } from './mailer.js';

export const MAX_ATTEMPTS = 12;
const BATCH = 50;

export function retryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

export class OutboxWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: DatabaseHandle,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly exclusive: (work: () => Promise<void>) => Promise<void> = (work) => work(),
  ) {}

  /** Starts a drain soon (or another after the current one); never throws. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Sends every due mail now; resolves when done (tests and the cron job await this). */
  async drain(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.exclusive(() => this.sendDue());
      } catch (error) {
        this.log.error({ err: error }, 'mail outbox drain failed');
      }
    } while (this.again && !this.stopped);
  }

  private async sendDue(): Promise<void> {
    for (;;) {
      const batch = await dueMails(this.store.db, this.clock.now(), BATCH);
      if (batch.length === 0 || this.stopped) return;
      for (const mail of batch) {
        try {
          await this.mailer.send({ to: mail.to_address, subject: mail.subject, text: mail.body });
          await markSent(this.store.db, mail.id, this.clock.now());
          this.log.info({ mailId: mail.id, kind: mail.dedupe_key.split(':')[0] }, 'mail sent');
        } catch (error) {
          const attempts = mail.attempts + 1;
          const giveUp = attempts >= MAX_ATTEMPTS;
          await markAttemptFailed(this.store.db, mail.id, {
            error: (error as Error).message ?? String(error),
            nextAttemptAt: this.clock.now() + retryDelayMs(attempts),
            giveUp,
          });
          this.log.warn({ mailId: mail.id, attempts, giveUp, err: (error as Error).message }, 'mail not sent; will retry');
        }
      }
      if (batch.length < BATCH) return;
    }
  }
}
