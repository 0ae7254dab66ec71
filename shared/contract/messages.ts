// The payloads of the wire contract, one zod schema per topic kind. The sender validates before
// publishing and the receiver parses with the same schema; types are inferred, never hand-kept.
import { z } from 'zod';
import { PeriodIdSchema } from '../period.js';
import { PROFILES } from '../service.js';

export const SCHEMA_VERSION = 1;
const Version = z.literal(SCHEMA_VERSION);

/** An instant on the wire: ISO 8601 with `Z` or an offset, e.g. `2026-03-29T01:00:00.000Z`. */
export const InstantSchema = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time with Z or an offset' });

/** Ids of events and boosts: short, printable, safe in logs and URLs. */
export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'expected an id of letters, digits and _ . : -');

const text = (max: number) => z.string().min(1).max(max);
const Bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** A rate in kbit/s; 16000 is the highest a UMTS stick can be asked for. */
const Kbps = z.number().int().nonnegative().max(16_000);
/** A DSL sync rate in kbit/s (VDSL2 reaches 100 Mbit/s and more; a zod max cannot be raised by chaining). */
const DslKbps = z.number().int().nonnegative().max(1_000_000);

export const PathSchema = z.enum(['dsl', 'mobile', 'none']);
export type Path = z.infer<typeof PathSchema>;

export const ProfileNameSchema = z.enum(['baseline', 'boost']);

/** DSL as the agent sees it; `unreachable` means the box itself does not answer. */
export const DslStateSchema = z.enum(['up', 'down', 'training', 'no-internet', 'unreachable']);
export type DslState = z.infer<typeof DslStateSchema>;

export const ModemStateSchema = z.enum([
  'absent',
  'initialising',
  'sim-locked',
  'searching',
  'registered',
  'connecting',
  'connected',
]);
export type ModemState = z.infer<typeof ModemStateSchema>;

/** +CREG/+CGREG stat 0..5 by name. */
export const RegistrationSchema = z.enum(['not-registered', 'home', 'searching', 'denied', 'unknown', 'roaming']);
export type Registration = z.infer<typeof RegistrationSchema>;

export const TechnologySchema = z.enum(['gsm', 'gprs', 'edge', 'umts', 'hsdpa', 'hsupa', 'hspa']);
export type Technology = z.infer<typeof TechnologySchema>;

// ---- presence (agent up, retained, also the Last Will) ----
export const PresenceSchema = z.object({
  v: Version,
  state: z.enum(['online', 'offline']),
  at: InstantSchema,
  reason: z.enum(['startup', 'shutdown', 'connection-lost']).optional(),
});
export type Presence = z.infer<typeof PresenceSchema>;

// ---- status (agent up, retained) ----
export const AppliedProfileSchema = z.object({
  name: ProfileNameSchema,
  /** seq of the desired state this is; 0 before any was received. */
  seq: z.number().int().nonnegative(),
  /** What the stick negotiated, which may differ from the request by a grid step. */
  downKbps: Kbps,
  upKbps: Kbps,
  until: InstantSchema.nullable(),
  boostId: IdSchema.nullable(),
  suspended: z.boolean(),
});
export type AppliedProfile = z.infer<typeof AppliedProfileSchema>;

export const StatusSchema = z.object({
  v: Version,
  at: InstantSchema,
  activePath: PathSchema,
  pathSince: InstantSchema,
  dsl: z.object({
    state: DslStateSchema,
    since: InstantSchema,
    downKbps: DslKbps.nullable(),
    upKbps: DslKbps.nullable(),
  }),
  modem: z.object({
    state: ModemStateSchema,
    registration: RegistrationSchema.nullable(),
    technology: TechnologySchema.nullable(),
    /** −113 dBm (rssi 0) to −51 dBm (rssi 31); null when unknown (rssi 99). */
    signalDbm: z.number().int().min(-120).max(-30).nullable(),
    operator: text(64).nullable(),
  }),
  profile: AppliedProfileSchema,
  usage: z.object({ period: PeriodIdSchema, upBytes: Bytes, downBytes: Bytes }),
  agent: z.object({ version: text(32) }),
  router: z.object({ model: text(64), firmware: text(64) }).nullable(),
});
export type Status = z.infer<typeof StatusSchema>;

// ---- events (agent up, QoS 1, each with a unique id so duplicates can be dropped) ----
const eventBase = { v: Version, id: IdSchema, at: InstantSchema };
/** What the agent saw that made it decide, as short readable facts. */
const Evidence = z.array(text(200)).max(20);

