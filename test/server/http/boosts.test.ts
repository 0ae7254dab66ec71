// Boosts over HTTP with a real router connection over MQTT (R4 to R9): the customer's
// self-service boost and its refusals, operator boosts, cancel, and the quota held under
// concurrent requests. With SP_MQTT_URL set the router talks through that broker.
import t from 'tap';
import type { TestClock } from '../../../shared/clock.js';
import { PROFILES } from '../../../shared/service.js';
import { testDatabase } from '../../helpers/database.js';
import { usage } from '../../fixtures/messages.js';
import { ackDesired, connectedRouter, login, seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const EMAIL = 'customer@example.nl';

t.test('boosts', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env' });
  const clock = ts.clock as TestClock;

  t.test('R6: the customer boosts; applied once the router acks; a second request counts nothing', async (t) => {
    const seeded = await seed(ts);
    const router = await connectedRouter(t, ts, seeded, 'mobile');
    const token = await login(ts, seeded.login);
    await router.nextDesired((d) => d.seq === 1 && d.profile === 'baseline', 'the baseline at enrollment');

    const first = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: EMAIL } });
    t.equal(first.statusCode, 201, first.body);
    const { boost, created, quota } = first.json();
    t.equal(created, true);
    t.match(boost, { kind: 'self-service', status: 'requested', counted: true, inForce: true, confirmationTo: EMAIL, period: '2026-03' });
    t.equal(Date.parse(boost.endsAt) - Date.parse(boost.grantedAt), 24 * 3_600_000, 'R5: 24 hours');
    t.same(quota, { period: '2026-03', limit: 2, used: 1, remaining: 1 });

    const desired = await ackDesired(router, (d) => d.boostId === boost.id);
    t.match(desired, { profile: 'boost', downKbps: PROFILES.boost.downKbps, upKbps: PROFILES.boost.upKbps, until: boost.endsAt, seq: 2, suspended: false });
    const applied = await waitFor(async () => {
      const view = (await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token })).json();
      return view.status === 'applied' ? view : null;
    }, 'the boost to be applied');
    t.ok(applied.appliedAt);

    const again = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: EMAIL } });
    t.equal(again.statusCode, 200, 'R7: a request during a boost returns it');
    t.match(again.json(), { created: false, boost: { id: boost.id }, quota: { used: 1, remaining: 1 } });

    const overview = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}`, { token })).json();
    t.match(overview, {
      connection: { path: 'mobile', online: true },
      speed: { profile: 'boost', downKbps: 3600, upKbps: 1400, until: boost.endsAt },
      boost: { id: boost.id, status: 'applied' },
      quota: { remaining: 1 },
      fairUse: { level: 'normal', capBytes: 5_000_000_000 },
    });
    t.ok(overview.unavailableOnMobile.length >= 5, 'R10: the list of what does not work on mobile');
    const list = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token })).json();
    t.equal(list.items.length, 1);
    const fleet = (await ts.call('GET', '/api/v1/boosts?inForce=true', { token: ts.tokens.noc })).json();
    t.ok(fleet.items.some((b: { id: string }) => b.id === boost.id), 'the NOC sees boosts in force');
  });

  t.test('R7: the third self-service boost of a month is refused; the quota is per Amsterdam month', async (t) => {
    const seeded = await seed(ts);
    const router = await connectedRouter(t, ts, seeded, 'mobile');
    const token = await login(ts, seeded.login);
    const url = `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`;
    for (const n of [1, 2]) {
      const response = await ts.call('POST', url, { token, body: { email: EMAIL } });
      t.equal(response.statusCode, 201, `boost ${n}`);
      const id = response.json().boost.id as string;
      const cancelled = await ts.call('POST', `/api/v1/boosts/${id}/cancel`, { token });
      t.match(cancelled.json(), { status: 'cancelled', endReason: 'cancelled', counted: true, inForce: false });
      await router.nextDesired((d) => d.profile === 'baseline' && d.seq === 2 * n + 1, 'the baseline after cancelling');
    }
    const third = await ts.call('POST', url, { token, body: { email: EMAIL } });
    t.equal(third.statusCode, 409);
    t.match(third.headers['content-type'], /application\/problem\+json/);
    t.match(third.json(), { type: '/api/v1/problems/boost-quota-exhausted', status: 409, detail: /helpdesk/, quota: { used: 2, remaining: 0 } });
    const cancelAgain = await ts.call('POST', `/api/v1/boosts/${(await ts.call('GET', url, { token })).json().items[0].id}/cancel`, { token });
    t.equal(cancelAgain.json().code, 'boost-not-active');

    // 1 April 00:30 in Amsterdam is still 31 March in UTC: a new month for the quota.
    clock.set('2026-03-31T22:30:00Z');
    const april = await ts.call('POST', url, { token: await login(ts, seeded.login), body: { email: EMAIL } });
    t.equal(april.statusCode, 201, april.body);
    t.match(april.json(), { boost: { period: '2026-04' }, quota: { period: '2026-04', used: 1 } });
  });

  t.test('refusals: on DSL, over the fair-use cap, suspended, no router', async (t) => {
    const onDsl = await seed(ts);
    await connectedRouter(t, ts, onDsl, 'dsl');
    const dsl = await ts.call('POST', `/api/v1/subscriptions/${onDsl.subscriptionId}/boosts`, { token: await login(ts, onDsl.login), body: { email: EMAIL } });
    t.equal(dsl.statusCode, 409);
    t.match(dsl.json(), { type: '/api/v1/problems/boost-on-dsl', quota: { used: 0 } });

    const overCap = await seed(ts);
    const router = await connectedRouter(t, ts, overCap, 'mobile');
    const period = dsl.json().quota.period as string;
    await router.publish('usage', usage({ period, seq: 40, upBytes: 1_000_000_000, downBytes: 4_000_000_000, at: new Date(clock.now()).toISOString() }));
    await waitFor(async () => (await ts.call('GET', `/api/v1/subscriptions/${overCap.subscriptionId}/usage`, { token: ts.tokens.noc })).json().level === 'capped', 'usage at the cap');
    const cap = await ts.call('POST', `/api/v1/subscriptions/${overCap.subscriptionId}/boosts`, { token: await login(ts, overCap.login), body: { email: EMAIL } });
    t.equal(cap.statusCode, 409);
    t.match(cap.json(), { type: '/api/v1/problems/fair-use-cap-reached', detail: /5\.00 GB/ });

    const suspended = await seed(ts);
    await connectedRouter(t, ts, suspended, 'mobile');
    t.equal((await ts.call('POST', `/api/v1/subscriptions/${suspended.subscriptionId}/suspend`, { token: ts.tokens.helpdesk, body: { reason: 'equipment-stolen' } })).statusCode, 200);
    const refused = await ts.call('POST', `/api/v1/subscriptions/${suspended.subscriptionId}/boosts`, { token: await login(ts, suspended.login), body: { email: EMAIL } });
    t.match(refused.json(), { status: 409, type: '/api/v1/problems/subscription-suspended' });

    const bare = await seed(ts, { routerModel: null });
    const none = await ts.call('POST', `/api/v1/subscriptions/${bare.subscriptionId}/boosts`, { token: await login(ts, bare.login), body: { email: EMAIL } });
    t.match(none.json(), { status: 409, type: '/api/v1/problems/no-device' });

    const malformed = await ts.call('POST', `/api/v1/subscriptions/${bare.subscriptionId}/boosts`, { token: await login(ts, bare.login), body: { email: 'not an address' } });
    t.match(malformed.json(), { status: 400, type: '/api/v1/problems/validation-failed', errors: [{ path: 'email' }] });
  });

  t.test('R8: operator boosts have a chosen duration, sit outside the quota, and replace a boost in force', async (t) => {
    const seeded = await seed(ts);
    const router = await connectedRouter(t, ts, seeded, 'mobile');
    const token = await login(ts, seeded.login);
    const self = (await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: EMAIL } })).json();
    const url = `/api/v1/subscriptions/${seeded.subscriptionId}/operator-boosts`;

    const tooLong = await ts.call('POST', url, { token: ts.tokens.helpdesk, body: { durationMinutes: 721 * 60, reason: 'long outage' } });
    t.equal(tooLong.statusCode, 422);
    t.equal(tooLong.json().type, '/api/v1/problems/boost-duration-too-long');
    const wrongRole = await ts.call('POST', url, { token: ts.tokens.noc, body: { durationMinutes: 60, reason: 'long outage' } });
    t.equal(wrongRole.json().type, '/api/v1/problems/forbidden-role');

    const granted = await ts.call('POST', url, { token: ts.tokens.helpdesk, body: { durationMinutes: 72 * 60, reason: 'cable cut, repair Friday' } });
    t.equal(granted.statusCode, 201, granted.body);
    const boost = granted.json();
    t.match(boost, { kind: 'operator', counted: false, status: 'requested', reason: 'cable cut, repair Friday', requestedBy: 'operator:helpdesk-test' });
    t.equal(Date.parse(boost.endsAt) - Date.parse(boost.grantedAt), 72 * 3_600_000);
    const replaced = (await ts.call('GET', `/api/v1/boosts/${self.boost.id}`, { token })).json();
    t.match(replaced, { status: 'cancelled', endReason: 'superseded' });
    const desired = await router.nextDesired((d) => d.boostId === boost.id);
    t.equal(desired.until, boost.endsAt);
    const quota = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token })).json().quota;
    t.match(quota, { used: 1, remaining: 1 }, 'only the self-service boost counts');

    const cancel = await ts.call('POST', `/api/v1/boosts/${boost.id}/cancel`, { token: ts.tokens.admin });
    t.match(cancel.json(), { status: 'cancelled' });
    await router.nextDesired((d) => d.profile === 'baseline' && d.seq > desired.seq, 'the baseline after the cancel');
    const audit = (await ts.call('GET', `/api/v1/audit?subscriptionId=${seeded.subscriptionId}`, { token: ts.tokens.admin })).json();
    const actions = audit.items.map((i: { action: string }) => i.action);
    for (const action of ['boost.requested', 'boost.superseded', 'boost.granted', 'boost.cancelled', 'device.enrolled', 'subscription.created']) {
      t.ok(actions.includes(action), `audited: ${action}`);
    }
  });

  t.test('R7 under concurrency: 20 requests at once never exceed the quota', async (t) => {
    const seeded = await seed(ts);
    await connectedRouter(t, ts, seeded, 'mobile');
    const token = await login(ts, seeded.login);
    const url = `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`;
    const burst = () => Promise.all(Array.from({ length: 20 }, () => ts.call('POST', url, { token, body: { email: EMAIL } })));

    for (const round of [1, 2]) {
      const responses = await burst();
      const created = responses.filter((r) => r.statusCode === 201);
      const returned = responses.filter((r) => r.statusCode === 200);
      t.equal(created.length, 1, `round ${round}: one boost granted`);
      t.equal(returned.length, 19, `round ${round}: the others get the boost in force`);
      const ids = new Set(responses.map((r) => r.json().boost.id));
      t.equal(ids.size, 1, 'all answers name the same boost');
      t.equal((await ts.call('POST', `/api/v1/boosts/${[...ids][0]}/cancel`, { token })).statusCode, 200);
    }
    const last = await burst();
    t.ok(last.every((r) => r.statusCode === 409 && r.json().code === 'boost-quota-exhausted'), 'then every request is refused');
    const list = (await ts.call('GET', url, { token })).json();
    t.equal(list.items.filter((b: { counted: boolean }) => b.counted).length, 2, 'exactly two counted boosts');
  });
});
