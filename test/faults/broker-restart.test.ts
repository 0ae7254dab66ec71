// Fault: the MQTT broker restarts while a boost is on its way: the agent is putting the rates to
// the stick when every connection drops. The boost is applied once: one QoS request at the
// stick, one "applied" at the agent (its ack waits in the outbox while the broker is down; the
// retained desired state delivered again after the restart has a seq already applied and is
// ignored), and the server records the boost as applied. The broker keeps its persistence across
// the restart, as Mosquitto with `persistence true` does. Real parts: the server (HTTP, store),
// the agent in this process, the simulated router and stick on a pty.
import t from 'tap';
import { systemClock } from '../../shared/clock.js';
import { startAgent } from '../../agent/main.js';
import { seedSubscription } from '../../server/seed.js';
import { testDatabase } from '../helpers/database.js';
import { startRig, statusWhere } from '../agent/helpers/agent-rig.js';
import { login, PASSWORD } from '../server/helpers/fixtures.js';
import { startTestServer } from '../server/helpers/server.js';
import { waitFor } from '../server/helpers/wait.js';
import { capturedLog } from './helpers/captured-log.js';
import { startRestartableBroker } from './helpers/restartable-broker.js';

const BOOST_QOS = /\+CGEQREQ=\d+,\d+,14\d\d,3[56]\d\d/;

t.test('broker restart while the agent applies a boost: applied once, acked once, recorded', async (t) => {
  const broker = await startRestartableBroker();
  const rig = await startRig(t, { broker });
  // The server's session is persistent, as by default (the test helper's is not): the broker
  // keeps what the agents send while the server reconnects after the restart. With a clean
  // session, the ack the agent sends in that gap is lost and the boost never shows as applied.
  const ts = await startTestServer(t, await testDatabase(t), { clock: systemClock, config: { mqttUrl: broker.url, mqttPersistentSession: true } });
  const seeded = await seedSubscription(ts.server, {
    customer: { name: 'Broker Restart', login: `restart-${rig.deviceId}`, password: PASSWORD },
    routerModel: 'FRITZ!Box 7490',
    deviceId: rig.deviceId,
  });
  const captured = capturedLog('agent', 'debug');
  const agent = await startAgent(rig.config, { log: captured.log });
  rig.closers.push(() => agent.stop());
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.modem.state === 'registered', 60_000);
  rig.sim.router!.setLine('down');
  await statusWhere(rig, 'on mobile', (s) => s.activePath === 'mobile' && s.modem.state === 'connected', 60_000);
  const token = await login(ts, seeded.login);
  await waitFor(async () => (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}`, { token })).json().connection?.path === 'mobile', 'the server to see mobile');

  stick.setAnswerDelay(1_500); // the stick takes its time with the QoS request
  const index = stick.commands().length;
  const response = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email: 'customer@example.nl' } });
  t.equal(response.statusCode, 201, response.body);
  const boostId = response.json().boost.id as string;
  await stick.waitForCommand('+CGEQREQ', { sinceIndex: index, timeoutMs: 30_000 });

  await broker.stop(); // mid-apply: every connection drops
  const applied = await waitFor(() => captured.find((l) => l.msg === 'desired state applied' && l['profile'] === 'boost'), 'the agent to finish applying', 30_000);
  stick.setAnswerDelay(0);
  await broker.start();

  const recorded = await waitFor(async () => {
    const boost = await ts.server.services.boosts.get(boostId);
    return boost.status === 'applied' ? boost : null;
  }, 'the server to record the boost as applied', 60_000).catch(async (error: unknown) => {
    if (process.env['SP_FAULT_DEBUG']) {
      t.comment(JSON.stringify(await ts.server.services.readiness()));
      t.comment(JSON.stringify(rig.server.summary()));
      for (const l of captured.lines.filter((l) => l.level >= 30)) t.comment(JSON.stringify(l));
    }
    throw error;
  });
  t.ok(recorded.applied_at !== null, 'the server has it applied (R6: the confirmation mail goes now)');
  // The retained desired state comes again after the reconnect, and is ignored by its seq.
  const again = await waitFor(
    () => captured.find((l) => l['component'] === 'profile' && l.level === 20 && l['seq'] === applied['seq']),
    'the desired state delivered again after the restart',
  );
  t.pass(`delivered again after the restart and ignored: ${again.msg}`);
  t.equal(agent.status().profile.boostId, boostId, 'the boost in force');

  const appliedLines = captured.lines.filter((l) => l.msg === 'desired state applied' && l['seq'] === applied['seq']);
  t.equal(appliedLines.length, 1, 'applied once at the agent');
  const requests = stick.commands().slice(index).filter((c) => BOOST_QOS.test(c));
  t.equal(requests.length, 1, `one boost QoS request at the stick (${requests.join(' | ')})`);
  t.notOk(captured.lines.some((l) => l.msg === 'desired state rejected'), 'nothing refused');
  t.notOk(captured.lines.some((l) => l.level >= 60), 'nothing fatal');
});
