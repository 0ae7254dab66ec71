// R22, R23 over HTTP with a real router connection: an operator suspends a subscription for loss,
// theft or misuse with a reason; the router gets "mobile data off" in its desired state, the boost
// in force ends and no boost may start (the customer's nor an operator's) until it is restored;
// both are audited with who, why and what happened. Refusals with roles are in
// subscriptions.test.ts and the role matrix in auth.test.ts.
import t from 'tap';
import { testDatabase } from '../../helpers/database.js';
import { ackDesired, connectedRouter, login, seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';

const EMAIL = 'customer@example.nl';

t.test('R22: suspended at once, mobile data off and no boosts, until restored; both audited', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env' });
  const seeded = await seed(ts);
  const sub = seeded.subscriptionId;
  const router = await connectedRouter(t, ts, seeded, 'mobile');
  const customer = await login(ts, seeded.login);
  await router.nextDesired((d) => d.seq === 1 && d.profile === 'baseline', 'the baseline');

  const boosted = await ts.call('POST', `/api/v1/subscriptions/${sub}/boosts`, { token: customer, body: { email: EMAIL } });
  t.equal(boosted.statusCode, 201, boosted.body);
  const boostId = boosted.json().boost.id as string;
  const boostDesired = await ackDesired(router, (d) => d.boostId === boostId);
  t.match(boostDesired, { profile: 'boost', suspended: false });

  const suspended = await ts.call('POST', `/api/v1/subscriptions/${sub}/suspend`, { token: ts.tokens.helpdesk, body: { reason: 'credentials-compromised', note: 'password posted on a forum' } });
  t.equal(suspended.statusCode, 200, suspended.body);
  t.match(suspended.json(), { status: 'suspended', suspendedReason: 'credentials-compromised' });
  t.match(
    await router.nextDesired((d) => d.seq > boostDesired.seq, 'mobile data off'),
    { suspended: true, profile: 'baseline', boostId: null },
    'the router is told at once: mobile data off, the boost gone',
  );
  t.match((await ts.call('GET', `/api/v1/boosts/${boostId}`, { token: ts.tokens.noc })).json(), { status: 'cancelled', endReason: 'suspended' }, 'the boost in force ended');

  const selfService = await ts.call('POST', `/api/v1/subscriptions/${sub}/boosts`, { token: customer, body: { email: EMAIL } });
  t.match(selfService.json(), { status: 409, type: '/api/v1/problems/subscription-suspended' }, 'no boost by the customer');
  const byOperator = await ts.call('POST', `/api/v1/subscriptions/${sub}/operator-boosts`, { token: ts.tokens.helpdesk, body: { durationMinutes: 60, reason: 'goodwill' } });
  t.match(byOperator.json(), { status: 409, code: 'subscription-suspended' }, 'nor by an operator');
  const overview = (await ts.call('GET', `/api/v1/subscriptions/${sub}`, { token: customer })).json();
  t.match(overview, { status: 'suspended', entitlements: { mobileData: false, boosts: false } }, 'the customer sees it');
  t.match((await ts.call('GET', `/api/v1/devices/${seeded.device!.deviceId}`, { token: ts.tokens.noc })).json(), { revoked: false }, 'a suspension keeps the credentials (the contract end revokes them)');

  const restored = await ts.call('POST', `/api/v1/subscriptions/${sub}/restore`, { token: ts.tokens.noc, body: { note: 'new password set' } });
  t.match(restored.json(), { status: 'active', suspendedReason: null });
  const back = await router.nextDesired((d) => !d.suspended, 'mobile data on again');
  t.match(back, { suspended: false, profile: 'baseline', boostId: null }, 'restored without the ended boost');
  const operatorBoost = await ts.call('POST', `/api/v1/subscriptions/${sub}/operator-boosts`, { token: ts.tokens.helpdesk, body: { durationMinutes: 60, reason: 'goodwill after the theft' } });
  t.equal(operatorBoost.statusCode, 201, 'boosts are possible again');

  const audit = (await ts.call('GET', `/api/v1/audit?subscriptionId=${sub}&limit=100`, { token: ts.tokens.admin })).json();
  const suspendedEntry = audit.items.find((i: { action: string }) => i.action === 'subscription.suspended');
  const restoredEntry = audit.items.find((i: { action: string }) => i.action === 'subscription.restored');
  t.match(suspendedEntry, { actor: { kind: 'operator', id: 'helpdesk-test' }, subscriptionId: sub, details: { reason: 'credentials-compromised', note: 'password posted on a forum', endedBoost: boostId } });
  t.match(restoredEntry, { actor: { kind: 'operator', id: 'noc-test' }, subscriptionId: sub, details: { note: 'new password set' } });
  t.ok(Date.parse(suspendedEntry.at) <= Date.parse(restoredEntry.at), 'in order');
});
