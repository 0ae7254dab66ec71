// A replayed `desired` with an old seq is ignored (issue 11, security), end to end: the real
// server grants a boost, the real agent applies it (seq 2); then an old desired state (seq 1, the
// baseline) comes again on the router's desired topic, from the one principal the broker lets
// publish there (the server's). The agent refuses it as stale, once, and keeps the boost; the
// stick is not asked for other rates. The unit cases (same seq, lower seq, a refused replay not
// answered twice) are in test/agent/profile/profile-service.test.ts; random orders of seqs and
// replays in test/fuzz/e2e/agent-desired.test.ts.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { systemClock } from '../../shared/clock.js';
import { encodeMessage, topicFor } from '../../shared/contract/index.js';
import { connectNoDelay } from '../../server/mqtt/tcp-client.js';
import { testDatabase } from '../helpers/database.js';
import { login, seed } from '../server/helpers/fixtures.js';
import { startTestServer } from '../server/helpers/server.js';
import { waitFor } from '../server/helpers/wait.js';
import { startAgentOnServer } from './helpers/agent-on-server.js';
import { capturedLogger } from './helpers/logs.js';

t.test('an old desired state replayed to the real agent is refused as stale; the boost stays', async (t) => {
  const mqttPassword = randomBytes(12).toString('hex');
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'embedded', clock: systemClock, config: { mqttPassword } });
  const seeded = await seed(ts);
  const credentials = seeded.device!;
  const agentLines: string[] = [];
  const { agent, sim } = await startAgentOnServer(t, credentials, { log: capturedLogger('agent', agentLines) });
  const pathIs = (path: string) =>
    waitFor(async () => (await ts.call('GET', `/api/v1/devices/${credentials.deviceId}`, { token: ts.tokens.noc })).json().path === path, `the router on ${path}`, 30_000);
  await pathIs('dsl');
  const baseline = await waitFor(() => (agent.status().profile.seq === 1 ? agent.status().profile : undefined), 'the baseline (seq 1) applied', 30_000);
  t.match(baseline, { name: 'baseline', seq: 1 });

  sim.router!.setLine('down');
  await pathIs('mobile');
  const token = await login(ts, seeded.login);
  const boost = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: 'me@example.nl' } });
  t.equal(boost.statusCode, 201, 'boost granted');
  await waitFor(() => agent.status().profile.name === 'boost', 'the boost on the agent', 30_000);
  const boosted = agent.status().profile;
  t.match(boosted, { name: 'boost', seq: 2 });
  const requestsBefore = sim.stick!.commands().filter((c) => /CGEQREQ/i.test(c)).length;

  // The old seq 1 again, as the server's principal publishes (not retained: the boost stays retained).
  const replay = encodeMessage('desired', {
    v: 1,
    seq: 1,
    issuedAt: new Date(Date.now() - 60_000).toISOString(),
    profile: 'baseline',
    downKbps: 128,
    upKbps: 64,
    until: null,
    boostId: null,
    suspended: false,
  });
  const server = connectNoDelay(ts.server.mqttUrl, { clientId: `replayer-${process.pid}`, username: ts.config.mqttUsername, password: mqttPassword, reconnectPeriod: 0 });
  t.teardown(() => server.endAsync(true).catch(() => {}));
  await new Promise<void>((resolve, reject) => {
    server.once('connect', () => resolve());
    server.once('error', reject);
  });
  await server.publishAsync(topicFor('desired', credentials.deviceId), replay, { qos: 1 });

  const stale = await waitFor(() => agentLines.find((line) => /"seq":1\b/.test(line) && /desired state rejected/.test(line)), 'the agent refusing seq 1', 15_000);
  t.match(stale, /stale: seq 1 is not above the last applied seq 2/, 'refused as stale');
  t.match(agent.status().profile, { name: 'boost', seq: 2, boostId: boosted.boostId }, 'the boost stays');
  t.equal(sim.stick!.commands().filter((c) => /CGEQREQ/i.test(c)).length, requestsBefore, 'the stick was not asked for other rates');
});
