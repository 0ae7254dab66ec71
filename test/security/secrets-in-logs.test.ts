// Tokens and secrets never appear in logs (issue 11, security). The server (and a second server
// instance that reaches the first one's broker with credentials in its mqttUrl, as a cluster
// does) and the real agent log at `trace` into memory through a real flow: a subscription
// created, a router enrolled, the agent connecting with the issued secret and the SIM PIN,
// customer login (wrong password, then right, cookie and bearer), a boost applied by the agent,
// an operator token created and used, device credentials rotated, the broker hook called with
// a device's password, /metrics with its token, logout. Then every secret, password, token and
// cookie value of that flow is looked for in every captured line.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { systemClock } from '../../shared/clock.js';
import { testDatabase } from '../helpers/database.js';
import { startTestServer } from '../server/helpers/server.js';
import { waitFor } from '../server/helpers/wait.js';
import { startAgentOnServer } from './helpers/agent-on-server.js';
import { capturedLogger } from './helpers/logs.js';

const secret = (prefix = '') => prefix + randomBytes(12).toString('base64url');

t.test('a real flow logged at trace level shows no secret', async (t) => {
  const lines: string[] = [];
  const secrets: Record<string, string> = {
    mqttPassword: secret('mqtt-'),
    brokerHookToken: secret('hook-'),
    metricsToken: secret('metrics-'),
    customerPassword: secret('pw-'),
    wrongPassword: secret('wrong-'),
    routerPassword: secret('router-'),
  };
  const SIM_PIN = '73950418';
  const ts = await startTestServer(t, await testDatabase(t), {
    broker: 'embedded',
    clock: systemClock,
    log: capturedLogger('server', lines),
    config: { mqttPassword: secrets.mqttPassword, brokerHookToken: secrets.brokerHookToken, metricsToken: secrets.metricsToken, logLevel: 'trace' },
  });
  for (const [role, token] of Object.entries(ts.tokens)) secrets[`${role} token`] = token;
  const call = ts.call.bind(ts);

  // A second instance on the first one's broker, its credentials in the URL (issue 10's cluster).
  const brokerPort = new URL(ts.server.mqttUrl).port;
  const second = await startTestServer(t, await testDatabase(t), {
    clock: systemClock,
    log: capturedLogger('server-2', lines),
    config: { mqttUrl: `mqtt://serviceplus.server:${encodeURIComponent(secrets.mqttPassword!)}@127.0.0.1:${brokerPort}`, mqttPassword: secrets.mqttPassword, logLevel: 'trace' },
  });
  t.notOk(second.server.embeddedBroker, 'a second instance connected with the credentials in its URL');

  // Subscription and router, through the API.
  const login = `sec-${randomBytes(4).toString('hex')}`;
  const created = await call('POST', '/api/v1/subscriptions', { token: ts.tokens.helpdesk, body: { customer: { name: 'Secret Keeper', login, password: secrets.customerPassword, email: 'keeper@example.nl' } } });
  t.equal(created.statusCode, 201, 'subscription created');
  const subscriptionId = created.json().subscription.id as string;
  const enrolled = await call('POST', `/api/v1/subscriptions/${subscriptionId}/devices`, { token: ts.tokens.noc, body: { model: 'FRITZ!Box 7490' } });
  t.equal(enrolled.statusCode, 201, 'router enrolled');
  const credentials = enrolled.json().credentials as { deviceId: string; password: string; mqttUrl: string; username: string; clientId: string };
  secrets['device secret'] = credentials.password;

  // The agent, with the issued secret, the box password and the SIM PIN.
  const agentLines: string[] = [];
  const { sim } = await startAgentOnServer(t, credentials, {
    settings: { simPin: SIM_PIN, logLevel: 'trace' },
    sim: { router: { password: secrets.routerPassword }, stick: { pin: SIM_PIN, latencyScale: 0.2 } },
    log: capturedLogger('agent', agentLines),
  });
  const pathIs = (path: string) =>
    waitFor(async () => (await call('GET', `/api/v1/devices/${credentials.deviceId}`, { token: ts.tokens.noc })).json().path === path, `the router on ${path}`, 30_000);
  await pathIs('dsl');

  // The customer: a wrong password, then the right one; the cookie and the bearer token.
  t.equal((await call('POST', '/api/v1/sessions', { body: { login, password: secrets.wrongPassword } })).statusCode, 401);
  const session = await call('POST', '/api/v1/sessions', { body: { login, password: secrets.customerPassword } });
  t.equal(session.statusCode, 201);
  secrets['session token'] = session.json().token as string;
  const cookie = String(session.headers['set-cookie']).split(';')[0]!;
  secrets['session cookie'] = cookie;
  t.equal((await call('GET', '/api/v1/sessions/current', { headers: { cookie } })).statusCode, 200);

  // An outage, and the customer's boost, applied by the agent.
  sim.router!.setLine('down');
  await pathIs('mobile');
  const boost = await call('POST', `/api/v1/subscriptions/${subscriptionId}/boosts`, { headers: { cookie }, body: { email: 'keeper@example.nl' } });
  t.equal(boost.statusCode, 201, `boost granted${boost.statusCode === 201 ? '' : `: ${boost.body}`}`);
  const boostId = boost.json().boost.id as string;
  await waitFor(async () => (await call('GET', `/api/v1/boosts/${boostId}`, { token: secrets['session token'] })).json().status === 'applied', 'the boost applied', 30_000);

  // An operator token, created and used; device credentials rotated on a second router.
  const operator = await call('POST', '/api/v1/operator-tokens', { token: ts.tokens.admin, body: { name: 'night-shift', role: 'noc' } });
  secrets['new operator token'] = operator.json().token as string;
  t.equal((await call('GET', '/api/v1/devices', { token: secrets['new operator token'] })).statusCode, 200);
  const spare = await call('POST', `/api/v1/subscriptions/${subscriptionId}/devices`, { token: ts.tokens.noc, body: { model: 'FRITZ!Box 7390' } });
  secrets['spare device secret'] = spare.json().credentials.password as string;
  const rotated = await call('POST', `/api/v1/devices/${spare.json().credentials.deviceId}/credentials`, { token: ts.tokens.admin });
  t.equal(rotated.statusCode, 201);
  secrets['rotated device secret'] = rotated.json().password as string;

  // The broker hook, with a device's password in the body and its own token in header and URI.
  const hookBody = { username: credentials.deviceId, password: credentials.password, clientid: credentials.deviceId };
  t.equal((await call('POST', '/api/v1/broker/mosquitto/user', { token: secrets.brokerHookToken, body: hookBody })).statusCode, 200);
  t.equal((await call('POST', `/api/v1/broker/mosquitto/user?token=${secrets.brokerHookToken}`, { body: { ...hookBody, password: secrets.wrongPassword } })).statusCode, 403);
  t.equal((await call('GET', '/metrics', { token: secrets.metricsToken })).statusCode, 200);
  t.equal((await call('DELETE', '/api/v1/sessions/current', { token: secrets['session token'] })).statusCode, 204);
  // A token that is wrong by one character, and a login with the customer's password as the name.
  await call('GET', '/api/v1/devices', { token: `${ts.tokens.noc}x` });
  await call('POST', '/api/v1/sessions', { body: { login: secrets.customerPassword, password: 'whatever-it-is' } });

  await second.close();
  await ts.close();
  const all = [...lines, ...agentLines];
  t.ok(lines.length > 50, `${lines.length} server lines captured`);
  t.ok(agentLines.some((line) => line.includes('mqtt connected')) && agentLines.some((line) => line.includes('desired state applied')), `the agent's connection and boost are among its ${agentLines.length} lines`);
  t.ok(all.some((line) => /"level":(10|20)/.test(line)), 'trace or debug lines among them');
  t.ok(all.some((line) => line.includes('"route":"/api/v1/sessions"')), 'the login requests are logged');

  const leaks = (value: string) => all.filter((line) => line.includes(value) || line.includes(encodeURIComponent(value)));
  for (const [what, value] of Object.entries(secrets)) {
    const found = leaks(value);
    t.same(found.slice(0, 3), [], `the ${what} is in no log line`);
    // Nor most of it: a token cut short is still half a secret.
    t.same(leaks(value.slice(0, Math.ceil(value.length * 0.6))).slice(0, 3), [], `nor the first 60 % of the ${what}`);
  }
  t.same(all.filter((line) => new RegExp(`(?<!\\d)${SIM_PIN}(?!\\d)`).test(line)).slice(0, 3), [], 'the SIM PIN is in no log line');
});
