// Device isolation on the broker, every topic kind both ways (issue 11, security), beyond
// test/server/mqtt/acl.test.ts: a device can neither read (subscribe to) nor write (publish to)
// any topic of another device, nor the server's `desired`, its own included; a forged `desired`
// from a device never reaches the router it names, whose retained desired state stays the
// server's; a client without credentials does not get in. The embedded broker enforces this
// itself; the HTTP hook gives an external broker the same answers for the same matrix.
import t from 'tap';
import { encodeMessage, TOPIC_KINDS, TOPIC_SPECS, topicFor, type TopicKind } from '../../shared/contract/index.js';
import { ack, desired, presence, status, usage, failoverEvent } from '../fixtures/messages.js';
import { testDatabase } from '../helpers/database.js';
import { loginCode } from '../server/helpers/broker-login.js';
import { connectDevice, type TestDevice } from '../server/helpers/device.js';
import { quietCounts } from '../server/helpers/ingest.js';
import { seed } from '../server/helpers/fixtures.js';
import { startTestServer } from '../server/helpers/server.js';
import { connectNoDelay } from '../../server/mqtt/tcp-client.js';

const HOOK_TOKEN = 'hook-token-for-the-security-test';

/** A valid message of each kind (a forged one must be refused for who sends it, not what). */
const VALID: Record<TopicKind, () => Buffer> = {
  presence: () => encodeMessage('presence', presence()),
  status: () => encodeMessage('status', status()),
  events: () => encodeMessage('events', failoverEvent()),
  usage: () => encodeMessage('usage', usage()),
  acks: () => encodeMessage('acks', ack()),
  desired: () => encodeMessage('desired', desired({ seq: 999, profile: 'boost', until: '2099-01-01T00:00:00.000Z' })),
};

/** Publishes and resolves `dropped` when the broker closes the connection for it, `accepted` at the PUBACK. */
async function publishOutcome(device: TestDevice, topic: string, payload: Buffer): Promise<'dropped' | 'accepted'> {
  const closed = new Promise<'dropped'>((resolve) => device.client.once('close', () => resolve('dropped')));
  const acked = device.client.publishAsync(topic, payload, { qos: 1 }).then(
    () => 'accepted' as const,
    () => new Promise<'dropped'>(() => {}),
  );
  return Promise.race([closed, acked]);
}

/** The SUBACK return code for one filter (128 refused). */
async function subscribeCode(device: TestDevice, filter: string): Promise<number> {
  return device.client.subscribeAsync(filter, { qos: 1 }).then(
    (granted) => granted[0]?.qos ?? -1,
    (error: { packet?: { granted?: number[] } }) => error.packet?.granted?.[0] ?? -1,
  );
}

