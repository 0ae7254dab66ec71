// R17, R18 over HTTP: the telephony system's lookup (a `telephony` token) says whether a caller
// is a ServicePlus customer and whether the business helpdesk is open now, by its own calendar
// (here 08:00-23:00, while the swap SLA keeps 08:00-22:00); the calendars as configured; and the
// licence seats on the subscription's entitlements.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { dailyHours } from '../../../server/rules/calendar-config.js';
import { testDatabase } from '../../helpers/database.js';
import { local } from '../rules/local-time.js';
import { login, PASSWORD } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const iso = (text: string) => new Date(local(text)).toISOString();

function signUp(ts: TestServer, login: string, customer: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) {
  return ts.call('POST', '/api/v1/subscriptions', { token: ts.tokens.helpdesk, body: { customer: { name: login, login, password: PASSWORD, ...customer }, ...rest } });
}

t.test('helpdesk routing and entitlements', async (t) => {
  const clock = new TestClock(local('2026-03-12 21:59'));
  const ts = await startTestServer(t, await testDatabase(t), { clock, config: { helpdeskCalendar: dailyHours('08:00', '23:00') } });
  const lookup = async (number: string, token = ts.tokens.telephony) => ts.call('GET', `/api/v1/helpdesk/lookup?number=${encodeURIComponent(number)}`, { token });

  const customer = await signUp(ts, `bakker-${Date.now()}`, { phone: '020 398 76 56' }, { contract: { orderedAt: iso('2026-02-25 10:00') } });
  t.equal(customer.statusCode, 201, customer.body);
  const subscriptionId = customer.json().subscription.id as string;
  const delivered = await ts.call('POST', `/api/v1/subscriptions/${subscriptionId}/contract/delivery`, { token: ts.tokens.helpdesk, body: { deliveredAt: iso('2026-03-01 10:00') } });
  t.equal(delivered.statusCode, 200);

  t.test('R18: a registered caller, while the business helpdesk is open', async (t) => {
    const answer = (await lookup('+31 (0)20 398 7656')).json();
    t.same(answer, {
      caller: '+31203987656',
      servicePlusCustomer: true,
      subscriptionId,
      businessHelpdesk: { open: true, closesAt: iso('2026-03-12 23:00'), nextOpening: iso('2026-03-12 21:59') },
      route: 'business-helpdesk',
    });
    const calendars = (await ts.call('GET', '/api/v1/calendars', { token: ts.tokens.telephony })).json();
    t.match(calendars, {
      timeZone: 'Europe/Amsterdam',
      swap: { config: { weekly: { monday: { open: '08:00', close: '22:00' } } }, now: { open: true, closesAt: iso('2026-03-12 22:00') } },
      helpdesk: { config: { weekly: { sunday: { open: '08:00', close: '23:00' } } }, now: { open: true } },
    });
    clock.jump(60_000);
    t.match((await ts.call('GET', '/api/v1/calendars', { token: ts.tokens.noc })).json(), { swap: { now: { open: false, nextOpening: iso('2026-03-13 08:00') } }, helpdesk: { now: { open: true } } }, 'two calendars');
  });

  t.test('R18: at 23:00 sharp the business helpdesk is closed: the regular queue, with the next opening', async (t) => {
    clock.jump(local('2026-03-12 23:00') - clock.now());
    t.match((await lookup('0031203987656', ts.tokens.helpdesk)).json(), {
      servicePlusCustomer: true,
      businessHelpdesk: { open: false, closesAt: null, nextOpening: iso('2026-03-13 08:00') },
      route: 'regular',
    });
    clock.jump(local('2026-03-13 10:00') - clock.now());
  });

  t.test('other callers, bad numbers', async (t) => {
    t.match((await lookup('06-12345678')).json(), { caller: '+31612345678', servicePlusCustomer: false, subscriptionId: null, route: 'regular', businessHelpdesk: { open: true } });
    t.match((await lookup('not a number')).json(), { status: 400, code: 'validation-failed', errors: [{ in: 'querystring', path: 'number' }] });
    t.match((await ts.call('GET', '/api/v1/helpdesk/lookup', { token: ts.tokens.telephony })).json(), { status: 400, code: 'validation-failed' });
    const bad = await signUp(ts, `wrong-${Date.now()}`, { phone: '12' });
    t.match(bad.json(), { status: 400, code: 'validation-failed', errors: [{ path: 'customer.phone' }] }, 'a number that cannot be E.164 is refused at sign-up');
  });

  t.test('an ended contract is no longer a customer', async (t) => {
    const leaving = await signUp(ts, `weg-${Date.now()}`, { phone: '+32 2 123 45 67' });
    const id = leaving.json().subscription.id as string;
    await ts.call('POST', `/api/v1/subscriptions/${id}/contract/delivery`, { token: ts.tokens.helpdesk, body: {} });
    t.match((await lookup('+3221234567')).json(), { servicePlusCustomer: true, subscriptionId: id });
    await ts.call('POST', `/api/v1/subscriptions/${id}/contract/annulment`, { token: ts.tokens.helpdesk, body: {} });
    t.match((await lookup('+3221234567')).json(), { servicePlusCustomer: false, route: 'regular' });
  });

  t.test('R17: licence seats, 10 by default, agreed per subscription', async (t) => {
    const token = await login(ts, customer.json().customer.login);
    const own = (await ts.call('GET', `/api/v1/subscriptions/${subscriptionId}/entitlements`, { token })).json();
    t.same(own, {
      phone: '+31203987656',
      contractPhase: 'minimum-term',
      suspension: null,
      entitlements: { licenceSeats: 10, licenceSeatsAgreed: false, businessHelpdesk: true, modemSwap: true, onlineGuarantee: true, mobileData: true, boosts: true },
    });
    const url = `/api/v1/subscriptions/${subscriptionId}/entitlements/licence-seats`;
    t.match((await ts.call('PUT', url, { token: ts.tokens.admin, body: { licenceSeats: 12 } })).json(), { entitlements: { licenceSeats: 12, licenceSeatsAgreed: true } });
    t.match((await ts.call('GET', `/api/v1/subscriptions/${subscriptionId}`, { token })).json(), { entitlements: { licenceSeats: 12 } }, 'on the overview');
    t.match((await ts.call('PUT', url, { token: ts.tokens.helpdesk, body: { licenceSeats: null } })).json(), { entitlements: { licenceSeats: 10, licenceSeatsAgreed: false } });
    t.match((await ts.call('PUT', url, { token: ts.tokens.helpdesk, body: { licenceSeats: -1 } })).json(), { status: 400, code: 'validation-failed' });
    t.match((await ts.call('PUT', '/api/v1/subscriptions/sub_missing/entitlements/licence-seats', { token: ts.tokens.admin, body: { licenceSeats: 3 } })).json(), { status: 404, code: 'subscription-not-found' });
    t.match((await ts.call('GET', '/api/v1/subscriptions/sub_missing/entitlements', { token: ts.tokens.admin })).json(), { status: 404, code: 'subscription-not-found' });

    const agreed = await signUp(ts, `seats-${Date.now()}`, {}, { licenceSeats: 15, contract: { deliveredAt: iso('2026-03-02 10:00') } });
    t.equal(agreed.statusCode, 201, agreed.body);
    t.match((await ts.call('GET', `/api/v1/subscriptions/${agreed.json().subscription.id}/entitlements`, { token: ts.tokens.noc })).json(), { contractPhase: 'minimum-term', entitlements: { licenceSeats: 15 } });
    const future = await signUp(ts, `future-${Date.now()}`, {}, { contract: { deliveredAt: iso('2026-03-20 10:00') } });
    t.match(future.json(), { status: 400, code: 'invalid-input' });
    const backwards = await signUp(ts, `back-${Date.now()}`, {}, { contract: { orderedAt: iso('2026-03-05 10:00'), deliveredAt: iso('2026-03-04 10:00') } });
    t.match(backwards.json(), { status: 409, code: 'out-of-order' }, 'delivered before it was ordered');
  });
});
