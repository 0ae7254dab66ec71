// The ingest's counters in tests that share a broker with other test files (SP_MQTT_URL): other
// servers' routers reach this server too and are refused as unknown devices, and one of their
// messages caught between "received" and its refusal would look like one of this test's.
import type { IngestCounts } from '../../../server/mqtt/ingest-stats.js';

/** Messages the ingest has finished with: stored, ignored or refused. */
export function handled(counts: IngestCounts): number {
  const sum = (group: Readonly<Record<string, number>>) => Object.values(group).reduce((a, b) => a + b, 0);
  return sum(counts.stored) + sum(counts.ignored) + sum(counts.refused);
}

/** The counters at a moment when no message is in the middle of the ingest. */
export async function quietCounts(stats: { snapshot(): IngestCounts }, timeoutMs = 15_000): Promise<IngestCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = stats.snapshot();
    if (handled(counts) === counts.received) return counts;
    if (Date.now() > deadline) throw new Error(`the ingest never went quiet: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
