// The wire contract: every schema takes its valid messages and refuses each kind of bad one
// with a reason a person can read.
import t, { type Test } from 'tap';
import {
  MAX_PAYLOAD_BYTES,
  TOPIC_KINDS,
  decodeMessage,
  encodeMessage,
  validateMessage,
  type TopicKind,
} from '../../shared/contract/index.js';
import * as fx from '../fixtures/messages.js';

const valid: Record<TopicKind, unknown> = {
  presence: fx.presence(),
  status: fx.status(),
  events: fx.failoverEvent(),
  usage: fx.usage(),
  acks: fx.ack(),
  desired: fx.desired(),
};

function refused(t: Test, kind: TopicKind, value: unknown, reason: RegExp, what: string): void {
  const result = validateMessage(kind, value);
  t.equal(result.ok, false, `${kind}: ${what} is refused`);
  if (!result.ok) t.match(result.error, reason, `${kind}: ${what}: the reason says ${reason}`);
}

t.test('a valid message of every kind parses and round-trips through the codec', async (t) => {
  for (const kind of TOPIC_KINDS) {
    const decoded = decodeMessage(kind, encodeMessage(kind, valid[kind] as never));
    t.ok(decoded.ok, `${kind} decodes`);
    if (decoded.ok) t.same(decoded.value, valid[kind], `${kind} round-trips unchanged`);
  }
});

t.test('every kind refuses a missing field and a wrong type, naming the field', async (t) => {
  const required: Record<TopicKind, string> = {
    presence: 'state',
    status: 'activePath',
    events: 'id',
    usage: 'period',
    acks: 'outcome',
    desired: 'seq',
  };
  for (const kind of TOPIC_KINDS) {
    const field = required[kind];
    const missing = { ...(valid[kind] as Record<string, unknown>) };
    delete missing[field];
    refused(t, kind, missing, new RegExp(`^${kind}: ${field}: `), `a message without ${field}`);
    refused(t, kind, { ...(valid[kind] as object), [field]: { nested: true } }, new RegExp(`${field}: `), `${field} of the wrong type`);
    refused(t, kind, { ...(valid[kind] as object), v: 2 }, /v: /, 'another schema version');
  }
});

t.test('usage refuses negative, fractional and unsafe byte counts and a malformed period', async (t) => {
  refused(t, 'usage', fx.usage({ downBytes: -1 }), /downBytes: Too small/, 'negative bytes');
  refused(t, 'usage', fx.usage({ upBytes: 1.5 }), /upBytes: .*int/i, 'fractional bytes');
  refused(t, 'usage', fx.usage({ upBytes: 2 ** 60 }), /upBytes: Too big/, 'bytes past 2^53');
  refused(t, 'usage', fx.usage({ period: '2026-13' }), /period: expected a month as YYYY-MM/, 'month 13');
  refused(t, 'usage', fx.usage({ seq: -1 }), /seq: /, 'a negative seq');
});

t.test('desired refuses an unknown profile, rates beyond the service bounds and bad ends', async (t) => {
  refused(t, 'desired', { ...fx.desired(), profile: 'turbo' }, /profile: Invalid option: expected one of "baseline"\|"boost"/, 'an unknown profile');
  refused(t, 'desired', fx.desired({ downKbps: 7200 }), /downKbps: must be at most 3600 for boost/, 'a boost above 3600 down (R4)');
  refused(t, 'desired', fx.desired({ profile: 'baseline', downKbps: 3600, upKbps: 64, until: null }), /downKbps: must be at most 128 for baseline/, 'a baseline above 128 down (R3)');
  refused(t, 'desired', fx.desired({ until: '2026-03-10T08:00:00.000Z' }), /until: must be after issuedAt/, 'until before issuedAt');
  refused(t, 'desired', fx.desired({ until: fx.AT }), /until: must be after issuedAt/, 'until equal to issuedAt');
  refused(t, 'desired', fx.desired({ until: null }), /until: a boost must have an end/, 'a boost without an end (R5)');
  refused(t, 'desired', fx.desired({ profile: 'baseline', downKbps: 128, upKbps: 64 }), /until: the baseline has no end/, 'a baseline with an end');
  refused(t, 'desired', fx.desired({ seq: 0 }), /seq: Too small/, 'seq 0');
  refused(t, 'desired', fx.desired({ issuedAt: 'yesterday' }), /issuedAt: expected an ISO 8601 date-time/, 'a date that is not ISO 8601');
  t.ok(validateMessage('desired', fx.desired({ profile: 'baseline', downKbps: 128, upKbps: 64, until: null, boostId: null })).ok, 'the baseline with no end parses');
  t.ok(validateMessage('desired', fx.desired({ suspended: true })).ok, 'a suspended state parses (R22)');
});