const pathChange = <T extends string, To extends z.infer<typeof PathSchema>>(type: T, to: To) =>
  z.object({ ...eventBase, type: z.literal(type), from: PathSchema, to: z.literal(to), reason: text(200), evidence: Evidence });

export const EventSchema = z.discriminatedUnion('type', [
  pathChange('failover', 'mobile'),
  pathChange('failback', 'dsl'),
  /** Neither DSL nor a mobile session works (path `none`). */
  pathChange('outage', 'none'),
  z.object({ ...eventBase, type: z.literal('modem-lost'), reason: text(200) }),
  z.object({
    ...eventBase,
    type: z.literal('modem-found'),
    manufacturer: text(64).nullable(),
    model: text(64).nullable(),
    imei: z.string().regex(/^\d{14,16}$/).nullable(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('modem-reset'),
    step: z.enum(['re-query', 're-register', 'cfun-reset', 'reopen']),
    reason: text(200),
  }),
  z.object({
    ...eventBase,
    type: z.literal('profile-applied'),
    seq: z.number().int().nonnegative(),
    profile: ProfileNameSchema,
    downKbps: Kbps,
    upKbps: Kbps,
    until: InstantSchema.nullable(),
    boostId: IdSchema.nullable(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('profile-expired'),
    seq: z.number().int().nonnegative(),
    profile: ProfileNameSchema,
    boostId: IdSchema.nullable(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('fair-use'),
    period: PeriodIdSchema,
    /** R9: 80 (warning) or 100 (cap reached). */
    thresholdPercent: z.union([z.literal(80), z.literal(100)]),
    usedBytes: Bytes,
    capBytes: Bytes,
  }),
]);
export type AgentEvent = z.infer<typeof EventSchema>;
export type AgentEventType = AgentEvent['type'];

// ---- usage (agent up, QoS 1, cumulative per period so repeats and reordering are harmless) ----
export const UsageSchema = z.object({
  v: Version,
  at: InstantSchema,
  period: PeriodIdSchema,
  /**
   * Grows with every usage message the agent sends; a lower one is older. At most 2^31 − 1: the
   * server stores it as a 32-bit integer (PostgreSQL refused more, and the usage was lost).
   */
  seq: z.number().int().nonnegative().max(2_147_483_647),
  upBytes: Bytes,
  downBytes: Bytes,
});
export type Usage = z.infer<typeof UsageSchema>;

// ---- acks (agent up, QoS 1) ----
export const AckSchema = z
  .object({
    v: Version,
    at: InstantSchema,
    /** The seq of the desired state this answers. */
    seq: z.number().int().positive(),
    outcome: z.enum(['applied', 'rejected']),
    reason: text(200).optional(),
    boostId: IdSchema.nullable(),
    /** The rates the stick negotiated, when applied with mobile data on. */
    applied: z.object({ downKbps: Kbps, upKbps: Kbps }).nullable(),
  })
  .refine((ack) => ack.outcome === 'applied' || ack.reason !== undefined, {
    message: 'a rejected ack needs a reason',
    path: ['reason'],
  });
export type Ack = z.infer<typeof AckSchema>;

// ---- desired (server down, retained) ----
export const DesiredSchema = z
  .object({
    v: Version,
    /** Monotonic per device; the agent applies only a seq higher than the last it applied. */
    seq: z.number().int().positive(),
    issuedAt: InstantSchema,
    profile: ProfileNameSchema,
    downKbps: Kbps.positive(),
    upKbps: Kbps.positive(),
    /** R5: when a boost ends; null for the baseline, which does not end. */
    until: InstantSchema.nullable(),
    boostId: IdSchema.nullable(),
    /** R22: service suspended, mobile data off. */
    suspended: z.boolean(),
  })
  .superRefine((d, ctx) => {
    const bound = PROFILES[d.profile];
    if (d.downKbps > bound.downKbps) {
      ctx.addIssue({ code: 'custom', path: ['downKbps'], message: `must be at most ${bound.downKbps} for ${d.profile}` });
    }
    if (d.upKbps > bound.upKbps) {
      ctx.addIssue({ code: 'custom', path: ['upKbps'], message: `must be at most ${bound.upKbps} for ${d.profile}` });
    }
    if (d.profile === 'boost' && d.until === null) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'a boost must have an end' });
    }
    if (d.profile === 'baseline' && d.until !== null) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'the baseline has no end (until must be null)' });
    }
    if (d.until !== null && Date.parse(d.until) <= Date.parse(d.issuedAt)) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after issuedAt' });
    }
  });
export type Desired = z.infer<typeof DesiredSchema>;
