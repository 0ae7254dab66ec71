// Subscriptions and routers over HTTP: create a subscription with its customer, enroll a router
// (R1) and hand its credentials to an agent that then connects, list and show, suspend and
// restore (R22) with the desired state following over MQTT.
import t from 'tap';
import { testDatabase } from '../../helpers/database.js';
import { connectDevice } from '../helpers/device.js';
import { login } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';

t.test('subscriptions and routers', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env' });
  const suffix = Date.now().toString(36);

  const created = await ts.call('POST', '/api/v1/subscriptions', {
    token: ts.tokens.helpdesk,
    body: { reference: `K-${suffix}`, customer: { name: 'Jan de Vries', login: `Jan.${suffix}`, password: 'a long password', email: 'jan@example.nl', phone: '+31201234567' } },
  });
  t.equal(created.statusCode, 201, created.body);
  const { subscription, customer } = created.json();
  t.match(subscription, { reference: `K-${suffix}`, status: 'active', suspendedReason: null });
  t.match(customer, { name: 'Jan de Vries', login: `jan.${suffix}`, email: 'jan@example.nl' });
  t.notOk(created.body.includes('a long password'), 'the password is never echoed');

  t.test('refusals when creating', async (t) => {
    const again = await ts.call('POST', '/api/v1/subscriptions', { token: ts.tokens.admin, body: { customer: { name: 'X', login: `jan.${suffix}`, password: 'another password' } } });
    t.match(again.json(), { status: 409, type: '/api/v1/problems/login-taken' });
    const reference = await ts.call('POST', '/api/v1/subscriptions', { token: ts.tokens.admin, body: { reference: `K-${suffix}`, customer: { name: 'X', login: `other.${suffix}`, password: 'another password' } } });
    t.match(reference.json(), { status: 409, type: '/api/v1/problems/reference-taken' });
    const missing = await ts.call('GET', '/api/v1/subscriptions/sub_missing', { token: ts.tokens.noc });
    t.match(missing.json(), { status: 404, type: '/api/v1/problems/subscription-not-found' });
  });

  t.test('R1: a router is enrolled, and its credentials let the agent in', async (t) => {
    const unsupported = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/devices`, { token: ts.tokens.noc, body: { model: 'FRITZ!Box 7590' } });
    t.equal(unsupported.statusCode, 422);
    t.match(unsupported.json(), { type: '/api/v1/problems/unsupported-model', detail: /FRITZ!Box 7590/, model: 'FRITZ!Box 7590' });
    const nowhere = await ts.call('POST', '/api/v1/subscriptions/sub_missing/devices', { token: ts.tokens.noc, body: { model: 'FRITZ!Box 7490' } });
    t.equal(nowhere.json().code, 'subscription-not-found');

    const enrolled = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/devices`, {
      token: ts.tokens.noc,
      body: { model: 'FRITZ!Box Fon WLAN 7390', serialNumber: 'AVM-1234' },
    });
    t.equal(enrolled.statusCode, 201, enrolled.body);
    const { device, credentials } = enrolled.json();
    t.match(device, { model: '7390', modelName: 'FRITZ!Box Fon WLAN 7390', serialNumber: 'AVM-1234', presence: null, profile: { desired: { seq: 1, profile: 'baseline' } } });
    t.match(credentials, { deviceId: device.deviceId, username: device.deviceId, clientId: device.deviceId, mqttUrl: ts.server.mqttUrl, password: /^[A-Za-z0-9_-]{32}$/ });
    ts.track(device.deviceId);

    const agent = await connectDevice(t, credentials);
    t.match(await agent.nextDesired((d) => d.seq === 1), { profile: 'baseline', suspended: false });
    const shown = await ts.call('GET', `/api/v1/devices/${device.deviceId}`, { token: ts.tokens.noc });
    t.notOk(shown.body.includes(credentials.password), 'the secret is shown once, at enrollment only');

    const taken = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/devices`, { token: ts.tokens.admin, body: { model: 'FRITZ!Box 7490', deviceId: device.deviceId } });
    t.match(taken.json(), { status: 409, type: '/api/v1/problems/device-id-taken' });
    const unknown = await ts.call('GET', '/api/v1/devices/fb-missing', { token: ts.tokens.noc });
    t.match(unknown.json(), { status: 404, type: '/api/v1/problems/device-not-found' });
    const badId = await ts.call('GET', '/api/v1/devices/not%2Fan%2Fid', { token: ts.tokens.noc });
    t.equal(badId.json().code, 'validation-failed');

    t.test('R22: suspend and restore follow through to the router', async (t) => {
      const suspended = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/suspend`, {
        token: ts.tokens.helpdesk,
        body: { reason: 'equipment-stolen', note: 'router reported stolen' },
      });
      t.match(suspended.json(), { status: 'suspended', suspendedReason: 'equipment-stolen' });
      t.match(await agent.nextDesired((d) => d.suspended), { seq: 2, profile: 'baseline', suspended: true });
      const again = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/suspend`, { token: ts.tokens.noc, body: { reason: 'misuse' } });
      t.match(again.json(), { status: 409, type: '/api/v1/problems/already-suspended', reason: 'equipment-stolen' }, 'one suspension at a time, with its reason');
      const overview = (await ts.call('GET', `/api/v1/subscriptions/${subscription.id}`, { token: ts.tokens.noc })).json();
      t.match(overview, {
        suspension: { reason: 'equipment-stolen', note: 'router reported stolen', by: { role: 'helpdesk', id: 'helpdesk-test' } },
        entitlements: { mobileData: false, boosts: false, businessHelpdesk: true },
      });

      const restored = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/restore`, { token: ts.tokens.admin });
      t.match(restored.json(), { status: 'active', suspendedReason: null });
      t.match(await agent.nextDesired((d) => d.seq === 3), { suspended: false });
      t.equal((await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/restore`, { token: ts.tokens.admin })).json().code, 'not-suspended');
    });

    t.test('R23: a suspension for misuse is lifted by NOC or admin, not by the helpdesk; bad reasons are refused', async (t) => {
      const bad = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/suspend`, { token: ts.tokens.helpdesk, body: { reason: 'router reported stolen' } });
      t.match(bad.json(), { status: 400, code: 'validation-failed', errors: [{ path: 'reason' }] }, 'the reason is one of the rules’ list');
      const misuse = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/suspend`, { token: ts.tokens.helpdesk, body: { reason: 'misuse', note: 'opened to the neighbours' } });
      t.equal(misuse.statusCode, 200);
      t.match(await agent.nextDesired((d) => d.seq === 4), { suspended: true });
      const byHelpdesk = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/restore`, { token: ts.tokens.helpdesk, body: { note: 'customer promised' } });
      t.match(byHelpdesk.json(), { status: 403, code: 'forbidden-role', role: 'helpdesk', allowed: ['noc', 'admin'] });
      const byNoc = await ts.call('POST', `/api/v1/subscriptions/${subscription.id}/restore`, { token: ts.tokens.noc, body: { note: 'checked' } });
      t.match(byNoc.json(), { status: 'active' });
      t.match(await agent.nextDesired((d) => d.seq === 5), { suspended: false });
      const missing = await ts.call('POST', '/api/v1/subscriptions/sub_missing/suspend', { token: ts.tokens.noc, body: { reason: 'misuse' } });
      t.equal(missing.json().code, 'subscription-not-found');
    });
  });

  t.test('list, show and the customer view', async (t) => {
    const list = await ts.call('GET', '/api/v1/subscriptions?limit=500', { token: ts.tokens.noc });
    t.ok(list.json().items.some((s: { id: string }) => s.id === subscription.id));
    const page = await ts.call('GET', '/api/v1/subscriptions?limit=1', { token: ts.tokens.noc });
    t.equal(page.json().items.length, 1);
    t.type(page.json().next, 'string');

    const token = await login(ts, `jan.${suffix}`, 'a long password');
    const overview = (await ts.call('GET', `/api/v1/subscriptions/${subscription.id}`, { token })).json();
    t.match(overview, {
      id: subscription.id,
      customer: { login: `jan.${suffix}` },
      devices: [{ presence: null, path: null }],
      quota: { limit: 2, used: 0, remaining: 2 },
      speed: { profile: 'baseline', downKbps: 128, upKbps: 64, until: null, suspended: false },
      boost: null,
      phone: '+31201234567',
      contractPhase: 'ordered',
      suspension: null,
      entitlements: { licenceSeats: 0, businessHelpdesk: true, modemSwap: false },
    });
    const devices = (await ts.call('GET', `/api/v1/devices?subscriptionId=${subscription.id}`, { token: ts.tokens.noc })).json();
    t.equal(devices.items.length, 1);
    const audit = (await ts.call('GET', `/api/v1/audit?subscriptionId=${subscription.id}`, { token: ts.tokens.helpdesk })).json();
    t.same(
      audit.items.map((i: { action: string }) => i.action),
      ['subscription.restored', 'subscription.suspended', 'subscription.restored', 'subscription.suspended', 'device.enrolled', 'subscription.created'],
      'newest first',
    );
  });
});
