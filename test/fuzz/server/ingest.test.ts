// The server's MQTT ingest under a stream of random messages from a real enrolled device, through
// a real broker (the server's own, or SP_MQTT_URL's in .ci/run) into a real store (SQLite, or
// SP_DATABASE_URL's PostgreSQL): the server never stops, nothing is stored from an invalid
// message (store snapshots before and after are equal), valid ones are stored, and the counters
// add up (every message received is stored, ignored or refused, under the right reason).
import fc from 'fast-check';
import t from 'tap';
import { decodeMessage, encodeMessage, MAX_PAYLOAD_BYTES, topicFor, UPLINK_KINDS, type TopicKind } from '../../../shared/contract/index.js';
import { refusalOf, type IngestCounts } from '../../../server/mqtt/ingest-stats.js';
import { bumpDesired, getDesired } from '../../../server/store/desired-states.js';
import { testDatabase } from '../../helpers/database.js';
import { connectDevice } from '../../server/helpers/device.js';
import { handled, quietCounts } from '../../server/helpers/ingest.js';
import { seed } from '../../server/helpers/fixtures.js';
import { startTestServer } from '../../server/helpers/server.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { VALID } from '../helpers/messages.js';
import { mutateLine, lineMutation } from '../helpers/mutate.js';

type Step =
  /** Valid and new: must be stored. */
  | { readonly type: 'fresh'; readonly kind: TopicKind; readonly message: Record<string, unknown> }
  /** Valid, maybe a replay or older than what is stored: stored or ignored, never refused. */
  | { readonly type: 'valid'; readonly kind: TopicKind; readonly message: Record<string, unknown> }
  /** Anything else: must be refused and change nothing. */
  | { readonly type: 'junk'; readonly kind: TopicKind; readonly payload: Buffer };

const upKind = fc.constantFrom(...UPLINK_KINDS);

/** A valid message of a kind, with a few of its fields broken (bytes or structure). */
const junk: fc.Arbitrary<Step> = upKind.chain((kind) =>
  fc
    .oneof(
      VALID[kind].chain((message) =>
        fc.array(lineMutation, { minLength: 1, maxLength: 3 }).map((mutations) => Buffer.from(mutateLine(JSON.stringify(message), mutations), 'latin1')),
      ),
      VALID[kind].chain((message) =>
        fc.tuple(fc.constantFrom(...Object.keys(message as object)), fc.constantFrom<unknown>(null, -1, 0.5, '', 'x', [], {}, true, 1e300)).map(([key, value]) =>
          Buffer.from(JSON.stringify({ ...(message as object), [key]: value })),
        ),
      ),
      VALID[kind].map((message) => Buffer.from(JSON.stringify({ ...(message as object), v: 2 }))),
      fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.constant(Buffer.alloc(0)),
      fc.integer({ min: MAX_PAYLOAD_BYTES + 1, max: MAX_PAYLOAD_BYTES + 2048 }).map((n) => Buffer.alloc(n, 0x20)),
      // Another kind's valid message on this kind's topic.
      upKind.filter((other) => other !== kind).chain((other) => VALID[other].map((message) => encodeMessage(other, message as never))),
    )
    .map((payload) => ({ type: 'junk' as const, kind, payload })),
);

const valid = (type: 'fresh' | 'valid'): fc.Arbitrary<Step> =>
  upKind.chain((kind) => VALID[kind].map((message) => ({ type, kind, message: message as Record<string, unknown> })));

const step = fc.oneof({ weight: 3, arbitrary: junk }, { weight: 2, arbitrary: valid('fresh') }, { weight: 1, arbitrary: valid('valid') });

