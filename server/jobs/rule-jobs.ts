// The scheduled work of the service rules (issue 6), started together by the composition root:
// the contract end (R20), the swap SLA watch (R12) and the heartbeat that lets the guarantee tell
// the server's own downtime from a router's silence (R16). At start the downtime since the last
// beat is recorded and both timers are armed from the store; the scheduler then runs each sweep
// once (catch-up) and every minute.
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { ServerConfig } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import type { RuleServices } from '../services/rule-services.js';
import { ContractEnds } from './contract-ends.js';
import { beat, recordDowntime } from './heartbeat.js';
import type { Job } from './scheduler.js';
import { SwapSlaWatch } from './swap-sla.js';

export interface RuleJobsOptions {
  readonly store: DatabaseHandle;
  readonly clock: Clock;
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly services: RuleServices;
  readonly desiredPublished: () => Promise<void>;
}

export class RuleJobs {
  private constructor(
    readonly contractEnds: ContractEnds,
    readonly swapSla: SwapSlaWatch,
    private readonly options: RuleJobsOptions,
  ) {}

  static async start(options: RuleJobsOptions): Promise<RuleJobs> {
    const { store, clock, config, log, services } = options;
    await recordDowntime(store, clock, config.downtimeGapSeconds * 1000, log.child({ component: 'heartbeat' }));
    await beat(store, clock);
    const jobs = new RuleJobs(
      new ContractEnds(store, services.contracts, clock, options.desiredPublished, log.child({ component: 'contract-ends' })),
      new SwapSlaWatch(services.swapTickets, clock, log.child({ component: 'swap-sla' })),
      options,
    );
    await jobs.contractEnds.load();
    await jobs.swapSla.load();
    return jobs;
  }

  /** For the scheduler (each also runs once at start). */
  scheduled(): Job[] {
    const { config, store, clock } = this.options;
    return [
      { name: 'contract-ends', schedule: config.sweepCron, run: () => this.contractEnds.sweep() },
      { name: 'swap-sla-watch', schedule: config.sweepCron, run: () => this.swapSla.sweep() },
      { name: 'ingest-heartbeat', schedule: config.sweepCron, run: () => beat(store, clock) },
    ];
  }

  stop(): void {
    this.contractEnds.stop();
    this.swapSla.stop();
  }
}
