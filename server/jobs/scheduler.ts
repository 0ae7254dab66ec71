// The periodic jobs on node-cron (Europe/Amsterdam): the boost expiry sweep, the month
// roll-over and the mail outbox. Each also runs once at start, to catch up after downtime; each
// is idempotent, so an overlap with another instance or a second run changes nothing.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../../shared/log.js';
import { TIME_ZONE } from '../../shared/service.js';

export interface Job {
  readonly name: string;
  readonly schedule: string;
  run(): Promise<unknown>;
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly jobs: readonly Job[],
    private readonly log: Logger,
  ) {
    for (const job of jobs) {
      if (!cron.validate(job.schedule)) throw new RangeError(`job ${job.name}: not a cron expression: ${job.schedule}`);
    }
  }

  /** Runs every job once (catch-up), then schedules them. */
  async start(): Promise<void> {
    for (const job of this.jobs) await this.runJob(job);
    const logger = {
      info: (message: string) => this.log.debug({ component: 'cron' }, message),
      warn: (message: string) => this.log.debug({ component: 'cron' }, message),
      error: (message: string | Error) => this.log.error({ component: 'cron', err: message }, 'cron error'),
      debug: () => {},
    };
    for (const job of this.jobs) {
      this.tasks.push(cron.schedule(job.schedule, () => this.runJob(job), { name: job.name, timezone: TIME_ZONE, noOverlap: true, logger }));
    }
  }

  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
  }

  private async runJob(job: Job): Promise<void> {
    try {
      await job.run();
    } catch (error) {
      this.log.error({ job: job.name, err: error }, 'scheduled job failed');
    }
  }
}
