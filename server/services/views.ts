// What the API shows of the stored rows, as zod schemas (the routes' response schemas and the
// OpenAPI document come from these) and the functions that build them. Instants are ISO strings.
import { z } from 'zod';
import {
  AppliedProfileSchema,
  DslStateSchema,
  ModemStateSchema,
  PathSchema,
  ProfileNameSchema,
  RegistrationSchema,
  StatusSchema,
  TechnologySchema,
  type Status,
} from '../../shared/contract/index.js';
import { UNAVAILABLE_ON_MOBILE } from '../../shared/service.js';
import type { BoostRow } from '../store/boosts.js';
import type { DesiredRow } from '../store/desired-states.js';
import type { DeviceRow } from '../store/devices.js';
import type { EventRow, UsageRow } from '../store/telemetry.js';
import { ParseMemo } from './parse-memo.js';

const Instant = z.string().describe('ISO 8601 instant');
const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const BoostViewSchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  kind: z.enum(['self-service', 'operator']),
  status: z.enum(['requested', 'applied', 'rejected', 'ended', 'cancelled']),
  /** In force: requested or applied, and not past its end. */
  inForce: z.boolean(),
  period: z.string(),
  /** R7: counted against the month's self-service quota. */
  counted: z.boolean(),
  grantedAt: Instant,
  endsAt: Instant,
  appliedAt: Instant.nullable(),
  endedAt: Instant.nullable(),
  endReason: z.enum(['expired', 'cancelled', 'superseded', 'suspended', 'fair-use', 'rejected', 'contract-ended']).nullable(),
  requestedBy: z.string(),
  reason: z.string().nullable(),
  confirmationTo: z.string().nullable(),
});
export type BoostView = z.infer<typeof BoostViewSchema>;

export function boostView(row: BoostRow, now: number): BoostView {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    kind: row.kind,
    status: row.status,
    inForce: (row.status === 'requested' || row.status === 'applied') && row.ends_at > now,
    period: row.period,
    counted: row.slot !== null,
    grantedAt: iso(row.granted_at),
    endsAt: iso(row.ends_at),
    appliedAt: isoOrNull(row.applied_at),
    endedAt: isoOrNull(row.ended_at),
    endReason: row.end_reason,
    requestedBy: row.requested_by,
    reason: row.reason,
    confirmationTo: row.email,
  };
}

export const UsageViewSchema = z.object({
  period: z.string(),
  upBytes: z.number().int(),
  downBytes: z.number().int(),
  totalBytes: z.number().int(),
  seq: z.number().int(),
  at: Instant,
});
export type UsageView = z.infer<typeof UsageViewSchema>;

export function usageView(row: UsageRow): UsageView {
  return {
    period: row.period,
    upBytes: row.up_bytes,
    downBytes: row.down_bytes,
    totalBytes: row.up_bytes + row.down_bytes,
    seq: row.seq,
    at: iso(row.at),
  };
}

export const DesiredViewSchema = z.object({
  seq: z.number().int(),
  profile: ProfileNameSchema,
  downKbps: z.number().int(),
  upKbps: z.number().int(),
  until: Instant.nullable(),
  boostId: z.string().nullable(),
  suspended: z.boolean(),
  issuedAt: Instant,
  /** The broker confirmed this seq as the retained desired state. */
  published: z.boolean(),
  ack: z
    .object({ seq: z.number().int(), outcome: z.enum(['applied', 'rejected']), reason: z.string().nullable(), at: Instant })
    .nullable(),
});

export function desiredView(row: DesiredRow): z.infer<typeof DesiredViewSchema> {
  return {
    seq: row.seq,
    profile: row.profile,
    downKbps: row.down_kbps,
    upKbps: row.up_kbps,
    until: isoOrNull(row.until_at),
    boostId: row.boost_id,
    suspended: row.suspended === 1,
    issuedAt: iso(row.issued_at),
    published: row.published_seq >= row.seq,
    ack:
      row.ack_outcome && row.ack_at !== null
        ? { seq: row.acked_seq, outcome: row.ack_outcome, reason: row.ack_reason, at: iso(row.ack_at) }
        : null,
  };
}

