// R21 over HTTP: the stick's registration and signal from status messages (through the ingest)
// in the first 30 days after delivery give each new subscription a coverage verdict; the NOC
// lists those without usable coverage, and those whose 30 days ended without enough reports.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { encodeMessage, topicFor, type Status } from '../../../shared/contract/index.js';
import { DAY_MS } from '../../../shared/service.js';
import { coverageReportsOf } from '../../../server/store/timeline.js';
import { testDatabase } from '../../helpers/database.js';
import { status } from '../../fixtures/messages.js';
import { local } from '../rules/local-time.js';
import { login, seed } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** `count` status reports a day apart from `from`, with this modem state. */
async function reports(ts: TestServer, deviceId: string, from: number, count: number, modem: Partial<Status['modem']>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const at = new Date(from + i * DAY_MS).toISOString();
    const message = status({ at, activePath: 'dsl', pathSince: at, modem: { state: 'registered', registration: 'home', technology: 'umts', signalDbm: -80, operator: 'KPN', ...modem } });
    await ts.server.ingest.handle(topicFor('status', deviceId), encodeMessage('status', message));
  }
}

t.test('coverage check', async (t) => {
  const clock = new TestClock(local('2026-03-10 12:00'));
  const ts = await startTestServer(t, await testDatabase(t), { clock });
  const view = async (subscriptionId: string, token = ts.tokens.noc) => (await ts.call('GET', `/api/v1/subscriptions/${subscriptionId}/coverage`, { token })).json();

  const good = await seed(ts, { deliveredAt: local('2026-03-01 10:00') });
  await reports(ts, good.device!.deviceId, local('2026-03-01 12:00'), 9, {});
  await reports(ts, good.device!.deviceId, local('2026-03-01 18:00'), 3, { signalDbm: -108 });
  const weak = await seed(ts, { deliveredAt: local('2026-02-01 10:00') });
  await reports(ts, weak.device!.deviceId, local('2026-02-01 12:00'), 8, { signalDbm: -109, registration: 'searching', state: 'searching' });
  await reports(ts, weak.device!.deviceId, local('2026-02-10 12:00'), 4, { signalDbm: -95 });
  await reports(ts, weak.device!.deviceId, local('2026-03-05 12:00'), 3, {}); // after its 30 days: not kept
  const neverPlugged = await seed(ts, { deliveredAt: local('2026-02-03 10:00') });
  await reports(ts, neverPlugged.device!.deviceId, local('2026-02-03 12:00'), 12, { state: 'absent', registration: null, signalDbm: null, technology: null, operator: null });
  const old = await seed(ts, { deliveredAt: local('2025-10-01 10:00') });
  const ordered = await seed(ts, { orderedAt: local('2026-03-02 10:00') });
  await reports(ts, ordered.device!.deviceId, local('2026-03-03 12:00'), 3, {});

  t.test('a good signal at home: covered, provisional during the 30 days', async (t) => {
    t.match(await view(good.subscriptionId, await login(ts, good.login)), {
      verdict: 'covered',
      final: false,
      deliveredAt: new Date(local('2026-03-01 10:00')).toISOString(),
      evidence: { reports: 12, informative: 12, usable: 9, bestSignalDbm: -80, registrations: { home: 12 }, windowEnd: new Date(local('2026-04-01 00:00')).toISOString() },
    });
  });

  t.test('weak or searching most of the time: no usable coverage, final after day 30', async (t) => {
    t.match(await view(weak.subscriptionId), { verdict: 'no-usable-coverage', final: true, evidence: { reports: 12, usable: 4 } });
    const kept = await coverageReportsOf(ts.server.services.store.db, weak.subscriptionId, 0, clock.now());
    t.equal(kept.length, 12, 'reports after the window are not stored');
  });

  t.test('a stick that was never plugged in: unknown, not "no coverage"', async (t) => {
    t.match(await view(neverPlugged.subscriptionId), { verdict: 'unknown', final: true, evidence: { reports: 12, informative: 0 } });
  });

  t.test('before delivery there is no verdict; reports are kept for when the delivery is recorded', async (t) => {
    t.match(await view(ordered.subscriptionId), { verdict: 'unknown', final: false, deliveredAt: null, evidence: null });
    await ts.call('POST', `/api/v1/subscriptions/${ordered.subscriptionId}/contract/delivery`, { token: ts.tokens.helpdesk, body: { deliveredAt: new Date(local('2026-03-03 09:00')).toISOString() } });
    t.match(await view(ordered.subscriptionId), { verdict: 'unknown', evidence: { reports: 3, usable: 3 } }, 'too few reports to tell yet');
  });

  t.test('the NOC list: new subscriptions without usable coverage', async (t) => {
    const list = (await ts.call('GET', '/api/v1/coverage/watchlist', { token: ts.tokens.noc })).json();
    t.same(new Set(list.items.map((i: { subscriptionId: string }) => i.subscriptionId)), new Set([weak.subscriptionId, neverPlugged.subscriptionId]));
    t.match(list.items.find((i: { subscriptionId: string }) => i.subscriptionId === weak.subscriptionId), { reference: String, verdict: 'no-usable-coverage' });
    const longer = (await ts.call('GET', '/api/v1/coverage/watchlist?sinceDays=366', { token: ts.tokens.admin })).json();
    t.ok(longer.items.some((i: { subscriptionId: string }) => i.subscriptionId === old.subscriptionId), 'older ones on request');
    t.match((await ts.call('GET', '/api/v1/coverage/watchlist?sinceDays=0', { token: ts.tokens.noc })).json(), { status: 400, code: 'validation-failed' });
    t.match((await ts.call('GET', '/api/v1/subscriptions/sub_missing/coverage', { token: ts.tokens.noc })).json(), { status: 404, code: 'subscription-not-found' });
  });

  t.test('R21: an annulment records the coverage verdict of the time', async (t) => {
    const annulled = await ts.call('POST', `/api/v1/subscriptions/${good.subscriptionId}/contract/annulment`, { token: ts.tokens.helpdesk, body: { note: 'changed their mind' } });
    t.match(annulled.json(), { termination: { kind: 'annulment', dayAfterDelivery: 9, coverageVerdict: 'covered' } });
  });
});
