// Valid messages of every topic kind, generated from the wire contract as ARCHITECTURE.md and
// shared/contract/messages.ts describe it in words, not from the zod schemas: the fuzz tests
// hold the schemas to these (everything here must be accepted and round-trip unchanged).
import fc from 'fast-check';
import type { Ack, AgentEvent, Desired, Presence, Status, TopicKind, Usage } from '../../../shared/contract/index.js';
import { PROFILES } from '../../../shared/service.js';

const MIN_MS = Date.parse('2000-01-01T00:00:00Z');
const MAX_MS = Date.parse('2099-12-31T23:59:59Z');

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** An ISO 8601 instant: `Z` with or without milliseconds, or a `±HH:MM` offset. */
export function instantFrom(ms: number, form: 'ms' | 'seconds' | 'offset', offsetMinutes = 60): string {
  if (form === 'ms') return new Date(ms).toISOString();
  if (form === 'seconds') return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${local}${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
}

export const instantMs = fc.integer({ min: MIN_MS, max: MAX_MS });
export const instant = fc
  .tuple(instantMs, fc.constantFrom('ms' as const, 'seconds' as const, 'offset' as const), fc.integer({ min: -12, max: 14 }).map((h) => h * 60))
  .map(([ms, form, offset]) => instantFrom(ms, form, offset));

export const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
/** Characters that trip up storage and logs: NUL, line breaks, quotes, escapes, surrogates, emoji. */
const awkward = fc.constantFrom('\u0000', '\n', '\r', '\t', '"', '\\', '\u001b', '\u007f', '\u2028', '\ud800', '\udfff', 'é', '🚀', '\ufeff', '%s', '${x}', "'", 'a');
/** Free text of at most `max` UTF-16 units, at least one (the contract allows any). */
export const text = (max: number) =>
  fc
    .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: max }), fc.string({ unit: awkward, minLength: 1, maxLength: Math.min(max, 12) }))
    .filter((s) => s.length >= 1 && s.length <= max);