export const DeviceViewSchema = z.object({
  deviceId: z.string(),
  subscriptionId: z.string(),
  model: z.string(),
  modelName: z.string(),
  serialNumber: z.string().nullable(),
  enrolledAt: Instant,
  revoked: z.boolean(),
  presence: z.object({ state: z.enum(['online', 'offline']), at: Instant, reason: z.string().nullable() }).nullable(),
  lastSeenAt: Instant.nullable(),
  path: PathSchema.nullable(),
  pathSince: Instant.nullable(),
  dsl: z.object({ state: DslStateSchema, since: Instant, downKbps: z.number().nullable(), upKbps: z.number().nullable() }).nullable(),
  signal: z
    .object({
      modemState: ModemStateSchema,
      registration: RegistrationSchema.nullable(),
      technology: TechnologySchema.nullable(),
      dbm: z.number().nullable(),
      operator: z.string().nullable(),
    })
    .nullable(),
  profile: z.object({ desired: DesiredViewSchema.nullable(), applied: AppliedProfileSchema.nullable() }),
  usage: UsageViewSchema.nullable(),
  router: z.object({ model: z.string(), firmware: z.string() }).nullable(),
  agentVersion: z.string().nullable(),
  statusAt: Instant.nullable(),
  /** R10: what does not work while the router is on mobile (empty otherwise). */
  unavailableOnMobile: z.array(z.string()),
});
export type DeviceView = z.infer<typeof DeviceViewSchema>;

export const EventViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  at: Instant,
  receivedAt: Instant,
  details: z.record(z.string(), z.unknown()),
});

export type EventView = z.infer<typeof EventViewSchema>;

/**
 * A router's event is stored once and never changed (insertEvent ignores a repeat, nothing
 * updates the table), so its id and payload name its view: a row read again reuses it.
 */
const eventViews = new ParseMemo<EventView>(5_000);

export function eventView(row: EventRow): EventView {
  return eventViews.get(`${row.device_id}\u0000${row.event_id}`, row.payload, (payload) => {
    const { v: _v, id: _id, type: _type, at: _at, ...details } = JSON.parse(payload) as Record<string, unknown>;
    return { id: row.event_id, type: row.type, at: iso(row.at), receivedAt: iso(row.received_at), details };
  });
}

/** By device: a status read again with the same text is not parsed and validated again. */
const statuses = new ParseMemo<Status | null>(2_000);

/** The stored status, parsed again (it was validated when received). Shared: do not change it. */
export function storedStatus(row: DeviceRow): Status | null {
  if (!row.status_json) return null;
  return statuses.get(row.id, row.status_json, (json) => {
    const parsed = StatusSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  });
}

export function deviceView(row: DeviceRow, desired: DesiredRow | undefined, usage: UsageRow | undefined): DeviceView {
  const status = storedStatus(row);
  return {
    deviceId: row.id,
    subscriptionId: row.subscription_id,
    model: row.model,
    modelName: row.model_name,
    serialNumber: row.serial_number,
    enrolledAt: iso(row.enrolled_at),
    revoked: row.revoked_at !== null,
    presence: row.presence && row.presence_at !== null ? { state: row.presence, at: iso(row.presence_at), reason: row.presence_reason } : null,
    lastSeenAt: isoOrNull(row.last_seen_at),
    path: status?.activePath ?? null,
    pathSince: status?.pathSince ?? null,
    dsl: status ? status.dsl : null,
    signal: status
      ? {
          modemState: status.modem.state,
          registration: status.modem.registration,
          technology: status.modem.technology,
          dbm: status.modem.signalDbm,
          operator: status.modem.operator,
        }
      : null,
    profile: { desired: desired ? desiredView(desired) : null, applied: status?.profile ?? null },
    usage: usage ? usageView(usage) : null,
    router: status?.router ?? null,
    agentVersion: status?.agent.version ?? null,
    statusAt: isoOrNull(row.status_at),
    unavailableOnMobile: status?.activePath === 'mobile' ? [...UNAVAILABLE_ON_MOBILE] : [],
  };
}
