// R12-R15 over HTTP: opening a swap ticket (and each refusal), the NOC list with SLA state and
// business time left as the TestClock moves, the lifecycle with actors and audit, the defective
// unit's return with the one-off charge, and the replacement router's enrollment revoking the old
// router's credentials on the server's own broker (a real MQTT login with the old secret fails).
// Then: the 23:00 closing as configuration (R13/R14) across the spring clock change, and the SLA
// watch driven by its own timer.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { HOUR_MS } from '../../../shared/service.js';
import { listOutbox } from '../../../server/store/outbox.js';
import { testDatabase } from '../../helpers/database.js';
import { local } from '../rules/local-time.js';
import { loginCode } from '../helpers/broker-login.js';
import { connectDevice } from '../helpers/device.js';
import { login, seed } from '../helpers/fixtures.js';
import { dailyHours } from '../../../server/rules/calendar-config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const THURSDAY_15 = local('2026-03-12 15:00');
const DELIVERED = local('2026-03-01 10:00');

async function open(ts: TestServer, subscriptionId: string, body: Record<string, unknown> = {}, token = ts.tokens.helpdesk) {
  return ts.call('POST', `/api/v1/subscriptions/${subscriptionId}/swap-tickets`, { token, body: { equipment: 'router', description: 'power LED off', ...body } });
}

async function event(ts: TestServer, ticketId: string, body: Record<string, unknown>, token = ts.tokens.noc) {
  return ts.call('POST', `/api/v1/swap-tickets/${ticketId}/events`, { token, body });
}

async function auditActions(ts: TestServer, subscriptionId: string): Promise<string[]> {
  const audit = (await ts.call('GET', `/api/v1/audit?subscriptionId=${subscriptionId}&limit=500`, { token: ts.tokens.admin })).json();
  return audit.items.map((i: { action: string }) => i.action);
}

