// ONE policy for the broker (embedded and external hook): devices use only their own topics.
import t from 'tap';
import { authorizeTopic, clientIdAllowed, isDeviceUsername, type BrokerPrincipal } from '../../../server/core/broker-policy.js';
import { allDevicesFilter, topicFor, UPLINK_KINDS } from '../../../shared/contract/index.js';

const device: BrokerPrincipal = { kind: 'device', deviceId: 'fb-aaa' };
const server: BrokerPrincipal = { kind: 'server' };

t.test('a device publishes only its own up topics', async (t) => {
  for (const kind of UPLINK_KINDS) t.ok(authorizeTopic(device, 'publish', topicFor(kind, 'fb-aaa')).allow, kind);
  t.match(authorizeTopic(device, 'publish', topicFor('status', 'fb-bbb')), { allow: false, reason: /another device/ });
  t.match(authorizeTopic(device, 'publish', topicFor('desired', 'fb-aaa')), { allow: false, reason: /may not publish desired/ });
  t.notOk(authorizeTopic(device, 'publish', 'sp/v1/devices/fb-aaa/status/extra').allow);
  t.notOk(authorizeTopic(device, 'publish', 'elsewhere').allow);
});

t.test('a device subscribes to and reads only its own desired state', async (t) => {
  t.ok(authorizeTopic(device, 'subscribe', topicFor('desired', 'fb-aaa')).allow);
  t.ok(authorizeTopic(device, 'read', topicFor('desired', 'fb-aaa')).allow);
  for (const topic of [topicFor('desired', 'fb-bbb'), 'sp/v1/devices/+/desired', 'sp/v1/devices/fb-aaa/#', '#', topicFor('status', 'fb-aaa')]) {
    t.notOk(authorizeTopic(device, 'subscribe', topic).allow, topic);
  }
});

t.test("the server's principal reads all up topics and publishes desired states", async (t) => {
  for (const kind of UPLINK_KINDS) {
    t.ok(authorizeTopic(server, 'subscribe', allDevicesFilter(kind)).allow, kind);
    t.ok(authorizeTopic(server, 'subscribe', `$share/sp/${allDevicesFilter(kind)}`).allow, `shared ${kind}`);
    t.ok(authorizeTopic(server, 'read', topicFor(kind, 'fb-x')).allow);
  }
  t.ok(authorizeTopic(server, 'publish', topicFor('desired', 'fb-x')).allow);
  t.notOk(authorizeTopic(server, 'publish', topicFor('status', 'fb-x')).allow);
  t.notOk(authorizeTopic(server, 'subscribe', '#').allow);
  t.notOk(authorizeTopic(server, 'subscribe', allDevicesFilter('desired')).allow);
});

t.test('client ids and usernames', async (t) => {
  t.ok(clientIdAllowed(device, 'fb-aaa'));
  t.notOk(clientIdAllowed(device, 'fb-bbb'), 'no taking over another device session');
  t.ok(isDeviceUsername('fb-aaa'));
  t.notOk(isDeviceUsername('serviceplus.server'), 'the server username can never be a device');
});
