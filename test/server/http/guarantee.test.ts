// R16 over HTTP: claims judged from what the server recorded through its ingest (presence with
// the server's receive time for a Last Will, the active path from status and failover/failback/
// outage events): an outage of 4 h 01 min is refunded once (also under concurrent claims), one of
// 3 h 59 min is not, an outage with the mobile session up in between is two outages, a silent
// router or one that never reported leaves the claim pending for the NOC, who decides it; a
// suspension is no outage of the service; and each refusal, with roles.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { encodeMessage, topicFor, type AgentEvent, type MessageOf, type TopicKind } from '../../../shared/contract/index.js';
import { HOUR_MS } from '../../../shared/service.js';
import { testDatabase } from '../../helpers/database.js';
import { status } from '../../fixtures/messages.js';
import { local } from '../rules/local-time.js';
import { connectDevice } from '../helpers/device.js';
import { login, seed } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const iso = (text: string) => new Date(local(text)).toISOString();
let eventNo = 0;

function feed<K extends TopicKind>(ts: TestServer, deviceId: string, kind: K, message: MessageOf<K>): Promise<void> {
  return ts.server.ingest.handle(topicFor(kind, deviceId), encodeMessage(kind, message));
}

function pathEvent(type: 'failover' | 'failback' | 'outage', at: string, from: 'dsl' | 'mobile' | 'none'): AgentEvent {
  const to = type === 'failover' ? 'mobile' : type === 'failback' ? 'dsl' : 'none';
  return { v: 1, id: `evt-${++eventNo}`, at: iso(at), type, from, to, reason: `${type} in the test`, evidence: [] } as AgentEvent;
}

/** A router online on DSL from 1 March, then the given path events. */
async function timeline(ts: TestServer, deviceId: string, events: AgentEvent[]): Promise<void> {
  await feed(ts, deviceId, 'presence', { v: 1, state: 'online', at: iso('2026-03-01 00:00'), reason: 'startup' });
  await feed(ts, deviceId, 'status', status({ at: iso('2026-03-01 00:00'), activePath: 'dsl', pathSince: iso('2026-03-01 00:00') }));
  for (const event of events) await feed(ts, deviceId, 'events', event);
}

async function claim(ts: TestServer, subscriptionId: string, token: string, period = '2026-03') {
  return ts.call('POST', `/api/v1/subscriptions/${subscriptionId}/guarantee-claims`, { token, body: { period, statement: 'Binnen 4 uur weer online is niet gelukt.' } });
}

