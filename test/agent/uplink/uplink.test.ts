// The MQTT uplink against a real broker: presence, retained status, desired coming down, and the
// outbox going out in order after the broker was out of reach.
import { join } from 'node:path';
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { systemClock } from '../../../shared/clock.js';
import { topicFor } from '../../../shared/contract/index.js';
import { createLogger, silentLogger } from '../../../shared/log.js';
import { Outbox } from '../../../agent/uplink/outbox.js';
import { Uplink } from '../../../agent/uplink/uplink.js';
import { backoffDelayMs } from '../../../agent/uplink/backoff.js';
import { startTestBroker, uniqueDeviceId } from '../../helpers/broker.js';
import { desired, failoverEvent, status } from '../../fixtures/messages.js';
import { startCuttableProxy } from '../helpers/cuttable-proxy.js';
import { ServerStandIn } from '../helpers/server-standin.js';
import { tempDir } from '../helpers/temp.js';

const log = process.env['SP_TEST_AGENT_LOG'] ? createLogger({ name: 'uplink-test', level: process.env['SP_TEST_AGENT_LOG'] }) : silentLogger();

async function setup(t: Test) {
  const broker = await startTestBroker();
  const proxy = await startCuttableProxy(broker.url);
  const deviceId = uniqueDeviceId('agent-uplink');
  const server = await ServerStandIn.connect(broker.url, deviceId);
  const dir = await tempDir(t);
  const outbox = await Outbox.open(join(dir, 'outbox.log'), { log });
  const desiredPayloads: string[] = [];
  const uplink = new Uplink({
    url: proxy.url,
    deviceId,
    secret: 'device-secret-123',
    outbox,
    clock: systemClock,
    log,
    backoff: { initialMs: 50, maxMs: 200 },
    keepaliveS: 30,
    connectTimeoutMs: 5_000,
    onDesired: (payload) => desiredPayloads.push(payload.toString()),
  });
  t.teardown(async () => {
    await uplink.stop();
    await outbox.close();
    await server.cleanUp();
    await proxy.close();
    await broker.close();
  });
  return { broker, proxy, deviceId, server, outbox, uplink, desiredPayloads };
}

t.test('presence online at connect, the retained desired comes down, presence offline at stop', async (t) => {
  const { server, uplink, desiredPayloads } = await setup(t);
  await server.publishDesired(desired({ seq: 11 }));
  uplink.start();
  const online = await server.waitFor('presence online', () => server.of('presence').find((p) => p.state === 'online'));
  t.equal(online.reason, 'startup');
  await server.waitFor('the desired state', () => desiredPayloads.length > 0);
  t.match(JSON.parse(desiredPayloads[0]!), { seq: 11 });
  await uplink.stop();
  const offline = await server.waitFor('presence offline', () => server.of('presence').find((p) => p.state === 'offline'));
  t.equal(offline.reason, 'shutdown');
});

t.test('status is retained and only the newest counts', async (t) => {
  const { broker, server, uplink } = await setup(t);
  uplink.start();
  await server.waitFor('online', () => server.of('presence').length > 0);
  uplink.setStatus(status({ activePath: 'dsl' }));
  uplink.setStatus(status({ activePath: 'mobile' }));
  await server.waitFor('the mobile status', () => server.of('status').find((s) => s.activePath === 'mobile'));
  t.equal(server.of('status').at(-1)!.activePath, 'mobile');
  // Someone who subscribes later gets the newest status from the broker.
  const late = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const retained = new Promise<Buffer>((resolve) => late.on('message', (_topic, payload) => resolve(payload)));
  await late.subscribeAsync(topicFor('status', server.deviceId), { qos: 1 });
  t.match(JSON.parse((await retained).toString()), { activePath: 'mobile' });
  await late.endAsync();
});

t.test('messages queued while the broker is out of reach go out in order when it returns', async (t) => {
  const { proxy, server, uplink, outbox } = await setup(t);
  uplink.start();
  await server.waitFor('online', () => server.of('presence').length > 0);
  await uplink.send('events', failoverEvent({ id: 'evt-before' }));
  await server.waitFor('the first event', () => server.of('events').length === 1);
  await server.waitFor('its PUBACK (the outbox empty)', () => outbox.pending().length === 0);
  proxy.cut();
  for (let i = 0; i < 25; i++) await uplink.send('events', failoverEvent({ id: `evt-${String(i).padStart(2, '0')}` }));
  t.equal(outbox.pending().length, 25, 'kept while cut off');
  proxy.restore();
  await server.waitFor('25 more events', () => server.of('events').length >= 26);
  const ids = server.of('events').map((e) => e.id);
  t.same(ids, ['evt-before', ...Array.from({ length: 25 }, (_, i) => `evt-${String(i).padStart(2, '0')}`)], 'all of them, in order, once');
  await server.waitFor('outbox drained', () => outbox.pending().length === 0 || null, 5_000);
  t.same(server.refused, [], 'every message passed the contract');
});

t.test('reconnect delays grow exponentially with jitter, capped', async (t) => {
  const settings = { initialMs: 1_000, maxMs: 60_000 };
  t.equal(backoffDelayMs(0, settings, () => 0), 500);
  t.equal(backoffDelayMs(0, settings, () => 0.999_999), 1_000);
  t.equal(backoffDelayMs(3, settings, () => 0), 4_000);
  t.equal(backoffDelayMs(10, settings, () => 0), 30_000);
  t.equal(backoffDelayMs(50, settings, () => 0.999_999), 60_000);
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, settings)));
  t.ok(spread.size > 10, 'a fleet does not retry in lockstep');
});
