// What every service is built from: the store, the clock, the settings, a logger, and the
// effects to run once a transaction has committed (publish desired states, arm an expiry, wake
// the mail sender). Services never reach the broker or SMTP themselves.
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { ServerConfig } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';

export interface AfterCommit {
  /** These devices' desired states changed: publish them. */
  desiredChanged(deviceIds: readonly string[]): void;
  /** A boost is in force until `endsAt`: end it then. */
  boostScheduled(boostId: string, endsAt: number): void;
  /** A mail was queued: send it soon. */
  mailQueued(): void;
  /** A device's credentials changed: drop its broker session. */
  credentialsChanged(deviceId: string): void;
  /** R20: a contract ends at `endsAt` (now or later): carry out its end actions then. */
  contractEndScheduled(subscriptionId: string, endsAt: number): void;
  /** R12: a swap ticket's SLA state changes at `at` (at risk, breached): look at it then. */
  swapSlaScheduled(ticketId: string, at: number): void;
}

export interface ServiceContext {
  readonly store: DatabaseHandle;
  readonly clock: Clock;
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly effects: AfterCommit;
}

/** Effects that do nothing, for tools (the CLI) that only touch the store. */
export const NO_EFFECTS: AfterCommit = {
  desiredChanged() {},
  boostScheduled() {},
  mailQueued() {},
  credentialsChanged() {},
  contractEndScheduled() {},
  swapSlaScheduled() {},
};
