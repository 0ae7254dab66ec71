// Prometheus metrics of one server instance (issue 7), with prom-client. Each server has its own
// Registry (never prom-client's global one), so tests and several servers in one process never
// share or collide. Three kinds of sources:
//   - the fleet (routers by presence and path, boosts in force): counted in the store at scrape;
//   - the MQTT ingest: its own counters (IngestStats), turned into Prometheus counters at scrape;
//   - latencies: observed as they happen (HTTP by route pattern, desired-state publish to PUBACK).
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { DatabaseHandle } from '../db/database.js';
import type { RetainedPublisher } from '../mqtt/desired-publisher.js';
import type { IngestCounts } from '../mqtt/ingest-stats.js';
import { registerIngestMetrics } from './ingest-metrics.js';
import { BOOST_KINDS, fleetCounts, PATH_LABELS, PRESENCE_LABELS, type FleetCounts } from './fleet.js';

export const METRIC_PREFIX = 'serviceplus_';

/** The label of requests that matched no route (404s): never the raw URL, which has no bound. */
export const UNMATCHED_ROUTE = '(unmatched)';

export interface MetricsSources {
  readonly store: DatabaseHandle;
  readonly clock: Clock;
  /** The ingest's counts since start (server/mqtt/ingest-stats.ts). */
  readonly ingestCounts: () => IngestCounts;
  readonly log: Logger;
  /** Process metrics (CPU, memory, event loop lag, GC); default true. */
  readonly processMetrics?: boolean;
}

const HTTP_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const PUBLISH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly publishDuration: Histogram;
  private readonly publishFailures: Counter;
  /** The store's counts for the scrape in progress, read once for the three fleet gauges. */
  private fleetRound: Promise<FleetCounts | null> | null = null;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    const self = this;

    if (sources.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    // --- the fleet, counted at scrape
    const fleetNow = () => self.fleetRound ?? self.readFleet();
    new Gauge({
      name: `${p}devices`,
      help: 'Enrolled routers by their last presence (unknown: never reported)',
      labelNames: ['presence'],
      registers,
      async collect() {
        const counts = await fleetNow();
        if (counts) for (const presence of PRESENCE_LABELS) this.set({ presence }, counts.presence[presence]);
      },
    });
    new Gauge({
      name: `${p}devices_online_by_path`,
      help: 'Online routers by the active path of their last status (unknown: no status yet)',
      labelNames: ['path'],
      registers,
      async collect() {
        const counts = await fleetNow();
        if (counts) for (const path of PATH_LABELS) this.set({ path }, counts.path[path]);
      },
    });
    new Gauge({
      name: `${p}boosts_active`,
      help: 'Boosts in force by kind and status (requested: the router has not acked it yet)',
      labelNames: ['kind', 'status'],
      registers,
      async collect() {
        const counts = await fleetNow();
        if (!counts) return;
        for (const kind of BOOST_KINDS) for (const status of ['requested', 'applied'] as const) this.set({ kind, status }, 0);
        for (const row of counts.boosts) this.set({ kind: row.kind, status: row.status }, row.count);
      },
    });

    // --- the MQTT ingest
    registerIngestMetrics(this.registry, p, sources.ingestCounts);

    // --- latencies
    this.httpDuration = new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'HTTP request latency by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.publishDuration = new Histogram({
      name: `${p}mqtt_desired_publish_duration_seconds`,
      help: 'Desired-state publish (QoS 1, retained) to the broker PUBACK',
      buckets: PUBLISH_BUCKETS,
      registers,
    });
    this.publishFailures = new Counter({
      name: `${p}mqtt_desired_publish_failures_total`,
      help: 'Desired-state publishes that failed (retried on reconnect)',
      registers,
    });
  }

  /** One finished HTTP request; `route` is the route pattern (`/api/v1/devices/:deviceId`). */
  observeHttp(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** The same publisher, timing each publish from the call to the broker's PUBACK. */
  timePublishes(publisher: RetainedPublisher): RetainedPublisher {
    const duration = this.publishDuration;
    const failures = this.publishFailures;
    return {
      get connected() {
        return publisher.connected;
      },
      async publishRetained(topic, payload) {
        const started = performance.now();
        try {
          await publisher.publishRetained(topic, payload);
        } catch (error) {
          failures.inc();
          throw error;
        }
        duration.observe((performance.now() - started) / 1000);
      },
    };
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const round = this.readFleet();
    this.fleetRound = round;
    try {
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    } finally {
      if (this.fleetRound === round) this.fleetRound = null;
    }
  }

  private async readFleet(): Promise<FleetCounts | null> {
    try {
      return await fleetCounts(this.sources.store.db, this.sources.clock.now());
    } catch (error) {
      // The scrape still answers (with the last values); the failure is in the log.
      this.sources.log.warn({ err: error }, 'metrics: counting the fleet failed');
      return null;
    }
  }
}
