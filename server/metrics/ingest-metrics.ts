// The MQTT ingest's counts (server/mqtt/ingest-stats.ts) as Prometheus counters. IngestStats
// keeps its own totals since start; at each scrape the counters grow by what changed since the
// last one, so they stay true counters (monotonic, reset only with the process).
import { Counter, type Registry } from 'prom-client';
import { UPLINK_KINDS } from '../../shared/contract/index.js';
import type { IngestCounts } from '../mqtt/ingest-stats.js';

export function registerIngestMetrics(registry: Registry, prefix: string, counts: () => IngestCounts): void {
  let last: IngestCounts | null = null;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: `${prefix}${name}`, help, labelNames, registers: [registry], collect: () => sync() });

  const received = counter('ingest_messages_received_total', 'MQTT messages the ingest received from routers', []);
  const stored = counter('ingest_messages_stored_total', 'Messages stored, by topic kind', ['kind']);
  const ignored = counter('ingest_messages_ignored_total', 'Valid messages with nothing new (duplicate event, stale status or usage), by reason', ['reason']);
  const refused = counter('ingest_messages_refused_total', 'Messages refused, by reason (not-json, invalid, too-large, unknown-device, …)', ['reason']);

  // Every label there from the start, at 0, so rate() and increase() see the first message.
  const zero = counts();
  received.inc(0);
  for (const kind of UPLINK_KINDS) stored.inc({ kind }, 0);
  for (const reason of Object.keys(zero.ignored)) ignored.inc({ reason }, 0);
  for (const reason of Object.keys(zero.refused)) refused.inc({ reason }, 0);

  // Called by each of the four counters' collect; after the first in a scrape, nothing is left to add.
  function sync(): void {
    const now = counts();
    const before = last;
    last = now;
    const grow = <L extends string>(metric: Counter<L>, totals: Readonly<Record<string, number>>, previous: Readonly<Record<string, number>> | undefined, label: L) => {
      for (const [value, total] of Object.entries(totals)) {
        const delta = total - (previous?.[value] ?? 0);
        if (delta > 0) metric.inc({ [label]: value } as Partial<Record<L, string>>, delta);
      }
    };
    const newlyReceived = now.received - (before?.received ?? 0);
    if (newlyReceived > 0) received.inc(newlyReceived);
    grow(stored, now.stored, before?.stored, 'kind');
    grow(ignored, now.ignored, before?.ignored, 'reason');
    grow(refused, now.refused, before?.refused, 'reason');
  }
}
