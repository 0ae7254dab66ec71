// Device isolation on the broker. The embedded broker enforces it itself (this file always uses
// it, whatever SP_MQTT_URL says); the HTTP hook gives an external broker the same answers from
// the same policy.
import t from 'tap';
import { encodeMessage, topicFor } from '../../../shared/contract/index.js';
import { testDatabase } from '../../helpers/database.js';
import { status } from '../../fixtures/messages.js';
import { loginCode } from '../helpers/broker-login.js';
import { connectDevice } from '../helpers/device.js';
import { seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const HOOK_TOKEN = 'hook-token-for-the-test-broker';

t.test('the embedded broker', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'embedded', config: { brokerHookToken: HOOK_TOKEN } });
  t.ok(ts.server.embeddedBroker);
  const a = await seed(ts);
  const b = await seed(ts);
  const credsA = a.device!;
  const credsB = b.device!;

  t.test('a device logs in with its own id and secret, and gets its desired state', async (t) => {
    const device = await connectDevice(t, credsA);
    const desired = await device.nextDesired((d) => d.seq === 1);
    t.match(desired, { profile: 'baseline', downKbps: 128, upKbps: 64, until: null, suspended: false });
  });

  t.test('wrong secret, unknown device, or another client id: refused', async (t) => {
    t.equal(await loginCode(credsA.mqttUrl, { clientId: credsA.deviceId, username: credsA.deviceId, password: credsB.password }), 4, 'wrong secret');
    t.equal(await loginCode(credsA.mqttUrl, { clientId: 'fb-unknown', username: 'fb-unknown', password: credsA.password }), 4, 'unknown device');
    t.equal(await loginCode(credsA.mqttUrl, { clientId: credsB.deviceId, username: credsA.deviceId, password: credsA.password }), 5, 'taking over another device session');
    t.equal(await loginCode(credsA.mqttUrl, { clientId: 'x', username: 'serviceplus.server', password: 'guess' }), 4, 'the server principal');
  });

  t.test("a device that publishes to another device's topic is refused and changes nothing", async (t) => {
    const intruder = await connectDevice(t, credsA);
    const closed = new Promise<void>((resolve) => intruder.client.once('close', () => resolve()));
    intruder.client.publish(topicFor('status', credsB.deviceId), encodeMessage('status', status({ activePath: 'dsl' })), { qos: 1 });
    await closed;
    t.pass('the broker dropped the connection');
    // B's own message, published afterwards, is stored: the intruder's never was.
    const owner = await connectDevice(t, credsB);
    await owner.publish('events', { v: 1, id: 'evt-owner', at: new Date(ts.clock.now()).toISOString(), type: 'modem-lost', reason: 'unplugged' });
    await waitFor(async () => (await ts.call('GET', `/api/v1/devices/${credsB.deviceId}`, { token: ts.tokens.noc })).json().recentEvents.length === 1, 'the owner event');
    const view = (await ts.call('GET', `/api/v1/devices/${credsB.deviceId}`, { token: ts.tokens.noc })).json();
    t.equal(view.path, null, "B's status is untouched");
    t.equal(view.statusAt, null);
    const stats = (await ts.call('GET', '/api/v1/ingest/stats', { token: ts.tokens.noc })).json();
    t.equal(stats.stored.status ?? 0, 0, 'no status was stored');
  });

  t.test('a device may not publish desired states, not even its own', async (t) => {
    const device = await connectDevice(t, credsA);
    const closed = new Promise<void>((resolve) => device.client.once('close', () => resolve()));
    device.client.publish(topicFor('desired', credsA.deviceId), Buffer.from('{}'), { qos: 1 });
    await closed;
    t.pass('dropped');
  });

  t.test("subscribing to another device's desired state, or to wildcards, is refused", async (t) => {
    const device = await connectDevice(t, credsA);
    // mqtt.js reports a SUBACK with refusals (0x80) as an error that carries the packet.
    const suback = await device.client
      .subscribeAsync({
        [topicFor('desired', credsB.deviceId)]: { qos: 1 },
        'sp/v1/devices/+/status': { qos: 1 },
        '#': { qos: 1 },
        [topicFor('desired', credsA.deviceId)]: { qos: 1 },
      })
      .then(
        () => null,
        (error: { packet?: { granted?: number[] } }) => error.packet?.granted ?? null,
      );
    t.same(suback, [128, 128, 128, 1], 'only its own desired topic is granted');
    t.ok(device.client.connected, 'the connection stays');
  });

  t.test('rotated credentials: the old session ends and the old secret stops working', async (t) => {
    const device = await connectDevice(t, credsB);
    const closed = new Promise<void>((resolve) => device.client.once('close', () => resolve()));
    const rotated = await ts.call('POST', `/api/v1/devices/${credsB.deviceId}/credentials`, { token: ts.tokens.admin });
    t.equal(rotated.statusCode, 201);
    const fresh = rotated.json() as { password: string; deviceId: string };
    await closed;
    t.equal(await loginCode(credsB.mqttUrl, { clientId: credsB.deviceId, username: credsB.deviceId, password: credsB.password }), 4, 'old secret refused');
    t.equal(await loginCode(credsB.mqttUrl, { clientId: credsB.deviceId, username: credsB.deviceId, password: fresh.password }), 0, 'new secret works');
  });

  t.test('the HTTP hook for external brokers answers with the same policy', async (t) => {
    const hook = (path: string, body: unknown, options: { token?: string | null; form?: boolean } = {}) => {
      const token = options.token === undefined ? HOOK_TOKEN : options.token;
      const payload = options.form ? new URLSearchParams(body as Record<string, string>).toString() : body;
      return ts.call('POST', `/api/v1/broker/${path}`, {
        token,
        body: payload,
        headers: options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      });
    };
    const user = { username: credsA.deviceId, password: credsA.password, clientid: credsA.deviceId };
    t.same((await hook('mosquitto/user', user)).json(), { Ok: true, Error: '' });
    t.equal((await hook('mosquitto/user', user, { form: true })).statusCode, 200, 'form parameters too');
    const bad = await hook('mosquitto/user', { ...user, password: 'wrong' });
    t.equal(bad.statusCode, 403);
    t.equal(bad.json().Ok, false);
    t.equal((await hook('mosquitto/user', { ...user, clientid: credsB.deviceId })).statusCode, 403, 'client id must be the device id');
    t.equal((await hook('mosquitto/superuser', { username: credsA.deviceId })).statusCode, 403, 'no superusers');

    const acl = (username: string, topic: string, acc: number) => hook('mosquitto/acl', { username, clientid: username, topic, acc: String(acc) }, { form: true });
    t.equal((await acl(credsA.deviceId, topicFor('status', credsA.deviceId), 2)).statusCode, 200, 'publish own status');
    t.equal((await acl(credsA.deviceId, topicFor('status', credsB.deviceId), 2)).statusCode, 403, "publish another's status");
    t.equal((await acl(credsA.deviceId, topicFor('desired', credsA.deviceId), 4)).statusCode, 200, 'subscribe own desired');
    t.equal((await acl(credsA.deviceId, topicFor('desired', credsA.deviceId), 1)).statusCode, 200, 'read own desired');
    t.equal((await acl(credsA.deviceId, topicFor('desired', credsB.deviceId), 4)).statusCode, 403, "subscribe another's desired");
    t.equal((await acl(credsA.deviceId, topicFor('desired', credsA.deviceId), 3)).statusCode, 403, 'write own desired');
    t.equal((await acl('serviceplus.server', 'sp/v1/devices/+/usage', 4)).statusCode, 200, 'the server reads all');
    t.equal((await acl('serviceplus.server', topicFor('desired', credsB.deviceId), 2)).statusCode, 200, 'the server publishes desired');
    t.equal((await acl('fb-nobody', topicFor('status', 'fb-nobody'), 2)).statusCode, 403, 'an unknown device has no rights');

    t.same((await hook('emqx/authn', user)).json(), { result: 'allow', is_superuser: false });
    t.match((await hook('emqx/authn', { ...user, password: 'x' })).json(), { result: 'deny' });
    const authz = (topic: string, action: string) => hook('emqx/authz', { username: credsA.deviceId, clientid: credsA.deviceId, topic, action });
    t.match((await authz(topicFor('usage', credsA.deviceId), 'publish')).json(), { result: 'allow' });
    t.match((await authz(topicFor('usage', credsB.deviceId), 'publish')).json(), { result: 'deny' });
    t.match((await authz(topicFor('desired', credsA.deviceId), 'subscribe')).json(), { result: 'allow' });
    t.match((await authz(topicFor('desired', credsA.deviceId), 'all')).json(), { result: 'deny' });

    const noToken = await hook('mosquitto/user', user, { token: null });
    t.equal(noToken.json().code, 'unauthenticated', 'the broker must present the hook token');
    const viaQuery = await ts.call('POST', `/api/v1/broker/mosquitto/user?token=${HOOK_TOKEN}`, { body: user });
    t.equal(viaQuery.statusCode, 200, 'or pass it in the URI where it cannot send headers');
  });
});

t.test('the hook is off without a token', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t));
  const response = await ts.call('POST', '/api/v1/broker/emqx/authn', { body: { username: 'x', password: 'y', clientid: 'x' } });
  t.equal(response.statusCode, 404);
  t.equal(response.json().type, '/api/v1/problems/broker-hook-disabled');
});
