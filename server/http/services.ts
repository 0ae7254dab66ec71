// What the routes use, decorated on the Fastify instance as `app.services`. Built by the
// composition root (server/main.ts); tests build the same thing.
import type { Clock } from '../../shared/clock.js';
import type { CustomerSessions } from '../auth/customers.js';
import type { OperatorTokens } from '../auth/operators.js';
import type { ServerConfig } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import type { BrokerAuth } from '../mqtt/broker-auth.js';
import type { IngestCounts } from '../mqtt/ingest-stats.js';
import type { BoostService } from '../services/boosts.js';
import type { DeviceService } from '../services/devices.js';
import type { RuleServices } from '../services/rule-services.js';
import type { LiveFeed } from '../services/live-feed.js';
import type { DeviceViewCache } from './device-view-cache.js';
import type { SubscriptionService } from '../services/subscriptions.js';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/** The services of R12-R24 (swap tickets, contracts, coverage, guarantee, suspensions, helpdesk, entitlements) are part of it. */
export interface AppServices extends RuleServices {
  readonly config: ServerConfig;
  readonly clock: Clock;
  readonly store: DatabaseHandle;
  readonly subscriptions: SubscriptionService;
  readonly devices: DeviceService;
  readonly boosts: BoostService;
  readonly operators: OperatorTokens;
  readonly customers: CustomerSessions;
  readonly brokerAuth: BrokerAuth;
  /** Which router changed, as it happens (the NOC dashboard's live updates). */
  readonly live: LiveFeed;
  /** The device status route's answers, dropped on every change (issue 9). */
  readonly deviceViews: DeviceViewCache;
  ingestCounts(): IngestCounts;
  readiness(): Promise<Readiness>;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}