t.test('the embedded broker, every kind, read and write', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'embedded', config: { brokerHookToken: HOOK_TOKEN } });
  const a = (await seed(ts)).device!;
  const b = (await seed(ts)).device!;
  const victim = await connectDevice(t, b);
  await victim.nextDesired((d) => d.seq === 1, "B's own desired state");

  t.test("a device cannot read another device's topics, nor its own up topics, nor wildcards", async (t) => {
    const reader = await connectDevice(t, a);
    for (const kind of TOPIC_KINDS) {
      t.equal(await subscribeCode(reader, topicFor(kind, b.deviceId)), 128, `subscribe B/${kind}: refused`);
      if (kind !== 'desired') t.equal(await subscribeCode(reader, topicFor(kind, a.deviceId)), 128, `subscribe own ${kind}: refused (only the server reads it)`);
    }
    for (const filter of ['#', 'sp/#', 'sp/v1/devices/#', `sp/v1/devices/${b.deviceId}/#`, 'sp/v1/devices/+/desired', '+/+/+/+/+', '$SYS/#', `$share/g/sp/v1/devices/+/status`]) {
      t.equal(await subscribeCode(reader, filter), 128, `subscribe ${filter}: refused`);
    }
    t.equal(await subscribeCode(reader, topicFor('desired', a.deviceId)), 1, 'its own desired topic: granted');
    t.ok(reader.client.connected, 'refused subscriptions leave the connection up');
  });

  t.test("a device cannot write another device's topics, nor any desired topic", async (t) => {
    // Messages of other test files' routers on a shared broker (SP_MQTT_URL) are refused as unknown devices: not counted.
    const ownReceived = async () => {
      const counts = await quietCounts(ts.server.ingest.stats);
      return counts.received - (counts.refused['unknown-device'] ?? 0);
    };
    const before = await ownReceived();
    for (const kind of TOPIC_KINDS) {
      const writer = await connectDevice(t, a);
      t.equal(await publishOutcome(writer, topicFor(kind, b.deviceId), VALID[kind]()), 'dropped', `publish B/${kind}: the connection is dropped`);
    }
    for (const topic of [topicFor('desired', a.deviceId), 'sp/v1/other', '$SYS/broker/forged', 'sp/v1/devices/+/status']) {
      const writer = await connectDevice(t, a);
      t.equal(await publishOutcome(writer, topic, VALID.desired()), 'dropped', `publish ${topic}: dropped`);
    }
    // Its own up topics still work (so the drops above are about the topic, not the client).
    const honest = await connectDevice(t, a);
    for (const kind of TOPIC_KINDS.filter((k) => TOPIC_SPECS[k].direction === 'up')) {
      t.equal(await publishOutcome(honest, topicFor(kind, a.deviceId), VALID[kind]()), 'accepted', `publish own ${kind}: accepted`);
    }
    await ts.server.desiredPublished();
    const received = (await ownReceived()) - before;
    t.ok(received <= 5, `the server received only the honest messages (${received})`);
  });

  t.test('a forged desired never reaches the router it names; its retained desired stays the server’s', async (t) => {
    const forger = await connectDevice(t, a);
    t.equal(await publishOutcome(forger, topicFor('desired', b.deviceId), VALID.desired()), 'dropped');
    // The victim reconnects and gets the retained desired state: the server's seq 1, nothing else.
    await victim.close();
    const again = await connectDevice(t, b);
    const retained = await again.nextDesired(() => true, 'the retained desired state');
    t.match(retained, { seq: 1, profile: 'baseline' });
    t.notOk([...victim.desired, ...again.desired].some((d) => d.seq === 999), 'the forged seq 999 was never delivered');
  });

  t.test('no credentials, or credentials for a principal that is not there: no connection', async (t) => {
    const anonymous = connectNoDelay(a.mqttUrl, { clientId: 'anon', reconnectPeriod: 0 });
    const code = await new Promise<number>((resolve) => {
      anonymous.once('connect', () => resolve(0));
      anonymous.once('error', (error) => resolve((error as { code?: number }).code ?? -1));
    });
    anonymous.end(true);
    t.equal(code, 4, 'no username or password: refused');
    t.equal(await loginCode(a.mqttUrl, { clientId: 'serviceplus.server', username: 'serviceplus.server', password: a.password }), 4, "a device secret does not make the server's principal");
    t.equal(await loginCode(a.mqttUrl, { clientId: 'sp/v1/devices/x', username: 'sp/v1/devices/x', password: a.password }), 4, 'a topic-like username');
  });

  t.test('the HTTP hook answers the same matrix for external brokers', async (t) => {
    const acl = (username: string, topic: string, acc: number) =>
      ts.call('POST', '/api/v1/broker/mosquitto/acl', {
        token: HOOK_TOKEN,
        body: new URLSearchParams({ username, clientid: username, topic, acc: String(acc) }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    // mosquitto-go-auth: 1 read, 2 write, 4 subscribe.
    for (const kind of TOPIC_KINDS) {
      for (const acc of [1, 2, 4]) {
        t.equal((await acl(a.deviceId, topicFor(kind, b.deviceId), acc)).statusCode, 403, `A acc ${acc} on B/${kind}: denied`);
      }
      const ownUp = TOPIC_SPECS[kind].direction === 'up';
      t.equal((await acl(a.deviceId, topicFor(kind, a.deviceId), 2)).statusCode, ownUp ? 200 : 403, `A writes own ${kind}: ${ownUp ? 'allowed' : 'denied'}`);
      t.equal((await acl(a.deviceId, topicFor(kind, a.deviceId), 4)).statusCode, kind === 'desired' ? 200 : 403, `A subscribes own ${kind}`);
    }
    const authz = (topic: string, action: string) => ts.call('POST', '/api/v1/broker/emqx/authz', { token: HOOK_TOKEN, body: { username: a.deviceId, clientid: a.deviceId, topic, action } });
    for (const kind of TOPIC_KINDS) {
      t.match((await authz(topicFor(kind, b.deviceId), 'publish')).json(), { result: 'deny' }, `EMQX: A publishes B/${kind}: deny`);
      t.match((await authz(topicFor(kind, b.deviceId), 'subscribe')).json(), { result: 'deny' }, `EMQX: A subscribes B/${kind}: deny`);
    }
    t.match((await authz(topicFor('desired', a.deviceId), 'publish')).json(), { result: 'deny' }, 'EMQX: A publishes its own desired: deny');
  });
});