t.test('the online guarantee', async (t) => {
  const clock = new TestClock(local('2026-02-25 12:00'));
  const ts = await startTestServer(t, await testDatabase(t), { clock });
  const delivered = { deliveredAt: local('2026-02-20 10:00') };
  const [longOutage, shortOutage, mobileBetween, silent, neverReported, suspended, racing] = await Promise.all(
    Array.from({ length: 7 }, () => seed(ts, delivered)),
  );
  const id = (s: { device: { deviceId: string } | null }) => s.device!.deviceId;

  // In March's order of time: a suspension during an outage, a Last Will received at 10:00.
  clock.jump(local('2026-03-10 09:00') - clock.now());
  t.equal((await ts.call('POST', `/api/v1/subscriptions/${suspended!.subscriptionId}/suspend`, { token: ts.tokens.helpdesk, body: { reason: 'equipment-lost' } })).statusCode, 200);
  clock.jump(HOUR_MS);
  await feed(ts, id(silent!), 'presence', { v: 1, state: 'online', at: iso('2026-03-01 00:00'), reason: 'startup' });
  await feed(ts, id(silent!), 'status', status({ at: iso('2026-03-01 00:00'), activePath: 'dsl', pathSince: iso('2026-03-01 00:00') }));
  // The Last Will: written when the agent connected, so its own `at` is old; dated when received.
  await feed(ts, id(silent!), 'presence', { v: 1, state: 'offline', at: iso('2026-03-01 00:00'), reason: 'connection-lost' });
  clock.jump(6 * HOUR_MS);
  t.equal((await ts.call('POST', `/api/v1/subscriptions/${suspended!.subscriptionId}/restore`, { token: ts.tokens.helpdesk })).statusCode, 200);
  clock.jump(local('2026-04-02 10:00') - clock.now());

  // The rest arrives later (from the agents' outboxes), each message with its own time.
  await feed(ts, id(silent!), 'presence', { v: 1, state: 'online', at: iso('2026-03-10 16:00'), reason: 'startup' });
  await feed(ts, id(silent!), 'status', status({ at: iso('2026-03-10 16:00'), activePath: 'dsl', pathSince: iso('2026-03-10 16:00') }));
  await timeline(ts, id(longOutage!), [pathEvent('outage', '2026-03-10 10:00', 'dsl'), pathEvent('failover', '2026-03-10 14:01', 'none'), pathEvent('failback', '2026-03-10 18:00', 'mobile')]);
  await timeline(ts, id(racing!), [pathEvent('outage', '2026-03-20 20:00', 'dsl'), pathEvent('failback', '2026-03-21 00:01', 'none')]);
  await timeline(ts, id(shortOutage!), [pathEvent('outage', '2026-03-10 10:00', 'dsl'), pathEvent('failover', '2026-03-10 13:59', 'none')]);
  await timeline(ts, id(mobileBetween!), [
    pathEvent('outage', '2026-03-10 10:00', 'dsl'),
    pathEvent('failover', '2026-03-10 12:00', 'none'),
    pathEvent('outage', '2026-03-10 12:30', 'mobile'),
    pathEvent('failback', '2026-03-10 15:00', 'none'),
  ]);
  await timeline(ts, id(suspended!), [pathEvent('outage', '2026-03-10 10:00', 'dsl'), pathEvent('failback', '2026-03-10 15:30', 'none')]);

  t.test('4 h 01 min without a connection: eligible, that month’s fee refunded once (R16, R19)', async (t) => {
    const token = await login(ts, longOutage!.login);
    const first = await claim(ts, longOutage!.subscriptionId, token);
    t.equal(first.statusCode, 201, first.body);
    t.match(first.json(), {
      period: '2026-03',
      status: 'decided',
      verdict: 'eligible',
      reason: /4 h 1 min/,
      claimedBy: { role: 'customer' },
      decidedBy: { role: 'system', id: 'guarantee' },
      refund: { period: '2026-03', amountCents: 1000, outageStart: iso('2026-03-10 10:00'), outageEnd: iso('2026-03-10 14:01') },
      assessment: { outage: { durationMs: 4 * HOUR_MS + 60_000, breachAt: iso('2026-03-10 14:00'), startKnown: true }, evaluatedUntil: iso('2026-04-01 00:00') },
    });
    const second = await claim(ts, longOutage!.subscriptionId, ts.tokens.helpdesk);
    t.match(second.json(), { status: 'decided', verdict: 'already-refunded', reason: '2026-03 has already been refunded', refund: null, claimedBy: { role: 'helpdesk' } }, 'a second claim in the same month');
    const own = (await ts.call('GET', `/api/v1/subscriptions/${longOutage!.subscriptionId}/guarantee-claims`, { token })).json();
    t.equal(own.items.length, 2);
    t.equal(own.items.filter((c: { refund: unknown }) => c.refund !== null).length, 1, 'one refund');
    t.equal((await ts.call('GET', `/api/v1/guarantee-claims/${first.json().id}`, { token })).statusCode, 200, 'the customer reads their claim');
  });

  t.test('3 h 59 min: not eligible, with the outage as evidence', async (t) => {
    const answer = (await claim(ts, shortOutage!.subscriptionId, ts.tokens.helpdesk)).json();
    t.match(answer, {
      status: 'decided',
      verdict: 'not-eligible',
      reason: 'the longest outage lasted 3 h 59 min, not more than 4 hours',
      refund: null,
      assessment: { longestOutage: { start: iso('2026-03-10 10:00'), end: iso('2026-03-10 13:59'), durationMs: 4 * HOUR_MS - 60_000 } },
    });
  });

  t.test('an outage with the mobile session up in between is two outages, neither over 4 h', async (t) => {
    const answer = (await claim(ts, mobileBetween!.subscriptionId, ts.tokens.admin)).json();
    t.match(answer, { verdict: 'not-eligible', assessment: { longestOutage: { durationMs: 2.5 * HOUR_MS, start: iso('2026-03-10 12:30') } } });
  });

  t.test('a suspension is not an outage of the service (out of service)', async (t) => {
    const answer = (await claim(ts, suspended!.subscriptionId, ts.tokens.helpdesk)).json();
    t.match(answer, { verdict: 'not-eligible', refund: null });
    t.ok(answer.assessment.coverage.outOfServiceMs >= 6 * HOUR_MS, 'the suspended hours are out of service');
  });

  t.test('a silent router and one that never reported: undecidable, pending for the NOC, who decides', async (t) => {
    const silentClaim = (await claim(ts, silent!.subscriptionId, ts.tokens.helpdesk)).json();
    t.match(silentClaim, {
      status: 'pending',
      verdict: 'undecidable',
      decidedAt: null,
      refund: null,
      assessment: { missing: [{ from: iso('2026-03-10 10:00'), to: iso('2026-03-10 16:00'), cause: 'offline' }] },
    });
    const nothing = (await claim(ts, neverReported!.subscriptionId, ts.tokens.helpdesk)).json();
    t.match(nothing, { status: 'pending', verdict: 'undecidable', assessment: { missing: [{ cause: 'no-data' }] } });
    const again = (await claim(ts, silent!.subscriptionId, await login(ts, silent!.login))).json();

    const pending = (await ts.call('GET', '/api/v1/guarantee-claims?status=pending', { token: ts.tokens.noc })).json();
    t.same(new Set(pending.items.map((c: { id: string }) => c.id)), new Set([silentClaim.id, nothing.id, again.id]), 'the NOC list of pending claims');
    t.match(pending.items.find((c: { id: string }) => c.id === silentClaim.id), { subscription: { id: silent!.subscriptionId, reference: String }, period: '2026-03', reason: /no data/ });
    const decided = (await ts.call('GET', '/api/v1/guarantee-claims?status=decided', { token: ts.tokens.helpdesk })).json();
    t.ok(decided.items.length >= 5 && decided.items.every((c: { status: string }) => c.status === 'decided'), 'and of decided ones, with their verdicts');
    t.ok(decided.items.some((c: { verdict: string }) => c.verdict === 'eligible'));

    const reassessed = (await ts.call('POST', `/api/v1/guarantee-claims/${silentClaim.id}/reassess`, { token: ts.tokens.noc })).json();
    t.match(reassessed, { status: 'pending', verdict: 'undecidable' }, 'nothing new recorded: still pending');
    const decision = await ts.call('POST', `/api/v1/guarantee-claims/${silentClaim.id}/decision`, { token: ts.tokens.noc, body: { verdict: 'eligible', note: 'the customer sent the router log' } });
    t.match(decision.json(), { status: 'decided', verdict: 'eligible', decidedBy: { role: 'noc', id: 'noc-test' }, note: 'the customer sent the router log', refund: { amountCents: 1000, outageStart: null } });
    const twice = await ts.call('POST', `/api/v1/guarantee-claims/${silentClaim.id}/decision`, { token: ts.tokens.noc, body: { verdict: 'not-eligible', note: 'changed my mind' } });
    t.match(twice.json(), { status: 409, type: '/api/v1/problems/claim-already-decided', verdict: 'eligible' });
    t.match((await ts.call('POST', `/api/v1/guarantee-claims/${silentClaim.id}/reassess`, { token: ts.tokens.admin })).json(), { status: 409, code: 'claim-already-decided' });
    const secondRefund = await ts.call('POST', `/api/v1/guarantee-claims/${again.id}/decision`, { token: ts.tokens.admin, body: { verdict: 'eligible', note: 'also this one' } });
    t.match(secondRefund.json(), { status: 409, type: '/api/v1/problems/already-refunded' }, 'at most one refund per month, by hand too');
    t.match((await ts.call('GET', `/api/v1/guarantee-claims/${again.id}`, { token: ts.tokens.noc })).json(), { status: 'pending' }, 'the refused decision changed nothing');
    const notEligible = await ts.call('POST', `/api/v1/guarantee-claims/${nothing.id}/decision`, { token: ts.tokens.admin, body: { verdict: 'not-eligible', note: 'no outage reported to us' } });
    t.match(notEligible.json(), { status: 'decided', verdict: 'not-eligible', refund: null });
  });

  t.test('one refund per subscription per month under concurrent claims', async (t) => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => claim(ts, racing!.subscriptionId, ts.tokens.helpdesk)));
    t.ok(answers.every((a) => a.statusCode === 201), 'every claim is recorded');
    const verdicts = answers.map((a) => a.json().verdict as string);
    t.equal(verdicts.filter((v) => v === 'eligible').length, 1, 'one is eligible');
    t.equal(verdicts.filter((v) => v === 'already-refunded').length, 7, 'the others find the month refunded');
    const all = (await ts.call('GET', `/api/v1/subscriptions/${racing!.subscriptionId}/guarantee-claims`, { token: ts.tokens.noc })).json();
    t.equal(all.items.filter((c: { refund: unknown }) => c.refund !== null).length, 1, 'one refund stored');
  });

  t.test('refusals', async (t) => {
    const token = await login(ts, shortOutage!.login);
    t.match((await claim(ts, shortOutage!.subscriptionId, token, '2026-05')).json(), { status: 422, type: '/api/v1/problems/period-not-started', period: '2026-05' });
    t.match((await claim(ts, shortOutage!.subscriptionId, token, 'March')).json(), { status: 400, code: 'validation-failed', errors: [{ path: 'period' }] });
    t.match((await claim(ts, longOutage!.subscriptionId, token)).json(), { status: 403, code: 'wrong-customer' });
    t.match((await claim(ts, 'sub_missing', ts.tokens.helpdesk)).json(), { status: 404, code: 'subscription-not-found' });
    const theirs = (await ts.call('GET', `/api/v1/subscriptions/${longOutage!.subscriptionId}/guarantee-claims`, { token: ts.tokens.noc })).json().items[0].id;
    t.match((await ts.call('GET', `/api/v1/guarantee-claims/${theirs}`, { token })).json(), { status: 403, code: 'wrong-customer' });
    t.match((await ts.call('GET', '/api/v1/guarantee-claims/clm_missing', { token: ts.tokens.noc })).json(), { status: 404, code: 'claim-not-found' });
    t.match((await ts.call('POST', '/api/v1/guarantee-claims/clm_missing/reassess', { token: ts.tokens.noc })).json(), { status: 404, code: 'claim-not-found' });
    t.match((await ts.call('POST', '/api/v1/guarantee-claims/clm_missing/decision', { token: ts.tokens.noc, body: { verdict: 'eligible', note: 'no such claim' } })).json(), { status: 404, code: 'claim-not-found' });
    t.match((await ts.call('GET', '/api/v1/subscriptions/sub_missing/guarantee-claims', { token: ts.tokens.noc })).json(), { status: 404, code: 'subscription-not-found' });
    t.match((await ts.call('GET', '/api/v1/guarantee-claims?status=lost', { token: ts.tokens.noc })).json(), { status: 400, code: 'validation-failed' });
    t.match((await ts.call('POST', `/api/v1/guarantee-claims/${theirs}/decision`, { token: ts.tokens.noc, body: { verdict: 'maybe', note: 'x' } })).json(), { status: 400, code: 'validation-failed' });
  });

  t.test("a real Last Will is recorded with the server's receive time", async (t) => {
    const seeded = await seed(ts, delivered);
    const creds = seeded.device!;
    const will = { v: 1 as const, state: 'offline' as const, at: new Date(clock.now()).toISOString(), reason: 'connection-lost' as const };
    const router = await connectDevice(t, creds, { will: { topic: topicFor('presence', creds.deviceId), payload: encodeMessage('presence', will), qos: 1, retain: true } });
    await router.publish('presence', { v: 1, state: 'online', at: new Date(clock.now()).toISOString(), reason: 'startup' }, { retain: true });
    await router.publish('status', status({ at: new Date(clock.now()).toISOString(), activePath: 'dsl', pathSince: new Date(clock.now()).toISOString() }), { retain: true });
    await waitFor(async () => (await ts.call('GET', `/api/v1/devices/${creds.deviceId}`, { token: ts.tokens.noc })).json().path === 'dsl', 'the status stored');
    clock.jump(30 * 60_000);
    const droppedAt = clock.now();
    router.client.stream.destroy(); // the connection is lost: the broker publishes the Will
    await waitFor(async () => (await ts.call('GET', `/api/v1/devices/${creds.deviceId}`, { token: ts.tokens.noc })).json().presence?.state === 'offline', 'the Last Will');
    clock.jump(5 * HOUR_MS);
    const answer = (await claim(ts, seeded.subscriptionId, ts.tokens.helpdesk, '2026-04')).json();
    t.match(answer, { verdict: 'undecidable', status: 'pending' });
    t.ok(
      answer.assessment.missing.some((m: { from: string; cause: string }) => m.cause === 'offline' && m.from === new Date(droppedAt).toISOString()),
      'the silence starts when the Will arrived, not when it was written',
    );
  });
});