t.test('oversize strings are refused, and so is an oversize payload unread', async (t) => {
  refused(t, 'events', fx.failoverEvent({ reason: 'x'.repeat(201) }), /reason: Too big/, 'a 201-character reason');
  refused(t, 'events', fx.failoverEvent({ id: 'x'.repeat(65) }), /id: Too big/, 'a 65-character id');
  refused(t, 'status', fx.status({ router: { model: 'M'.repeat(65), firmware: '1' } }), /router.model: Too big/, 'a 65-character model name');
  refused(t, 'events', fx.failoverEvent({ evidence: Array.from({ length: 21 }, () => 'fact') }), /evidence: Too big/, '21 pieces of evidence');
  const huge = Buffer.from(JSON.stringify({ ...fx.usage(), pad: 'x'.repeat(MAX_PAYLOAD_BYTES) }));
  const result = decodeMessage('usage', huge);
  t.equal(result.ok, false, 'a payload over the limit is refused');
  if (!result.ok) t.match(result.error, /exceeds 16384/, 'and the reason gives the limit');
});

t.test('malformed JSON is refused with the parser’s reason', async (t) => {
  const result = decodeMessage('status', '{"v":1,');
  t.equal(result.ok, false);
  if (!result.ok) t.match(result.error, /^status: not JSON/);
  const notObject = decodeMessage('usage', '42');
  t.equal(notObject.ok, false, 'a bare number is refused');
});

t.test('events: each type carries its own fields; path events name the right destination', async (t) => {
  refused(t, 'events', { ...fx.failoverEvent(), to: 'dsl' }, /to: Invalid input: expected "mobile"/, 'a failover that goes to DSL');
  refused(t, 'events', { ...fx.failoverEvent(), type: 'explosion' }, /type: /, 'an unknown event type');
  const fairUse = { v: 1, id: 'evt-9', at: fx.AT, type: 'fair-use', period: '2026-03', thresholdPercent: 80, usedBytes: 4_000_000_000, capBytes: 5_000_000_000 };
  t.ok(validateMessage('events', fairUse).ok, 'a fair-use event at 80 % parses (R9)');
  refused(t, 'events', { ...fairUse, thresholdPercent: 90 }, /thresholdPercent: /, 'a fair-use threshold that is not 80 or 100');
  const reset = { v: 1, id: 'evt-10', at: fx.AT, type: 'modem-reset', step: 'cfun-reset', reason: '3 timeouts in a row' };
  t.ok(validateMessage('events', reset).ok, 'a modem reset parses');
  refused(t, 'events', { ...reset, step: 'reboot-the-world' }, /step: /, 'an unknown recovery step');
});

t.test('acks: a rejection needs a reason', async (t) => {
  refused(t, 'acks', fx.ack({ outcome: 'rejected', applied: null }), /reason: a rejected ack needs a reason/, 'a reasonless rejection');
  t.ok(validateMessage('acks', fx.ack({ outcome: 'rejected', reason: 'seq 4 is not above 7', applied: null })).ok, 'a rejection with a reason parses');
});

t.test('status: a signal outside what a stick reports is refused', async (t) => {
  const base = fx.status();
  const vdsl = { ...base.dsl, state: 'up' as const, downKbps: 100_000, upKbps: 40_000 };
  t.ok(validateMessage('status', { ...base, dsl: vdsl }).ok, 'DSL sync rates above the UMTS limit (VDSL2 100/40 Mbit/s) parse');
  refused(t, 'status', { ...base, dsl: { ...vdsl, downKbps: 2_000_000 } }, /dsl.downKbps: Too big/, 'a DSL rate above 1 Gbit/s');
  refused(t, 'status', { ...base, modem: { ...base.modem, signalDbm: 5 } }, /modem.signalDbm: Too big/, 'a positive dBm');
  t.ok(validateMessage('status', { ...base, modem: { ...base.modem, signalDbm: null } }).ok, 'an unknown signal (null) parses');
});

t.test('encodeMessage refuses to send an invalid message', async (t) => {
  t.throws(() => encodeMessage('usage', fx.usage({ downBytes: -5 })), /refusing to send an invalid message: usage: downBytes/);
});
