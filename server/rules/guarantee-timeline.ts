// R16: what the control plane knows about a router's connection over time, rebuilt from the
// records it kept. The rule for silence (Decision, per the lead's brief):
//   - the path is known only while the agent is online: from a path record on, until the next
//     one, as long as the latest presence record says online and no recording gap covers it;
//   - while the agent is offline (from an `offline` presence, usually its Last Will, until the
//     next `online`), the path is UNKNOWN: the last known path does not extend through the
//     silence, since nothing says whether the router had a connection then. Records dated
//     inside the silence (delivered later from the agent's outbox) still update the latest
//     path, which counts again from the next `online`;
//   - a recording gap (the server's ingest was down: `gap` records) is unknown too;
//   - before the first presence record, or before any path record, it is unknown;
//   - out-of-service stretches (not yet delivered, suspended, ended) are neither outage nor
//     missing data: an outage there is not the guarantee's.
// The option `silence: 'agent-testimony'` instead fills a silence with the agent's own path
// records when the same agent process saw it through: the silence ends with an `online` that is
// not a `startup` and began with an `offline` that was not a `shutdown`. The wire contract has
// no boot id, so this trusts the agent to mark restarts; it is off by default.
import { z } from 'zod';
import type { AgentEvent, Path, Presence, Status } from '../../shared/contract/messages.js';
import type { Instant } from './time.js';

export type TimelineRecord =
  /** A presence message (or its Last Will) as recorded; `reason` as the agent or its will gave it. */
  | {
      readonly kind: 'presence';
      readonly at: Instant;
      readonly state: 'online' | 'offline';
      readonly reason?: 'startup' | 'shutdown' | 'connection-lost' | null;
    }
  /**
   * The active path from this instant: from a status (at its `pathSince`) or a failover,
   * failback or outage event (at its `at`). `dsl` = DSL up, `mobile` = a working mobile session,
   * `none` = neither.
   */
  | { readonly kind: 'path'; readonly at: Instant; readonly path: Path; readonly source: 'status' | 'failover' | 'failback' | 'outage' }
  /** The server recorded nothing from `from` to `to` (ingest down, data lost). */
  | { readonly kind: 'gap'; readonly from: Instant; readonly to: Instant };

export interface OutOfService {
  readonly from: Instant;
  readonly to: Instant;
  readonly reason: 'not-in-service' | 'suspended' | 'ended';
}

export const SilencePolicySchema = z.enum(['unknown', 'agent-testimony']);
export type SilencePolicy = z.infer<typeof SilencePolicySchema>;

export type UnknownCause = 'no-data' | 'offline' | 'gap';

export type SegmentState =
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'unknown'; readonly cause: UnknownCause }
  | { readonly kind: 'out-of-service'; readonly reason: OutOfService['reason'] };

export interface Segment {
  readonly from: Instant;
  /** Exclusive. */
  readonly to: Instant;
  readonly state: SegmentState;
}

const recordTime = (record: TimelineRecord): Instant => (record.kind === 'gap' ? record.from : record.at);

/**
 * The timeline from `from` to `to` as consecutive segments of equal state. Records may come in
 * any order; records at the same instant keep the given order (storage gives arrival order).
 */
export function buildSegments(
  records: readonly TimelineRecord[],
  outOfService: readonly OutOfService[],
  from: Instant,
  to: Instant,
  silence: SilencePolicy = 'unknown',
): Segment[] {
  if (to <= from) return [];
  const sorted = records.map((record, index) => ({ record, index })).sort((a, b) => recordTime(a.record) - recordTime(b.record) || a.index - b.index);
  const points = sorted.filter((r) => r.record.kind !== 'gap').map((r) => r.record) as Exclude<TimelineRecord, { kind: 'gap' }>[];
  const gaps = sorted.flatMap(({ record }) => (record.kind === 'gap' ? [record] : []));

  // For 'agent-testimony': the presence record that ends each offline one.
  const presences = points.filter((p) => p.kind === 'presence');
  const closing = new Map<object, (typeof presences)[number] | null>();
  let nextOnline: (typeof presences)[number] | null = null;
  for (let i = presences.length - 1; i >= 0; i--) {
    const p = presences[i]!;
    closing.set(p, nextOnline);
    if (p.state === 'online') nextOnline = p;
  }

  const breaks = new Set<Instant>([from, to]);
  for (const p of points) breaks.add(p.at);
  for (const g of gaps) breaks.add(g.from).add(g.to);
  for (const o of outOfService) breaks.add(o.from).add(o.to);
  const instants = [...breaks].filter((b) => b >= from && b <= to).sort((a, b) => a - b);

  const segments: Segment[] = [];
  let next = 0;
  let presence: (typeof presences)[number] | null = null;
  let path: Path | null = null;
  for (let i = 0; i + 1 < instants.length; i++) {
    const start = instants[i]!;
    const end = instants[i + 1]!;
    for (; next < points.length && points[next]!.at <= start; next++) {
      const p = points[next]!;
      if (p.kind === 'presence') presence = p;
      else path = p.path;
    }
    const state = stateAt(start);
    const last = segments[segments.length - 1];
    if (last && last.to === start && sameState(last.state, state)) segments[segments.length - 1] = { ...last, to: end };
    else segments.push({ from: start, to: end, state });
  }
  return segments;

  function stateAt(t: Instant): SegmentState {
    const off = outOfService.find((o) => o.from <= t && t < o.to);
    if (off) return { kind: 'out-of-service', reason: off.reason };
    if (gaps.some((g) => g.from <= t && t < g.to)) return { kind: 'unknown', cause: 'gap' };
    if (!presence) return { kind: 'unknown', cause: 'no-data' };
    if (presence.state === 'offline' && !(silence === 'agent-testimony' && testifiedThrough(presence))) {
      return { kind: 'unknown', cause: 'offline' };
    }
    return path === null ? { kind: 'unknown', cause: 'no-data' } : { kind: 'path', path };
  }

  function testifiedThrough(offline: (typeof presences)[number]): boolean {
    const end = closing.get(offline) ?? null;
    return offline.reason !== 'shutdown' && end !== null && end.reason !== 'startup';
  }
}

function sameState(a: SegmentState, b: SegmentState): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'path' && b.kind === 'path') return a.path === b.path;
  if (a.kind === 'unknown' && b.kind === 'unknown') return a.cause === b.cause;
  return a.kind === 'out-of-service' && b.kind === 'out-of-service' && a.reason === b.reason;
}

// ---- from recorded messages ----

/**
 * A presence message as a record. An `offline` one is dated when the server received it: the
 * Last Will's payload was written when the agent connected, so its own `at` is stale.
 */
export function presenceRecord(presence: Presence, receivedAt: Instant): TimelineRecord {
  return {
    kind: 'presence',
    at: presence.state === 'offline' ? receivedAt : Date.parse(presence.at),
    state: presence.state,
    reason: presence.reason ?? null,
  };
}

/** A status message: its active path since `pathSince`. */
export function pathRecordFromStatus(status: Status): TimelineRecord {
  return { kind: 'path', at: Date.parse(status.pathSince), path: status.activePath, source: 'status' };
}

/** A failover, failback or outage event: the path it switched to; null for other events. */
export function pathRecordFromEvent(event: AgentEvent): TimelineRecord | null {
  if (event.type !== 'failover' && event.type !== 'failback' && event.type !== 'outage') return null;
  return { kind: 'path', at: Date.parse(event.at), path: event.to, source: event.type };
}
