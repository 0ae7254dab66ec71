// R19-R21, R23, R24 over HTTP: delivery, cancellation in month 3, 12 and 20 with the effective
// date, annulment on day 29 and day 31 after delivery, the ISP ending a contract, the kit's
// return, and the end job (TestClock): on the effective date mobile data goes off through the
// desired state a connected router receives, the boost in force ends, the EUR 0 final invoice is
// issued, then the router's credentials stop working on the broker; running it again changes
// nothing, and an end missed while the server was down is carried out at start. The last test lets
// the timer armed by the cancellation do it, with no explicit sweep.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { DAY_MS } from '../../../shared/service.js';
import { gapsBetween } from '../../../server/store/timeline.js';
import { listOutbox } from '../../../server/store/outbox.js';
import { testDatabase } from '../../helpers/database.js';
import { local } from '../rules/local-time.js';
import { loginCode } from '../helpers/broker-login.js';
import { connectDevice } from '../helpers/device.js';
import { login, seed } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const NOW = local('2027-09-10 12:00');
const iso = (text: string) => new Date(local(text)).toISOString();

function post(ts: TestServer, subscriptionId: string, what: string, body: unknown, token = ts.tokens.helpdesk) {
  return ts.call('POST', `/api/v1/subscriptions/${subscriptionId}/contract/${what}`, { token, body });
}

async function contract(ts: TestServer, subscriptionId: string) {
  return (await ts.call('GET', `/api/v1/subscriptions/${subscriptionId}/contract`, { token: ts.tokens.noc })).json();
}

