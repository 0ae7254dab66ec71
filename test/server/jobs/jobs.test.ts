// Scheduled work with a TestClock: a boost ends on time through the one expiry queue (R5); a
// boost whose end passed while the server was down is ended by the sweep at start; the month
// roll-over closes each missed month once.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { DAY_MS, HOUR_MS } from '../../../shared/service.js';
import { periodClosings } from '../../../server/store/jobs.js';
import { testDatabase } from '../../helpers/database.js';
import { connectDevice } from '../helpers/device.js';
import { ackDesired, connectedRouter, login, seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const START = '2026-03-10T09:00:00Z';

t.test('R5: a boost ends after 24 hours by itself', async (t) => {
  const clock = new TestClock(START);
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env', clock });
  const seeded = await seed(ts);
  const router = await connectedRouter(t, ts, seeded, 'mobile');
  const token = await login(ts, seeded.login);
  const boost = (await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: 'a@example.nl' } })).json().boost;
  const desired = await ackDesired(router, (d) => d.boostId === boost.id);
  await waitFor(async () => (await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token })).json().status === 'applied', 'applied');

  clock.advance(DAY_MS - 1);
  await ts.server.desiredPublished();
  t.equal((await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token: ts.tokens.noc })).json().status, 'applied', 'still in force a moment before its end');
  clock.advance(1);
  const baseline = await router.nextDesired((d) => d.seq === desired.seq + 1, 'the baseline at the end');
  t.match(baseline, { profile: 'baseline', until: null, boostId: null });
  t.match((await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token: ts.tokens.noc })).json(), { status: 'ended', endReason: 'expired', endedAt: boost.endsAt });
  t.equal(await ts.server.jobs.sweep(), 0, 'sweeping again changes nothing');
});

t.test('a boost ends by the sweep after a restart that spanned its end', async (t) => {
  const clock = new TestClock(START);
  const database = await testDatabase(t);
  const first = await startTestServer(t, database, { broker: 'env', clock });
  const seeded = await seed(first);
  const steady = await seed(first);
  const router = await connectedRouter(t, first, seeded, 'mobile');
  const token = await login(first, seeded.login);
  const boost = (await first.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: 'a@example.nl' } })).json().boost;
  const boosted = await ackDesired(router, (d) => d.boostId === boost.id);
  await waitFor(async () => (await first.call('GET', `/api/v1/boosts/${boost.id}`, { token })).json().status === 'applied', 'applied');
  await router.close();
  await first.close({ keepRetained: true }); // the next server takes over the broker's state

  // Down for 25 hours: no timer ran, nobody was online.
  clock.jump(25 * HOUR_MS);
  const second = await startTestServer(t, database, { broker: 'env', clock });
  second.track(seeded.device!.deviceId);
  second.track(steady.device!.deviceId);
  const view = (await second.call('GET', `/api/v1/boosts/${boost.id}`, { token: second.tokens.helpdesk })).json();
  t.match(view, { status: 'ended', endReason: 'expired', endedAt: boost.endsAt, inForce: false }, 'ended at start, as of its end');

  // The router, back online, finds the baseline retained for it with a higher seq.
  const back = await connectDevice(t, { ...seeded.device!, mqttUrl: second.server.mqttUrl });
  const baseline = await back.nextDesired((d) => d.seq > boosted.seq, 'the baseline after the restart');
  t.match(baseline, { profile: 'baseline', boostId: null, seq: boosted.seq + 1 });

  // A desired state that did not change is (re)published too: a fresh embedded broker retains nothing.
  const other = await connectDevice(t, { ...steady.device!, mqttUrl: second.server.mqttUrl });
  t.match(await other.nextDesired((d) => d.seq === 1, 'the unchanged desired state'), { profile: 'baseline' });
  await second.server.desiredPublished();
  t.equal((await second.call('GET', `/api/v1/devices/${steady.device!.deviceId}`, { token: second.tokens.noc })).json().profile.desired.published, true);

  const audit = (await second.call('GET', `/api/v1/audit?subscriptionId=${seeded.subscriptionId}&action=boost.ended`, { token: second.tokens.admin })).json();
  t.equal(audit.items.length, 1);
  t.match(audit.items[0], { actor: { kind: 'system' }, details: { reason: 'expired' } });
});

t.test('one sweep ends the due boosts of many subscriptions, each once, and counts them', async (t) => {
  const clock = new TestClock(START);
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env', clock });
  const boosts: string[] = [];
  for (let i = 0; i < 12; i++) {
    const seeded = await seed(ts);
    const response = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/operator-boosts`, { token: ts.tokens.helpdesk, body: { durationMinutes: 60 + (i % 3), reason: 'sweep test' } });
    t.equal(response.statusCode, 201);
    boosts.push(response.json().id);
  }
  // The server was "asleep" past every end: no timer ran, the sweep finds them all (R5).
  clock.jump(2 * HOUR_MS);
  t.equal(await ts.server.jobs.sweep(), 12, 'all twelve ended by one sweep');
  t.equal(await ts.server.jobs.sweep(), 0, 'and none twice');
  for (const id of boosts) {
    t.match((await ts.call('GET', `/api/v1/boosts/${id}`, { token: ts.tokens.noc })).json(), { status: 'ended', endReason: 'expired' });
  }
  const audit = (await ts.call('GET', '/api/v1/audit?action=boost.ended&limit=100', { token: ts.tokens.admin })).json();
  t.equal(audit.items.length, 12, 'one audit entry per boost');
});

t.test('the month roll-over closes every missed month once', async (t) => {
  const clock = new TestClock(START);
  const ts = await startTestServer(t, await testDatabase(t), { clock });
  const seeded = await seed(ts);
  const router = await connectedRouter(t, ts, seeded, 'mobile');
  await router.publish('usage', { v: 1, at: new Date(clock.now()).toISOString(), period: '2026-03', seq: 1, upBytes: 5, downBytes: 10 });
  await waitFor(async () => (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/usage`, { token: ts.tokens.noc })).json().usedBytes === 15, 'usage');
  const token = await login(ts, seeded.login);
  t.equal((await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: 'a@example.nl' } })).statusCode, 201);

  t.same(await ts.server.jobs.rollOver(), [], 'February was closed at start; March is not over');
  clock.jump(Date.parse('2026-06-02T08:00:00Z') - clock.now());
  t.same(await ts.server.jobs.rollOver(), ['2026-03', '2026-04', '2026-05'], 'after downtime it catches up');
  t.same(await ts.server.jobs.rollOver(), [], 'and not twice');
  const closings = await periodClosings(ts.server.services.store.db, seeded.subscriptionId);
  t.match(closings.find((c) => c.period === '2026-03'), { used_bytes: 15, self_service_boosts: 1, operator_boosts: 0 });
  t.same(closings.map((c) => c.period), ['2026-03', '2026-04', '2026-05'], 'February closed before this subscription existed');
});

t.test('a bad cron expression stops start-up', async (t) => {
  await t.rejects(startTestServer(t, await testDatabase(t), { config: { sweepCron: 'every minute' } }), /not a cron expression/);
});