t.test('the ingest under a random stream from a real device', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env' });
  const seeded = await seed(ts);
  const device = await connectDevice(t, seeded.device!);
  const deviceId = device.deviceId;
  const { db } = ts.server.services.store;
  const ingest = ts.server.ingest;

  /** What the store holds for this device and its subscription. */
  const snapshot = async () => ({
    device: await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst(),
    usage: await db.selectFrom('usage').selectAll().where('device_id', '=', deviceId).orderBy('period').execute(),
    events: await db.selectFrom('events').selectAll().where('device_id', '=', deviceId).orderBy('event_id').execute(),
    audit: await db.selectFrom('audit_log').selectAll().where('subscription_id', '=', seeded.subscriptionId).orderBy('id').execute(),
    desired: await db.selectFrom('desired_states').selectAll().where('device_id', '=', deviceId).execute(),
    boosts: await db.selectFrom('boosts').selectAll().where('subscription_id', '=', seeded.subscriptionId).orderBy('id').execute(),
    notices: await db.selectFrom('fair_use_notices').selectAll().where('subscription_id', '=', seeded.subscriptionId).orderBy('period').orderBy('threshold').execute(),
    mails: await db.selectFrom('mail_outbox').select(['id', 'dedupe_key']).orderBy('id').execute(),
  });


  // On a shared broker (SP_MQTT_URL) the server also hears other test files' routers, which it
  // refuses as unknown devices; those are not this device's messages and are left out of the sums.
  const own = (counts: IngestCounts) => handled(counts) - (counts.refused['unknown-device'] ?? 0);

  /** Publishes one message and waits until the ingest has finished with it. */
  const publish = async (kind: TopicKind, payload: Buffer): Promise<{ before: IngestCounts; after: IngestCounts }> => {
    // From a quiet ingest: another router's message received but not yet refused would count as
    // received before and as refused after, and look like one of this device's.
    const before = await quietCounts(ingest.stats);
    await device.publishRaw(topicFor(kind, deviceId), payload);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const after = ingest.stats.snapshot();
      if (own(after) > own(before) && handled(after) === after.received) return { before, after };
      expect(Date.now() < deadline, () => `the ingest did not finish a ${kind} message: ${JSON.stringify(after)}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  const delta = (a: IngestCounts, b: IngestCounts): { received: number; stored: Record<string, number>; ignored: Record<string, number>; refused: Record<string, number> } => ({
    received: b.received - (b.refused['unknown-device'] ?? 0) - (a.received - (a.refused['unknown-device'] ?? 0)),
    stored: Object.fromEntries(Object.entries(b.stored).map(([k, v]) => [k, v - (a.stored[k] ?? 0)]).filter(([, v]) => v !== 0)),
    ignored: Object.fromEntries(Object.entries(b.ignored).map(([k, v]) => [k, v - a.ignored[k as keyof typeof a.ignored]]).filter(([, v]) => v !== 0)),
    refused: Object.fromEntries(
      Object.entries(b.refused)
        .filter(([k]) => k !== 'unknown-device')
        .map(([k, v]) => [k, v - a.refused[k as keyof typeof a.refused]])
        .filter(([, v]) => v !== 0),
    ),
  });

  // Fresh ids, sequence numbers and instants, later than anything stored so far; an ack answers
  // a desired state moved on for it (as a boost or its end would).
  let counter = 0;
  const freshen = async (kind: TopicKind, message: Record<string, unknown>): Promise<Record<string, unknown>> => {
    counter++;
    if (kind === 'acks') {
      await bumpDesired(db, deviceId, { profile: 'baseline', downKbps: 128, upKbps: 64, untilAt: null, boostId: null, suspended: false }, ts.clock.now());
      return { ...message, seq: (await getDesired(db, deviceId))!.seq, boostId: null };
    }
    const at = new Date(Date.parse('2100-01-01T00:00:00Z') + counter * 1000).toISOString();
    switch (kind) {
      case 'events':
        return { ...message, id: `fuzz-${counter}` };
      case 'usage':
        return { ...message, seq: 1_000_000 + counter };
      case 'status':
      case 'presence':
        return { ...message, at };
      default:
        return message;
    }
  };

  // Regression examples (each found by this suite on PostgreSQL; see the report).
  {
    // A usage seq above 2^31 − 1 was valid on the wire but overflowed the integer column: lost.
    const { before, after } = await publish('usage', Buffer.from(JSON.stringify({ v: 1, at: '2026-03-10T09:00:00.000Z', period: '2026-03', seq: 2 ** 31, upBytes: 0, downBytes: 0 })));
    t.same(delta(before, after).refused, { invalid: 1 }, 'a usage seq of 2^31 is refused as invalid, not a failed handler');
    // A NUL in an ack's reason: PostgreSQL text cannot hold it, the ack was lost.
    const ack = await freshen('acks', { v: 1, at: '2026-03-10T09:00:00.000Z', outcome: 'rejected', reason: 'stick\u0000refused', applied: null });
    const counts = await publish('acks', encodeMessage('acks', ack as never));
    t.same(delta(counts.before, counts.after).stored, { acks: 1 }, 'an ack whose reason holds a NUL is stored');
    t.equal((await getDesired(db, deviceId))?.ack_reason, 'stick\ufffdrefused', 'with the NUL replaced');
  }

  await fuzz(
    t,
    'random streams into the ingest',
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
      for (const s of steps) {
        const before = await snapshot();
        if (s.type === 'junk') {
          const { before: c0, after: c1 } = await publish(s.kind, s.payload);
          const decoded = decodeMessage(s.kind, s.payload);
          if (decoded.ok) continue; // a mutation that happens to be valid: judged like any valid message below
          const reason = s.payload.length === 0 ? 'empty-payload' : refusalOf(decoded.error);
          const d = delta(c0, c1);
          expect(JSON.stringify(d) === JSON.stringify({ received: 1, stored: {}, ignored: {}, refused: { [reason]: 1 } }), () => `${s.kind} ${JSON.stringify(s.payload.toString('latin1').slice(0, 200))}: expected one '${reason}' refusal, counters moved by ${JSON.stringify(d)}`);
          const after = await snapshot();
          expect(JSON.stringify(after) === JSON.stringify(before), () => `an invalid ${s.kind} changed the store: ${decoded.error}`);
          continue;
        }
        const message = s.type === 'fresh' ? await freshen(s.kind, s.message) : s.message;
        const { before: c0, after: c1 } = await publish(s.kind, encodeMessage(s.kind, message as never));
        const d = delta(c0, c1);
        const refused = Object.keys(d.refused);
        expect(refused.length === 0, () => `a valid ${s.kind} was refused (${refused.join(', ')}): ${JSON.stringify(message)}`);
        expect(d.received === 1 && Object.values(d.stored).concat(Object.values(d.ignored)).reduce((a, b) => a + b, 0) === 1, () => `counters moved by ${JSON.stringify(d)}`);
        if (s.type !== 'fresh') continue;
        expect(d.stored[s.kind] === 1, () => `a new ${s.kind} was not stored (${JSON.stringify(d)}): ${JSON.stringify(message)}`);
        const after = await snapshot();
        if (s.kind === 'events') expect(after.events.some((e) => e.event_id === message['id'] && JSON.parse(e.payload).type === message['type']), 'the event is not in the store');
        if (s.kind === 'usage') expect(after.usage.some((u) => u.period === message['period'] && u.seq === message['seq'] && u.up_bytes === message['upBytes'] && u.down_bytes === message['downBytes']), () => `the usage is not in the store: ${JSON.stringify(after.usage)}`);
        if (s.kind === 'status') expect(after.device?.status_at === Date.parse(message['at'] as string), 'the status is not in the store');
        if (s.kind === 'presence') expect(after.device?.presence === message['state'], 'the presence is not in the store');
        if (s.kind === 'acks') expect(after.desired[0]?.acked_seq === message['seq'] && after.desired[0]?.ack_outcome === message['outcome'], 'the ack is not in the store');
      }
    }),
    10,
  );

  // Still serving: the API answers and a new event goes in.
  const stats = await ts.call('GET', '/api/v1/ingest/stats', { token: ts.tokens.noc });
  t.equal(stats.statusCode, 200, 'the API still answers');
  // Waited for: no message left in the middle of the ingest (another router's may be passing).
  const last = await quietCounts(ingest.stats).catch((error: Error) => (t.fail(error.message), ingest.stats.snapshot()));
  t.equal(last.refused['handler-failed'], 0, 'no message made a handler fail');
  t.equal(handled(last), last.received, 'every message received was stored, ignored or refused');
});
