// The periodic jobs on node-cron (Europe/Amsterdam): the boost expiry sweep, the month
// roll-over and the mail outbox. Each also runs once at start, to catch up after downtime; each
// is idempotent, so an overlap with another instance or a second run changes nothing. With a
// guard (server/jobs/tick-guard.ts) each cron tick's run happens on one instance of a cluster
// (issue 10); `tick(at)` runs a tick explicitly (tests and tools), as the cron would.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../../shared/log.js';
import { TIME_ZONE } from '../../shared/service.js';
import type { TickOutcome } from './tick-guard.js';

export interface Job {
  readonly name: string;
  readonly schedule: string;
  run(): Promise<unknown>;
}

/** Decides whether this instance runs `job` for the tick at `tickAt` (null: the catch-up at start). */
export type JobGuard = (job: Job, tickAt: number | null, run: () => Promise<unknown>) => Promise<TickOutcome>;

/** What one tick did on this instance, per job. */
export type TickReport = Record<string, TickOutcome>;

const unguarded: JobGuard = async (_job, _tickAt, run) => {
  await run();
  return 'ran';
};

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly jobs: readonly Job[],
    private readonly log: Logger,
    private readonly guard: JobGuard = unguarded,
  ) {
    for (const job of jobs) {
      if (!cron.validate(job.schedule)) throw new RangeError(`job ${job.name}: not a cron expression: ${job.schedule}`);
    }
  }

  /** Runs every job once (catch-up), then schedules them. */
  async start(): Promise<void> {
    for (const job of this.jobs) await this.runJob(job, null);
    const logger = {
      info: (message: string) => this.log.debug({ component: 'cron' }, message),
      warn: (message: string) => this.log.debug({ component: 'cron' }, message),
      error: (message: string | Error) => this.log.error({ component: 'cron', err: message }, 'cron error'),
      debug: () => {},
    };
    for (const job of this.jobs) {
      this.tasks.push(cron.schedule(job.schedule, (context) => this.runJob(job, Math.floor(context.date.getTime() / 1000) * 1000), { name: job.name, timezone: TIME_ZONE, noOverlap: true, logger }));
    }
  }

  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
  }

  /** Runs every job for the tick at `tickAt` (ms), as the cron does at that instant. */
  async tick(tickAt: number): Promise<TickReport> {
    const report: TickReport = {};
    for (const job of this.jobs) report[job.name] = await this.runJob(job, tickAt);
    return report;
  }

  private async runJob(job: Job, tickAt: number | null): Promise<TickOutcome> {
    try {
      const outcome = await this.guard(job, tickAt, () => job.run());
      this.log.debug({ job: job.name, tick: tickAt === null ? 'start' : new Date(tickAt).toISOString(), outcome }, 'scheduled job');
      return outcome;
    } catch (error) {
      this.log.error({ job: job.name, err: error }, 'scheduled job failed');
      return 'skipped';
    }
  }
}