const bytes = fc.maxSafeNat();
const kbps = fc.integer({ min: 0, max: 16_000 });
const dslKbps = fc.integer({ min: 0, max: 1_000_000 });
const period = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${pad(y, 4)}-${pad(m)}`);
const seq = fc.maxSafeNat();
const path = fc.constantFrom('dsl' as const, 'mobile' as const, 'none' as const);
const technology = fc.constantFrom('gsm' as const, 'gprs' as const, 'edge' as const, 'umts' as const, 'hsdpa' as const, 'hsupa' as const, 'hspa' as const);
const registration = fc.constantFrom('not-registered' as const, 'home' as const, 'searching' as const, 'denied' as const, 'unknown' as const, 'roaming' as const);

export const presence: fc.Arbitrary<Presence> = fc.record(
  { v: fc.constant(1 as const), state: fc.constantFrom('online' as const, 'offline' as const), at: instant, reason: fc.constantFrom('startup' as const, 'shutdown' as const, 'connection-lost' as const) },
  { requiredKeys: ['v', 'state', 'at'] },
);

export const status: fc.Arbitrary<Status> = fc.record({
  v: fc.constant(1 as const),
  at: instant,
  activePath: path,
  pathSince: instant,
  dsl: fc.record({
    state: fc.constantFrom('up' as const, 'down' as const, 'training' as const, 'no-internet' as const, 'unreachable' as const),
    since: instant,
    downKbps: fc.option(dslKbps, { nil: null }),
    upKbps: fc.option(dslKbps, { nil: null }),
  }),
  modem: fc.record({
    state: fc.constantFrom('absent' as const, 'initialising' as const, 'sim-locked' as const, 'searching' as const, 'registered' as const, 'connecting' as const, 'connected' as const),
    registration: fc.option(registration, { nil: null }),
    technology: fc.option(technology, { nil: null }),
    signalDbm: fc.option(fc.integer({ min: -120, max: -30 }), { nil: null }),
    operator: fc.option(text(64), { nil: null }),
  }),
  profile: fc.record({
    name: fc.constantFrom('baseline' as const, 'boost' as const),
    seq,
    downKbps: kbps,
    upKbps: kbps,
    until: fc.option(instant, { nil: null }),
    boostId: fc.option(id, { nil: null }),
    suspended: fc.boolean(),
  }),
  usage: fc.record({ period, upBytes: bytes, downBytes: bytes }),
  agent: fc.record({ version: text(32) }),
  router: fc.option(fc.record({ model: text(64), firmware: text(64) }), { nil: null }),
});

const eventBase = { v: fc.constant(1 as const), id, at: instant };
const evidence = fc.array(text(200), { maxLength: 20 });
export const event: fc.Arbitrary<AgentEvent> = fc.oneof(
  fc.record({ ...eventBase, type: fc.constant('failover' as const), from: path, to: fc.constant('mobile' as const), reason: text(200), evidence }),
  fc.record({ ...eventBase, type: fc.constant('failback' as const), from: path, to: fc.constant('dsl' as const), reason: text(200), evidence }),
  fc.record({ ...eventBase, type: fc.constant('outage' as const), from: path, to: fc.constant('none' as const), reason: text(200), evidence }),
  fc.record({ ...eventBase, type: fc.constant('modem-lost' as const), reason: text(200) }),
  fc.record({
    ...eventBase,
    type: fc.constant('modem-found' as const),
    manufacturer: fc.option(text(64), { nil: null }),
    model: fc.option(text(64), { nil: null }),
    imei: fc.option(fc.stringMatching(/^\d{14,16}$/), { nil: null }),
  }),
  fc.record({ ...eventBase, type: fc.constant('modem-reset' as const), step: fc.constantFrom('re-query' as const, 're-register' as const, 'cfun-reset' as const, 'reopen' as const), reason: text(200) }),
  fc.record({
    ...eventBase,
    type: fc.constant('profile-applied' as const),
    seq,
    profile: fc.constantFrom('baseline' as const, 'boost' as const),
    downKbps: kbps,
    upKbps: kbps,
    until: fc.option(instant, { nil: null }),
    boostId: fc.option(id, { nil: null }),
  }),
  fc.record({ ...eventBase, type: fc.constant('profile-expired' as const), seq, profile: fc.constantFrom('baseline' as const, 'boost' as const), boostId: fc.option(id, { nil: null }) }),
  fc.record({ ...eventBase, type: fc.constant('fair-use' as const), period, thresholdPercent: fc.constantFrom(80 as const, 100 as const), usedBytes: bytes, capBytes: bytes }),
);

/** A usage seq is stored as a 32-bit integer. */
export const usage: fc.Arbitrary<Usage> = fc.record({ v: fc.constant(1 as const), at: instant, period, seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }), upBytes: bytes, downBytes: bytes });

export const ack: fc.Arbitrary<Ack> = fc.oneof(
  fc.record(
    {
      v: fc.constant(1 as const),
      at: instant,
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      outcome: fc.constant('applied' as const),
      reason: text(200),
      boostId: fc.option(id, { nil: null }),
      applied: fc.option(fc.record({ downKbps: kbps, upKbps: kbps }), { nil: null }),
    },
    { requiredKeys: ['v', 'at', 'seq', 'outcome', 'boostId', 'applied'] },
  ),
  fc.record({
    v: fc.constant(1 as const),
    at: instant,
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    outcome: fc.constant('rejected' as const),
    reason: text(200),
    boostId: fc.option(id, { nil: null }),
    applied: fc.option(fc.record({ downKbps: kbps, upKbps: kbps }), { nil: null }),
  }),
);

/** R3/R4 bounds; a boost ends after it was issued (R5), the baseline never ends. */
export const desired: fc.Arbitrary<Desired> = fc
  .record({
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    issuedMs: fc.integer({ min: MIN_MS, max: MAX_MS - 1000 }),
    lengthMs: fc.integer({ min: 1000, max: 60 * 86_400_000 }),
    profile: fc.constantFrom('baseline' as const, 'boost' as const),
    downShare: fc.double({ min: 0, max: 1, noNaN: true }),
    upShare: fc.double({ min: 0, max: 1, noNaN: true }),
    boostId: fc.option(id, { nil: null }),
    suspended: fc.boolean(),
  })
  .map(({ seq: s, issuedMs, lengthMs, profile, downShare, upShare, boostId, suspended }) => {
    const bound = PROFILES[profile];
    return {
      v: 1 as const,
      seq: s,
      issuedAt: new Date(issuedMs).toISOString(),
      profile,
      downKbps: Math.max(1, Math.round(bound.downKbps * downShare)),
      upKbps: Math.max(1, Math.round(bound.upKbps * upShare)),
      until: profile === 'boost' ? new Date(Math.min(MAX_MS, issuedMs + lengthMs)).toISOString() : null,
      boostId,
      suspended,
    };
  });

export const VALID: { readonly [K in TopicKind]: fc.Arbitrary<unknown> } = { presence, status, events: event, usage, acks: ack, desired };

/** Keys a valid message may lack (everything else is required, even when it may be null). */
export const OPTIONAL_KEYS: { readonly [K in TopicKind]: readonly string[] } = {
  presence: ['reason'],
  status: [],
  events: [],
  usage: [],
  acks: ['reason'],
  desired: [],
};
