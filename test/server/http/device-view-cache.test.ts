// The device status route's micro-cache (issue 9): an answer is reused until the router changes,
// and every change this server makes shows in the very next answer: a stored uplink message, a
// desired state moved by a boost and confirmed by the broker, a write request to the API. A
// change the server did not make (a row written behind its back, as another instance would)
// shows once the cache's time is up; with the cache off, at once.
import t from 'tap';
import type { TestClock } from '../../../shared/clock.js';
import { DeviceViewCache } from '../../../server/http/device-view-cache.js';
import { testDatabase } from '../../helpers/database.js';
import { status } from '../../fixtures/messages.js';
import { connectedRouter, seed } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

t.test('DeviceViewCache', async (t) => {
  t.test('a hit until invalidated; another month is a miss', async (t) => {
    const cache = new DeviceViewCache(60_000);
    let loads = 0;
    const load = async () => `answer ${++loads}`;
    t.equal(await cache.read('fb-1', '2026-11', load), 'answer 1');
    t.equal(await cache.read('fb-1', '2026-11', load), 'answer 1', 'reused');
    t.equal(await cache.read('fb-2', '2026-11', load), 'answer 2', 'per device');
    t.equal(await cache.read('fb-1', '2026-12', load), 'answer 3', 'a new billing period is built afresh');
    cache.invalidate('fb-1');
    t.equal(await cache.read('fb-1', '2026-12', load), 'answer 4', 'after a change');
    t.equal(await cache.read('fb-2', '2026-11', load), 'answer 2', 'the other device keeps its answer');
    cache.clear();
    t.equal(await cache.read('fb-2', '2026-11', load), 'answer 5', 'cleared');
  });

  t.test('an answer a change overtook is returned but not kept', async (t) => {
    const cache = new DeviceViewCache(60_000);
    let release!: () => void;
    const slow = cache.read('fb-1', '2026-11', () => new Promise<string>((resolve) => (release = () => resolve('before the change'))));
    cache.invalidate('fb-1');
    release();
    t.equal(await slow, 'before the change');
    t.equal(await cache.read('fb-1', '2026-11', async () => 'after the change'), 'after the change');
  });

  t.test('a failed load keeps nothing', async (t) => {
    const cache = new DeviceViewCache(60_000);
    await t.rejects(cache.read('fb-1', '2026-11', async () => Promise.reject(new Error('store down'))), /store down/);
    t.equal(await cache.read('fb-1', '2026-11', async () => 'fresh'), 'fresh');
  });

  t.test('0 turns it off', async (t) => {
    const cache = new DeviceViewCache(0);
    let loads = 0;
    await cache.read('fb-1', '2026-11', async () => `${++loads}`);
    t.equal(await cache.read('fb-1', '2026-11', async () => `${++loads}`), '2');
  });
});

async function view(ts: TestServer, deviceId: string) {
  const response = await ts.call('GET', `/api/v1/devices/${deviceId}`, { token: ts.tokens.noc });
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8');
  return response.json();
}

t.test('the status route answers from the cache, and every change this server makes shows at once', async (t) => {
  // A cache time far longer than the test: anything fresh below was dropped by a change, not aged out.
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env', config: { statusCacheMs: 60_000 } });
  const clock = ts.clock as TestClock;
  const seeded = await seed(ts);
  const router = await connectedRouter(t, ts, seeded, 'dsl');
  const id = router.deviceId;
  const { db } = ts.server.services.store;

  t.equal((await view(ts, id)).serialNumber, null);
  await db.updateTable('devices').set({ serial_number: 'written behind its back' }).where('id', '=', id).execute();
  t.equal((await view(ts, id)).serialNumber, null, 'a row written behind the server: the cached answer stands');

  clock.advance(1_000);
  const at = new Date(clock.now()).toISOString();
  await router.publish('status', status({ at, activePath: 'mobile', pathSince: at }), { retain: true });
  await waitFor(async () => ts.server.ingest.stats.snapshot().stored['status'] === 2, 'the status stored');
  const afterStatus = await view(ts, id);
  t.equal(afterStatus.path, 'mobile', 'a stored status shows in the next answer');
  t.equal(afterStatus.serialNumber, 'written behind its back', 'built afresh from the store');

  const boost = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/operator-boosts`, { token: ts.tokens.helpdesk, body: { durationMinutes: 60, reason: 'cache test' } });
  t.equal(boost.statusCode, 201);
  t.match((await view(ts, id)).profile.desired, { profile: 'boost' }, 'a new desired state shows in the next answer');
  await ts.server.desiredPublished();
  t.match((await view(ts, id)).profile.desired, { profile: 'boost', published: true }, 'and its confirmation by the broker');

  await db.updateTable('devices').set({ serial_number: 'second write' }).where('id', '=', id).execute();
  const rotated = await ts.call('POST', `/api/v1/devices/${id}/credentials`, { token: ts.tokens.admin });
  t.equal(rotated.statusCode, 201);
  t.equal((await view(ts, id)).serialNumber, 'second write', 'a write request to the API drops the cached answers');
});

t.test('with the cache off every answer is read from the store', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { config: { statusCacheMs: 0 } });
  const seeded = await seed(ts);
  const id = seeded.device!.deviceId;
  t.equal((await view(ts, id)).serialNumber, null);
  await ts.server.services.store.db.updateTable('devices').set({ serial_number: 'SN-1' }).where('id', '=', id).execute();
  t.equal((await view(ts, id)).serialNumber, 'SN-1');
});

t.test('an unknown device is a 404 each time, never cached', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t));
  for (let i = 0; i < 2; i++) {
    const response = await ts.call('GET', '/api/v1/devices/no-such-router', { token: ts.tokens.noc });
    t.equal(response.statusCode, 404);
    t.match(response.json(), { code: 'device-not-found' });
  }
});