t.test('contracts', async (t) => {
  const clock = new TestClock(NOW);
  const ts = await startTestServer(t, await testDatabase(t), { clock });

  t.test('R24: ordered, then delivered; refusals', async (t) => {
    const seeded = await seed(ts, { orderedAt: local('2027-09-01 10:00') });
    t.match(await contract(ts, seeded.subscriptionId), { phase: 'ordered', deliveryDueDate: '2027-09-08', deliveryLate: true, deliveredAt: null, startDate: null, termination: null, kitReturn: { status: 'not-due' } });
    t.match((await post(ts, seeded.subscriptionId, 'cancellation', {})).json(), { status: 409, type: '/api/v1/problems/not-delivered' }, 'no cancellation before delivery');
    t.match((await post(ts, seeded.subscriptionId, 'delivery', { deliveredAt: iso('2027-08-30 10:00') })).json(), { status: 409, code: 'out-of-order' });
    t.match((await post(ts, seeded.subscriptionId, 'delivery', { deliveredAt: iso('2027-09-11 10:00') })).json(), { status: 400, code: 'invalid-input' });
    t.match((await post(ts, seeded.subscriptionId, 'delivery', { deliveredAt: 'yesterday' })).json(), { status: 400, code: 'validation-failed' });
    const delivered = await post(ts, seeded.subscriptionId, 'delivery', { deliveredAt: iso('2027-09-09 15:00') });
    t.match(delivered.json(), { phase: 'minimum-term', startDate: '2027-09-09', minimumTermEnd: '2028-09-09', annulmentLastDay: '2027-10-09', deliveryLate: true });
    t.match((await post(ts, seeded.subscriptionId, 'delivery', {})).json(), { status: 409, code: 'invalid-transition' }, 'delivered once');
    t.match((await post(ts, 'sub_missing', 'delivery', {})).json(), { status: 404, code: 'subscription-not-found' });
    t.match((await ts.call('GET', '/api/v1/subscriptions/sub_missing/contract', { token: ts.tokens.noc })).json(), { status: 404, code: 'subscription-not-found' });
  });

  t.test('R19: cancellation in month 3, month 12 and month 20', async (t) => {
    const month3 = await seed(ts, { deliveredAt: local('2027-07-01 10:00'), routerModel: null });
    const cancelled3 = (await post(ts, month3.subscriptionId, 'cancellation', { channel: 'phone' })).json();
    t.match(cancelled3, { phase: 'ending', termination: { kind: 'cancellation', channel: 'phone', rule: 'end-of-minimum-term', effectiveDate: '2028-07-01', endsAt: iso('2028-07-01 00:00'), requestedBy: { role: 'helpdesk' } } });

    const month12 = await seed(ts, { deliveredAt: local('2026-09-20 10:00'), routerModel: null });
    const token = await login(ts, month12.login);
    const byCustomer = await post(ts, month12.subscriptionId, 'cancellation', { channel: 'phone', requestedAt: iso('2027-01-01 10:00') }, token);
    t.match(byCustomer.json(), {
      phase: 'ending',
      termination: { kind: 'cancellation', channel: 'account', rule: 'end-of-minimum-term', effectiveDate: '2027-09-20', requestedAt: new Date(NOW).toISOString(), requestedBy: { role: 'customer' } },
    }, 'a customer cancels in their account, now');

    const month20 = await seed(ts, { deliveredAt: local('2026-01-15 10:00'), routerModel: null });
    const cancelled20 = (await post(ts, month20.subscriptionId, 'cancellation', {}, ts.tokens.admin)).json();
    t.match(cancelled20, { phase: 'ending', termination: { channel: 'phone', rule: 'notice', effectiveDate: '2027-10-10' } }, 'one month’s notice after the first year');
    t.match((await post(ts, month20.subscriptionId, 'cancellation', {})).json(), { status: 409, type: '/api/v1/problems/contract-terminated', kind: 'cancellation' });
    t.match((await post(ts, month20.subscriptionId, 'cancellation', { requestedAt: iso('2027-09-11 09:00') })).json(), { status: 400, code: 'invalid-input', detail: /future/ });
    t.match((await post(ts, month3.subscriptionId, 'cancellation', { channel: 'fax' })).json(), { status: 400, code: 'validation-failed' });
    t.equal(await ts.server.jobs.endContracts(), 0, 'none ends before its effective date');
  });

  t.test('R21: annulment on day 29 is granted at once; on day 31 it is refused', async (t) => {
    const day29 = await seed(ts, { deliveredAt: local('2027-08-12 18:00') });
    const annulled = (await post(ts, day29.subscriptionId, 'annulment', { note: 'no signal in the cellar' }, await login(ts, day29.login))).json();
    t.match(annulled, { termination: { kind: 'annulment', dayAfterDelivery: 29, effectiveDate: '2027-09-10', endsAt: new Date(NOW).toISOString(), coverageVerdict: 'unknown', requestedBy: { role: 'customer' } } });
    t.equal(await ts.server.jobs.endContracts(), 1, 'the end job carries it out at once');
    t.match(await contract(ts, day29.subscriptionId), { phase: 'ended', serviceEndedAt: String, credentialsRevokedAt: String, finalInvoice: { amountCents: 0, issuedOn: '2027-09-10', termination: 'annulment' } });
    t.match((await post(ts, day29.subscriptionId, 'annulment', {})).json(), { status: 409, code: 'contract-terminated' });

    const day31 = await seed(ts, { deliveredAt: local('2027-08-10 08:00') });
    const late = await post(ts, day31.subscriptionId, 'annulment', {});
    t.match(late.json(), { status: 409, type: '/api/v1/problems/annulment-window-closed', day: 31, lastDay: '2027-09-09' });
    t.match((await post(ts, (await seed(ts)).subscriptionId, 'annulment', {})).json(), { status: 409, code: 'not-delivered' });
  });

  t.test('R23: the ISP ends a contract for misuse at once; the kit return (R20)', async (t) => {
    const seeded = await seed(ts, { deliveredAt: local('2027-01-05 10:00'), routerModel: null });
    t.match((await post(ts, seeded.subscriptionId, 'kit-return', {})).json(), { status: 409, code: 'invalid-transition' }, 'nothing is due back yet');
    t.match((await post(ts, seeded.subscriptionId, 'end', { reason: 'misuse', note: 'resold the connection' }, ts.tokens.noc)).json(), { termination: { kind: 'ended-by-isp', reason: 'misuse', effectiveDate: '2027-09-10' } });
    t.match((await post(ts, seeded.subscriptionId, 'end', { reason: 'boredom' }, ts.tokens.admin)).json(), { status: 400, code: 'validation-failed' });
    await ts.server.jobs.endContracts();
    t.match(await contract(ts, seeded.subscriptionId), { phase: 'ended', kitReturn: { status: 'pending', dueDate: '2027-09-24', daysLeft: 14 } });
    t.match((await post(ts, seeded.subscriptionId, 'kit-return', { returnedAt: iso('2027-09-11 10:00') })).json(), { status: 400, code: 'invalid-input' });
    t.match((await post(ts, seeded.subscriptionId, 'kit-return', {})).json(), { kitReturn: { status: 'returned', late: false, returnedAt: new Date(NOW).toISOString() } });
    t.match((await post(ts, seeded.subscriptionId, 'kit-return', {})).json(), { status: 409, code: 'invalid-transition' }, 'returned once');
  });

  t.test('R20: on the effective date the router is switched off, then locked out; the job runs once', async (t) => {
    const seeded = await seed(ts, { deliveredAt: local('2026-01-15 10:00'), email: 'klant@example.nl' });
    const creds = seeded.device!;
    const router = await connectDevice(t, creds);
    await router.nextDesired((d) => d.seq === 1, 'the baseline');
    const cancelled = (await post(ts, seeded.subscriptionId, 'cancellation', {})).json();
    t.equal(cancelled.termination.effectiveDate, '2027-10-10');
    const boost = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/operator-boosts`, { token: ts.tokens.helpdesk, body: { durationMinutes: 60 * 24 * 30, reason: 'long outage' } });
    t.equal(boost.statusCode, 201, boost.body);
    const boosted = await router.nextDesired((d) => d.profile === 'boost', 'the boost');

    clock.jump(local('2027-10-09 23:59') - clock.now());
    await ts.server.jobs.endContracts(); // others' ends fall due meanwhile (2027-09-20)
    t.match(await contract(ts, seeded.subscriptionId), { phase: 'ending', serviceEndedAt: null }, 'not a minute early');
    const closed = new Promise<void>((resolve) => router.client.once('close', () => resolve()));
    clock.jump(60_000);
    t.ok((await ts.server.jobs.endContracts()) >= 1, 'ended at local midnight on the effective date');
    t.match(await router.nextDesired((d) => d.seq > boosted.seq, 'mobile data off'), { suspended: true, profile: 'baseline', boostId: null });
    await closed;
    t.equal(await loginCode(creds.mqttUrl, { clientId: creds.deviceId, username: creds.deviceId, password: creds.password }), 4, 'the credentials are revoked');

    const view = await contract(ts, seeded.subscriptionId);
    t.match(view, {
      phase: 'ended',
      serviceEndedAt: iso('2027-10-10 00:00'),
      credentialsRevokedAt: iso('2027-10-10 00:00'),
      finalInvoice: { amountCents: 0, issuedOn: '2027-10-10', period: '2027-10', termination: 'cancellation' },
      kitReturn: { status: 'pending', dueDate: '2027-10-24', daysLeft: 14, returnAddress: /Antwoordnummer 10119/ },
    });
    t.match((await ts.call('GET', `/api/v1/boosts/${boost.json().id}`, { token: ts.tokens.noc })).json(), { status: 'cancelled', endReason: 'contract-ended' });
    t.match((await ts.call('GET', `/api/v1/devices/${creds.deviceId}`, { token: ts.tokens.noc })).json(), { revoked: true, profile: { desired: { suspended: true } } });
    const overview = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}`, { token: ts.tokens.noc })).json();
    t.match(overview, { contractPhase: 'ended', entitlements: { licenceSeats: 0, mobileData: false, boosts: false, businessHelpdesk: false } });

    const swap = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/swap-tickets`, { token: ts.tokens.helpdesk, body: { equipment: 'stick', description: 'no signal' } });
    t.match(swap.json(), { status: 409, code: 'not-in-service', phase: 'ended' }, 'no swap after the end');
    t.match((await post(ts, seeded.subscriptionId, 'end', { reason: 'misuse' }, ts.tokens.noc)).json(), { status: 409, code: 'contract-terminated' });
    t.equal(await ts.server.jobs.endContracts(), 0, 'running again changes nothing');
    clock.jump(DAY_MS);
    t.equal(await ts.server.jobs.endContracts(), 0, 'nor a day later');
    const audit = (await ts.call('GET', `/api/v1/audit?subscriptionId=${seeded.subscriptionId}`, { token: ts.tokens.admin })).json();
    const actions = audit.items.map((i: { action: string }) => i.action);
    t.equal(actions.filter((a: string) => a === 'contract.ended').length, 1, 'audited once');
    t.equal(actions.filter((a: string) => a === 'device.revoked').length, 1);
    const mails = await listOutbox(ts.server.services.store.db, { dedupeKeyPrefix: `final-invoice:${seeded.subscriptionId}`, limit: 5 });
    t.equal(mails.length, 1, 'the EUR 0 final invoice is mailed once');
    t.match(mails[0]!.body, /EUR 0\.00/);
    t.match(mails[0]!.body, /2027-10-24/);
  });
});

t.test('an end missed while the server was down is carried out at start, and the downtime is a gap', async (t) => {
  const clock = new TestClock(NOW);
  const database = await testDatabase(t);
  const first = await startTestServer(t, database, { clock });
  const seeded = await seed(first, { deliveredAt: local('2026-01-15 10:00') });
  t.equal((await post(first, seeded.subscriptionId, 'cancellation', {})).json().termination.effectiveDate, '2027-10-10');
  await first.close();
  const stoppedAt = clock.now();

  clock.jump(local('2027-10-12 09:00') - clock.now());
  const second = await startTestServer(t, database, { clock });
  t.match(await contract(second, seeded.subscriptionId), { phase: 'ended', serviceEndedAt: iso('2027-10-12 09:00'), credentialsRevokedAt: iso('2027-10-12 09:00'), finalInvoice: { issuedOn: '2027-10-10' } });
  t.match((await second.call('GET', `/api/v1/devices/${seeded.device!.deviceId}`, { token: second.tokens.noc })).json(), { revoked: true });
  const gaps = await gapsBetween(second.server.services.store.db, stoppedAt - 1, clock.now());
  t.equal(gaps.length, 1, 'R16: the server’s downtime is recorded as missing data');
  t.ok(gaps[0]!.from_at <= stoppedAt && gaps[0]!.to_at === clock.now());
});

t.test('R20: the end runs by itself at the effective date, from the timer the cancellation armed (no explicit sweep)', async (t) => {
  const clock = new TestClock(NOW);
  const ts = await startTestServer(t, await testDatabase(t), { clock });
  const seeded = await seed(ts, { deliveredAt: local('2026-01-15 10:00') });
  const creds = seeded.device!;
  const router = await connectDevice(t, creds);
  const baseline = await router.nextDesired((d) => d.seq === 1, 'the baseline');
  const closed = new Promise<void>((resolve) => router.client.once('close', () => resolve()));
  t.equal((await post(ts, seeded.subscriptionId, 'cancellation', {})).json().termination.effectiveDate, '2027-10-10');

  // Wall clock to a minute before midnight (no timer runs), then let time pass on the timers only.
  clock.jump(local('2027-10-09 23:59') - clock.now());
  await clock.advanceAsync(59_000);
  t.match(await contract(ts, seeded.subscriptionId), { phase: 'ending', serviceEndedAt: null }, 'nothing at 23:59:59');
  await clock.advanceAsync(1_000);
  t.match(await router.nextDesired((d) => d.seq > baseline.seq, 'mobile data off'), { suspended: true }, 'desired state suspended, published to the router');
  await closed;
  const view = await waitFor(async () => {
    const v = await contract(ts, seeded.subscriptionId);
    return v.credentialsRevokedAt ? v : null;
  }, 'the credentials revoked');
  t.match(view, { phase: 'ended', serviceEndedAt: iso('2027-10-10 00:00'), credentialsRevokedAt: iso('2027-10-10 00:00'), finalInvoice: { amountCents: 0 } });
  t.equal(await loginCode(creds.mqttUrl, { clientId: creds.deviceId, username: creds.deviceId, password: creds.password }), 4, 'the old secret is refused');
  t.match((await ts.call('GET', `/api/v1/devices/${creds.deviceId}`, { token: ts.tokens.noc })).json(), { revoked: true, profile: { desired: { suspended: true } } });
});