t.test('swap tickets', async (t) => {
  const clock = new TestClock(THURSDAY_15);
  const ts = await startTestServer(t, await testDatabase(t), { clock });

  t.test('refusals when opening', async (t) => {
    const ordered = await seed(ts);
    const notDelivered = await open(ts, ordered.subscriptionId);
    t.match(notDelivered.json(), { status: 409, type: '/api/v1/problems/not-in-service', phase: 'ordered' }, 'nothing to swap before delivery');

    const noRouter = await seed(ts, { routerModel: null, deliveredAt: DELIVERED });
    t.match((await open(ts, noRouter.subscriptionId)).json(), { status: 409, code: 'no-device' });

    const seeded = await seed(ts, { deliveredAt: DELIVERED });
    t.match((await open(ts, seeded.subscriptionId, { equipment: 'toaster' })).json(), { status: 400, code: 'validation-failed', errors: [{ path: 'equipment' }] });
    t.match((await open(ts, seeded.subscriptionId, { description: '' })).json(), { status: 400, code: 'validation-failed' });
    const future = await open(ts, seeded.subscriptionId, { reportedAt: new Date(clock.now() + 60_000).toISOString() });
    t.match(future.json(), { status: 400, type: '/api/v1/problems/invalid-input', detail: /future/ });
    t.match((await open(ts, seeded.subscriptionId, { deviceId: 'fb-not-theirs' })).json(), { status: 409, code: 'no-device' });
    t.match((await open(ts, 'sub_missing')).json(), { status: 404, code: 'subscription-not-found' });

    t.equal((await open(ts, seeded.subscriptionId)).statusCode, 201);
    const twice = await open(ts, seeded.subscriptionId);
    t.match(twice.json(), { status: 409, type: '/api/v1/problems/swap-ticket-already-open', ticketId: String });
    t.equal((await open(ts, seeded.subscriptionId, { equipment: 'stick' })).statusCode, 201, 'the stick has a ticket of its own');

    t.match((await ts.call('GET', '/api/v1/swap-tickets/swp_missing', { token: ts.tokens.noc })).json(), { status: 404, code: 'swap-ticket-not-found' });
    t.match((await ts.call('GET', '/api/v1/subscriptions/sub_missing/swap-tickets', { token: ts.tokens.noc })).json(), { status: 404, code: 'subscription-not-found' });
    t.match((await ts.call('GET', '/api/v1/swap-tickets?status=lost', { token: ts.tokens.noc })).json(), { status: 400, code: 'validation-failed', errors: [{ in: 'querystring', path: 'status' }] });
    t.match((await event(ts, 'swp_missing', { type: 'arrive' })).json(), { status: 404, code: 'swap-ticket-not-found' });
  });

  t.test('one open ticket per equipment holds under concurrent requests', async (t) => {
    const seeded = await seed(ts, { deliveredAt: DELIVERED });
    const answers = await Promise.all(Array.from({ length: 6 }, () => open(ts, seeded.subscriptionId)));
    t.equal(answers.filter((a) => a.statusCode === 201).length, 1, 'one is opened');
    t.ok(answers.filter((a) => a.statusCode !== 201).every((a) => a.json().code === 'swap-ticket-already-open'), 'the others are refused');
  });

  t.test('R12-R14: due 4 business hours later; the NOC list shows the SLA as time passes', async (t) => {
    const seeded = await seed(ts, { deliveredAt: DELIVERED });
    const opened = await open(ts, seeded.subscriptionId);
    t.equal(opened.statusCode, 201, opened.body);
    const ticket = opened.json();
    t.match(ticket, {
      equipment: 'router',
      stage: 'reported',
      reportedAt: new Date(THURSDAY_15).toISOString(),
      deadline: new Date(local('2026-03-12 19:00')).toISOString(),
      slaStatus: 'ok',
      businessTimeLeftMs: 4 * HOUR_MS,
      reportedOutsideHours: false,
      defectiveDeviceId: seeded.device!.deviceId,
      reportedBy: { role: 'helpdesk', id: 'helpdesk-test' },
      history: [{ event: 'reported', to: 'reported' }],
    });

    const row = async (query: string) =>
      ((await ts.call('GET', `/api/v1/swap-tickets?${query}`, { token: ts.tokens.noc })).json().items as Array<Record<string, unknown>>).find((i) => i.id === ticket.id);
    t.match(await row('status=open'), { subscription: { id: seeded.subscriptionId, reference: String }, stage: 'reported', slaStatus: 'ok', businessTimeLeftMs: 4 * HOUR_MS });

    clock.jump(3 * HOUR_MS + 30 * 60_000); // 18:30
    t.match(await row('status=open&sla=at-risk'), { slaStatus: 'at-risk', businessTimeLeftMs: 30 * 60_000 });
    t.notOk(await row('status=open&sla=ok'), 'not listed as ok any more');
    await ts.server.jobs.watchSwapSla();
    clock.jump(HOUR_MS); // 19:30
    t.match(await row('status=open&sla=breached'), { slaStatus: 'breached', businessTimeLeftMs: -30 * 60_000 });
    await ts.server.jobs.watchSwapSla();
    t.equal(await ts.server.jobs.watchSwapSla(), 0, 'the watch records each change once');
    const actions = await auditActions(ts, seeded.subscriptionId);
    t.ok(actions.includes('swap-ticket.sla-at-risk') && actions.includes('swap-ticket.sla-breached'), 'the watch audited at risk, then breached');

    // The night does not count: at 08:00 the next morning it is 3 business hours late (19:00-22:00), not 13.
    clock.jump(local('2026-03-13 08:00') - clock.now());
    t.match(await row('status=open'), { slaStatus: 'breached', businessTimeLeftMs: -3 * HOUR_MS });
    const arrived = (await event(ts, ticket.id, { type: 'dispatch', technicianId: 'tech-piet', at: new Date(local('2026-03-12 16:00')).toISOString() })).json();
    t.equal(arrived.stage, 'dispatched');
    const onSite = (await event(ts, ticket.id, { type: 'arrive' })).json();
    t.match(onSite, { stage: 'on-site', slaStatus: 'breached', slaSettled: true, onSiteAt: new Date(clock.now()).toISOString() });
    clock.jump(HOUR_MS);
    t.match((await ts.call('GET', `/api/v1/swap-tickets/${ticket.id}`, { token: ts.tokens.noc })).json(), { businessTimeLeftMs: -3 * HOUR_MS }, 'settled: it no longer moves');
  });

  t.test('R13: a report by API at 07:59 counts from 08:00', async (t) => {
    const seeded = await seed(ts, { deliveredAt: DELIVERED });
    const early = (await open(ts, seeded.subscriptionId, { equipment: 'stick', reportedAt: new Date(local('2026-03-13 07:59')).toISOString() })).json();
    t.match(early, { reportedOutsideHours: true, slaStartsAt: new Date(local('2026-03-13 08:00')).toISOString(), deadline: new Date(local('2026-03-13 12:00')).toISOString() });
    const sharp = (await open(ts, (await seed(ts, { deliveredAt: DELIVERED })).subscriptionId, { reportedAt: new Date(local('2026-03-12 22:00')).toISOString() })).json();
    t.match(sharp, { reportedOutsideHours: true, slaStartsAt: new Date(local('2026-03-13 08:00')).toISOString(), deadline: new Date(local('2026-03-13 12:00')).toISOString() }, 'at 22:00 sharp it is closed: from 08:00 the next morning');
  });

  t.test('the lifecycle with actors, refusals, the return and the one-off charge (R15)', async (t) => {
    clock.jump(local('2026-03-16 09:00') - clock.now()); // Monday
    const seeded = await seed(ts, { deliveredAt: DELIVERED, email: 'klant@example.nl' });
    const ticket = (await open(ts, seeded.subscriptionId, { defectiveSerial: 'AVM-OLD-1' })).json();
    const at = (text: string) => new Date(local(text)).toISOString();

    const early = await event(ts, ticket.id, { type: 'close' });
    t.match(early.json(), { status: 409, type: '/api/v1/problems/invalid-transition', ruleStatus: 'reported', event: 'close' }, 'names the state and the event');
    t.match((await event(ts, ticket.id, { type: 'teleport' })).json(), { status: 400, code: 'validation-failed' });
    t.match((await event(ts, ticket.id, { type: 'dispatch', technicianId: 'tech-piet', at: at('2026-03-16 10:00') })).json(), { status: 400, code: 'invalid-input' }, 'not in the future');

    t.equal((await event(ts, ticket.id, { type: 'dispatch', technicianId: 'tech-piet' }, ts.tokens.helpdesk)).statusCode, 200);
    clock.jump(2 * HOUR_MS);
    const before = await event(ts, ticket.id, { type: 'arrive', at: at('2026-03-16 08:30') });
    t.match(before.json(), { status: 409, code: 'out-of-order' }, 'not dated before the last change');
    t.match((await event(ts, ticket.id, { type: 'arrive' })).json(), { stage: 'on-site', slaStatus: 'ok', slaSettled: true });
    t.match((await event(ts, ticket.id, { type: 'return-posted' })).json(), { status: 409, code: 'invalid-transition' }, 'nothing is due back before the replacement');
    const replaced = (await event(ts, ticket.id, { type: 'replace', replacement: { serial: 'AVM-NEW-2' } }, ts.tokens.admin)).json();
    t.match(replaced, { stage: 'replaced', replacement: { serial: 'AVM-NEW-2', deviceId: null }, returnStatus: 'due' });
    t.match((await event(ts, ticket.id, { type: 'cancel', reason: 'too late' })).json(), { status: 409, code: 'invalid-transition' }, 'a replaced ticket is closed, not cancelled');
    t.match((await event(ts, ticket.id, { type: 'return-posted', reference: 'RR123456789NL' }, ts.tokens.helpdesk)).json(), { returnStatus: 'posted' });
    t.match((await event(ts, ticket.id, { type: 'fault-assessed', customerFault: true })).json(), { status: 409, code: 'invalid-transition' }, 'assessed once received');
    t.match((await event(ts, ticket.id, { type: 'return-received' })).json(), { returnStatus: 'received', defectiveReturn: { method: 'post' } });
    const assessed = (await event(ts, ticket.id, { type: 'fault-assessed', customerFault: true, note: 'water damage' })).json();
    t.match(assessed, { oneOffCharge: true, fault: { assessed: true, customerFault: true, by: { role: 'noc', id: 'noc-test' }, note: 'water damage' } });
    const closed = (await event(ts, ticket.id, { type: 'close', note: 'done' })).json();
    t.match(closed, { stage: 'closed', closedAt: String });
    t.same(
      closed.history.map((h: { event: string; by: { role: string } }) => [h.event, h.by.role]),
      [['reported', 'helpdesk'], ['dispatch', 'helpdesk'], ['arrive', 'noc'], ['replace', 'admin'], ['return-posted', 'helpdesk'], ['return-received', 'noc'], ['fault-assessed', 'noc'], ['close', 'noc']],
      'every change with its actor',
    );
    const actions = await auditActions(ts, seeded.subscriptionId);
    for (const action of ['swap-ticket.opened', 'swap-ticket.dispatch', 'swap-ticket.arrive', 'swap-ticket.replace', 'swap-ticket.fault-assessed', 'swap-ticket.one-off-charge', 'swap-ticket.close']) {
      t.ok(actions.includes(action), `audited: ${action}`);
    }
    const mails = await listOutbox(ts.server.services.store.db, { dedupeKeyPrefix: `swap-return:${ticket.id}`, limit: 5 });
    t.equal(mails.length, 1, 'R15: the customer is told where to post the unit');
    t.match(mails[0]!.body, /Antwoordnummer 10119/);

    const closedList = (await ts.call('GET', `/api/v1/swap-tickets?status=closed`, { token: ts.tokens.helpdesk })).json();
    t.ok(closedList.items.some((i: { id: string }) => i.id === ticket.id));
    t.notOk((await ts.call('GET', `/api/v1/swap-tickets?status=open`, { token: ts.tokens.helpdesk })).json().items.some((i: { id: string }) => i.id === ticket.id));
    const own = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/swap-tickets`, { token: await login(ts, seeded.login) })).json();
    t.match(own.items, [{ id: ticket.id, stage: 'closed', oneOffCharge: true }], 'the customer sees their tickets');

    const cancelled = (await open(ts, seeded.subscriptionId)).json();
    t.match((await event(ts, cancelled.id, { type: 'cancel', reason: 'the customer found the plug' })).json(), { stage: 'cancelled', cancelled: { from: 'reported', reason: 'the customer found the plug' }, slaSettled: true });
    t.match((await event(ts, cancelled.id, { type: 'dispatch', technicianId: 'x' })).json(), { status: 409, code: 'invalid-transition' });
  });

  t.test("R12: the replacement router's enrollment revokes the old router's credentials", async (t) => {
    const seeded = await seed(ts, { deliveredAt: DELIVERED });
    const old = seeded.device!;
    const agent = await connectDevice(t, old);
    const closed = new Promise<void>((resolve) => agent.client.once('close', () => resolve()));
    const ticket = (await open(ts, seeded.subscriptionId)).json();
    await event(ts, ticket.id, { type: 'dispatch', technicianId: 'tech-anna' });
    await event(ts, ticket.id, { type: 'arrive' });
    t.equal(await loginCode(old.mqttUrl, { clientId: old.deviceId, username: old.deviceId, password: old.password }), 0, 'the old router still logs in before the swap');

    const enrolled = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/devices`, { token: ts.tokens.noc, body: { model: 'FRITZ!Box 7490', serialNumber: 'AVM-NEW-9' } });
    t.equal(enrolled.statusCode, 201, enrolled.body);
    const fresh = enrolled.json().credentials as { deviceId: string; password: string; mqttUrl: string; clientId: string; username: string };
    ts.track(fresh.deviceId);
    await closed;
    t.pass("the old router's broker session was dropped");
    t.equal(await loginCode(old.mqttUrl, { clientId: old.deviceId, username: old.deviceId, password: old.password }), 4, 'the old secret is refused by the broker');
    t.equal(await loginCode(fresh.mqttUrl, { clientId: fresh.deviceId, username: fresh.deviceId, password: fresh.password }), 0, 'the replacement logs in');

    const view = (await ts.call('GET', `/api/v1/swap-tickets/${ticket.id}`, { token: ts.tokens.noc })).json();
    t.match(view, { stage: 'replaced', replacement: { deviceId: fresh.deviceId }, returnStatus: 'due' });
    t.equal(view.history.at(-1).event, 'replacement-enrolled');
    t.match((await ts.call('GET', `/api/v1/devices/${old.deviceId}`, { token: ts.tokens.noc })).json(), { revoked: true });
    const audit = (await ts.call('GET', `/api/v1/audit?action=device.revoked&subscriptionId=${seeded.subscriptionId}`, { token: ts.tokens.admin })).json();
    t.match(audit.items, [{ subjectId: old.deviceId, details: { cause: 'replaced', replacedBy: fresh.deviceId, ticketId: ticket.id } }]);
    const overview = await waitFor(async () => {
      const o = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}`, { token: ts.tokens.noc })).json();
      return o.devices.length === 1 ? o : null;
    }, 'one router left');
    t.equal(overview.devices[0].deviceId, fresh.deviceId);
  });
});

t.test('R13/R14 with the contract’s 23:00 closing as configuration; across the spring clock change', async (t) => {
  const clock = new TestClock(local('2026-04-01 12:00'));
  const ts = await startTestServer(t, await testDatabase(t), { clock, config: { swapCalendar: dailyHours('08:00', '23:00') } });
  const reported = async (at: string) => (await open(ts, (await seed(ts, { deliveredAt: DELIVERED })).subscriptionId, { reportedAt: new Date(local(at)).toISOString() })).json();
  t.match(await reported('2026-03-22 21:00'), { reportedOutsideHours: false, deadline: new Date(local('2026-03-23 10:00')).toISOString() }, 'reported Sunday 21:00 (2 hours before closing), deadline Monday 10:00');
  const spring = await reported('2026-03-28 21:00');
  t.equal(spring.deadline, new Date(local('2026-03-29 10:00')).toISOString(), 'Saturday 21:00 CET + 4 business hours = Sunday 10:00 CEST');
  t.equal(Date.parse(spring.deadline) - local('2026-03-28 21:00'), 12 * HOUR_MS, 'only 12 real hours: 2 h on Saturday, a night one hour short, 2 h on Sunday');
});

t.test('R12: the SLA watch runs by itself from the timer armed at opening (no explicit sweep)', async (t) => {
  const clock = new TestClock(THURSDAY_15);
  const ts = await startTestServer(t, await testDatabase(t), { clock });
  const seeded = await seed(ts, { deliveredAt: DELIVERED });
  const ticket = (await open(ts, seeded.subscriptionId)).json();
  t.equal(ticket.deadline, new Date(local('2026-03-12 19:00')).toISOString());
  const slaActions = async () => (await auditActions(ts, seeded.subscriptionId)).filter((a) => a.startsWith('swap-ticket.sla-'));

  await clock.advanceAsync(3 * HOUR_MS - 1_000); // 17:59:59
  t.same(await slaActions(), [], 'nothing before the last business hour');
  await clock.advanceAsync(1_000); // 18:00: one business hour left
  await waitFor(async () => (await slaActions()).includes('swap-ticket.sla-at-risk'), 'at risk at 18:00');
  await clock.advanceAsync(HOUR_MS + 1); // just past 19:00
  await waitFor(async () => (await slaActions()).includes('swap-ticket.sla-breached'), 'breached after 19:00');
  t.same((await slaActions()).sort(), ['swap-ticket.sla-at-risk', 'swap-ticket.sla-breached'], 'each recorded once');
});
