// The MQTT ingest through a real broker (the server's own, or SP_MQTT_URL's in .ci/run): each
// kind of message is stored; a replayed, reordered or malformed message changes nothing and is
// counted by reason; the Last Will marks the router offline; fair-use thresholds apply R9.
import t from 'tap';
import type { TestClock } from '../../../shared/clock.js';
import { encodeMessage, topicFor } from '../../../shared/contract/index.js';
import { testDatabase } from '../../helpers/database.js';
import { failoverEvent, status, usage } from '../../fixtures/messages.js';
import { connectDevice } from '../helpers/device.js';
import { ackDesired, connectedRouter, login, seed } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

async function deviceView(ts: TestServer, deviceId: string) {
  return (await ts.call('GET', `/api/v1/devices/${deviceId}`, { token: ts.tokens.noc })).json();
}

async function stats(ts: TestServer) {
  return (await ts.call('GET', '/api/v1/ingest/stats', { token: ts.tokens.noc })).json() as {
    received: number;
    stored: Record<string, number>;
    ignored: Record<string, number>;
    refused: Record<string, number>;
  };
}

t.test('ingest', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env' });
  const clock = ts.clock as TestClock;
  const iso = (offsetMs = 0) => new Date(clock.now() + offsetMs).toISOString();

  t.test('every kind of message is stored and shown', async (t) => {
    const seeded = await seed(ts);
    const router = await connectedRouter(t, ts, seeded, 'mobile');
    const id = router.deviceId;
    clock.advance(60_000);
    await router.publish('status', status({ at: iso(), activePath: 'mobile', modem: { state: 'connected', registration: 'roaming', technology: 'hsdpa', signalDbm: -91, operator: 'KPN' } }), { retain: true });
    await router.publish('events', failoverEvent({ id: 'evt-a', at: iso() }));
    await router.publish('usage', usage({ period: '2026-03', seq: 3, upBytes: 2_000, downBytes: 50_000, at: iso() }));
    const desired = await ackDesired(router, (d) => d.seq === 1, 'applied', iso());
    const view = await waitFor(async () => {
      const v = await deviceView(ts, id);
      return v.profile.desired?.ack && v.usage && v.recentEvents.length > 0 && v.signal?.dbm === -91 ? v : null;
    }, 'everything stored');
    t.match(view, {
      presence: { state: 'online', reason: 'startup' },
      path: 'mobile',
      signal: { modemState: 'connected', registration: 'roaming', technology: 'hsdpa', dbm: -91, operator: 'KPN' },
      dsl: { state: 'down' },
      usage: { period: '2026-03', upBytes: 2_000, downBytes: 50_000, totalBytes: 52_000, seq: 3 },
      profile: { desired: { seq: desired.seq, published: true, ack: { seq: 1, outcome: 'applied' } }, applied: { name: 'baseline' } },
      router: { model: 'FRITZ!Box 7490' },
      recentEvents: [{ id: 'evt-a', type: 'failover', details: { from: 'dsl', to: 'mobile', reason: 'DSL link down' } }],
    });
    t.ok(view.unavailableOnMobile.length > 0, 'R10 while on mobile');
    const list = (await ts.call('GET', `/api/v1/devices?subscriptionId=${seeded.subscriptionId}&path=mobile`, { token: ts.tokens.helpdesk })).json();
    t.equal(list.items.length, 1);
    t.equal(list.items[0].deviceId, id);
    const events = (await ts.call('GET', `/api/v1/devices/${id}/events?limit=5`, { token: ts.tokens.noc })).json();
    t.equal(events.items.length, 1);
    const usageView = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/usage?period=2026-03`, { token: await login(ts, seeded.login) })).json();
    t.match(usageView, { period: '2026-03', usedBytes: 52_000, upBytes: 2_000, downBytes: 50_000, level: 'normal', devices: [{ deviceId: id }] });
  });

  t.test('a replayed, reordered or malformed message changes nothing', async (t) => {
    const seeded = await seed(ts);
    const router = await connectedRouter(t, ts, seeded, 'mobile');
    const id = router.deviceId;
    clock.advance(60_000);
    const statusNow = status({ at: iso(), activePath: 'mobile', pathSince: iso(-60_000) });
    const event = failoverEvent({ id: 'evt-replayed', at: iso() });
    const usageNow = usage({ period: '2026-03', seq: 9, upBytes: 9_000, downBytes: 90_000, at: iso() });
    await router.publish('status', statusNow, { retain: true });
    await router.publish('events', event);
    await router.publish('usage', usageNow);
    await ackDesired(router, (d) => d.seq === 1, 'applied', iso());
    await waitFor(async () => {
      const v = await deviceView(ts, id);
      return v.profile.desired?.ack && v.usage?.seq === 9 && v.recentEvents.length === 1 && v.statusAt === statusNow.at;
    }, 'the originals stored');

    const snapshot = async () => {
      const view = await deviceView(ts, id);
      const usageView = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/usage`, { token: ts.tokens.noc })).json();
      const audit = (await ts.call('GET', `/api/v1/audit?subscriptionId=${seeded.subscriptionId}`, { token: ts.tokens.admin })).json();
      const { lastSeenAt: _seen, ...stable } = view;
      return { stable, usage: usageView, audit: audit.items.length };
    };
    const before = await snapshot();
    const counts = await stats(ts);

    // Replays and older messages.
    await router.publish('status', statusNow);
    await router.publish('status', status({ at: iso(-30_000), activePath: 'dsl' }));
    await router.publish('events', event);
    await router.publish('events', { ...event, reason: 'the same id, other words' } as typeof event);
    await router.publish('usage', usageNow);
    await router.publish('usage', usage({ period: '2026-03', seq: 7, upBytes: 1, downBytes: 1, at: iso(-1000) }));
    await router.publish('acks', { v: 1, at: iso(), seq: 1, outcome: 'applied', boostId: null, applied: null });
    await router.publish('acks', { v: 1, at: iso(), seq: 99, outcome: 'applied', boostId: null, applied: null });
    await router.publish('presence', { v: 1, state: 'offline', at: iso(-3_600_000), reason: 'shutdown' });
    // Malformed.
    const own = (kind: 'status' | 'usage' | 'events' | 'acks') => topicFor(kind, id);
    await router.publishRaw(own('status'), 'not json {');
    await router.publishRaw(own('usage'), JSON.stringify({ ...usageNow, v: 2, seq: 100 }));
    await router.publishRaw(own('usage'), JSON.stringify({ ...usageNow, seq: 101, upBytes: -5 }));
    await router.publishRaw(own('events'), encodeMessage('usage', { ...usageNow, seq: 102 }));
    await router.publishRaw(own('acks'), JSON.stringify({ v: 1, at: iso(), seq: 1, outcome: 'rejected', boostId: null, applied: null }));
    await router.publishRaw(own('status'), JSON.stringify({ ...statusNow, at: iso(1000), padding: 'x'.repeat(20_000) }));
    // Not from a known device, or not a topic of the contract: fed to the ingest directly, since
    // the broker would not let such a publisher in.
    await ts.server.ingest.handle('sp/v1/devices/fb-nobody/status', encodeMessage('status', status({ at: iso(2000) })));
    await ts.server.ingest.handle('sp/v1/elsewhere', Buffer.from('{}'));

    // A fresh event after them all: once it is stored, everything before it was handled.
    await router.publish('events', failoverEvent({ id: 'evt-marker', at: iso(5000) }));
    await waitFor(async () => (await deviceView(ts, id)).recentEvents.some((e: { id: string }) => e.id === 'evt-marker'), 'the marker event');

    const after = await snapshot();
    after.stable.recentEvents = after.stable.recentEvents.filter((e: { id: string }) => e.id !== 'evt-marker');
    t.same(after, before, 'device, usage and audit are as they were');

    const now = await stats(ts);
    const delta = (group: 'ignored' | 'refused', reason: string) => (now[group][reason] ?? 0) - (counts[group][reason] ?? 0);
    t.equal(delta('ignored', 'duplicate'), 5, 'duplicates: status, event twice, usage, ack');
    t.equal(delta('ignored', 'stale'), 4, 'stale: older status, older usage, ack from the future, older presence');
    t.equal(delta('refused', 'not-json'), 1);
    t.equal(delta('refused', 'invalid'), 4, 'schema: v 2, negative bytes, a usage on the events topic, a rejected ack without reason');
    t.equal(delta('refused', 'too-large'), 1);
    t.ok(delta('refused', 'unknown-device') >= 1);
    t.ok(delta('refused', 'unknown-topic') >= 1);
    t.equal((now.stored['events'] ?? 0) - (counts.stored['events'] ?? 0), 1, 'only the marker event was stored');
  });

  t.test('the Last Will marks the router offline', async (t) => {
    const seeded = await seed(ts);
    const creds = seeded.device!;
    const device = await connectDevice(t, creds, {
      will: { topic: topicFor('presence', creds.deviceId), payload: encodeMessage('presence', { v: 1, state: 'offline', at: iso(), reason: 'connection-lost' }), qos: 1, retain: true },
    });
    clock.advance(1000);
    await device.publish('presence', { v: 1, state: 'online', at: iso(), reason: 'startup' }, { retain: true });
    await waitFor(async () => (await deviceView(ts, creds.deviceId)).presence?.state === 'online', 'online');
    device.client.stream.destroy(); // the power goes out: no DISCONNECT
    const view = await waitFor(async () => {
      const v = await deviceView(ts, creds.deviceId);
      return v.presence?.state === 'offline' ? v : null;
    }, 'offline by the Last Will');
    t.equal(view.presence.reason, 'connection-lost');
  });

  t.test('R9: thresholds at 80 % and 100 % are recorded once; at the cap a self-service boost ends', async (t) => {
    const seeded = await seed(ts);
    const router = await connectedRouter(t, ts, seeded, 'mobile');
    const token = await login(ts, seeded.login);
    const boost = (await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: 'c@example.nl' } })).json().boost;
    await router.nextDesired((d) => d.boostId === boost.id);
    const period = boost.period as string;

    await router.publish('usage', usage({ period, seq: 1, upBytes: 1_000_000_000, downBytes: 3_100_000_000, at: iso() }));
    await router.publish('usage', usage({ period, seq: 2, upBytes: 1_000_000_000, downBytes: 3_200_000_000, at: iso() }));
    const warned = await waitFor(async () => {
      const u = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/usage`, { token })).json();
      return u.usedBytes === 4_200_000_000 ? u : null;
    }, 'usage at 84 %');
    t.match(warned, { level: 'warning', percent: 84, boostAllowed: true });
    t.equal((await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token })).json().status, 'requested', 'the boost stays at 84 %');

    await router.publish('usage', usage({ period, seq: 3, upBytes: 1_000_000_000, downBytes: 4_000_000_000, at: iso() }));
    const baseline = await router.nextDesired((d) => d.profile === 'baseline' && d.seq > 2, 'the baseline at the cap');
    t.equal(baseline.boostId, null);
    t.match((await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token })).json(), { status: 'ended', endReason: 'fair-use' });
    const audit = (await ts.call('GET', `/api/v1/audit?subscriptionId=${seeded.subscriptionId}&action=fair-use.threshold`, { token: ts.tokens.admin })).json();
    t.same(audit.items.map((i: { details: { threshold: number } }) => i.details.threshold).sort(), [100, 80], 'each threshold once');
  });
});
