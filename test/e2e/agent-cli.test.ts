// `serviceplus agent` as systemd runs it: an unsupported router (R1) stops it with the model
// named; bad settings stop it naming the key; it prints what it connects to.
import t from 'tap';
import { startTestBroker } from '../helpers/broker.js';
import { startAgentProcess, startRig } from '../agent/helpers/agent-rig.js';

t.test('R1: an unsupported router stops the agent with a message naming the model', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker(), sim: { router: { model: 'FRITZ!Box 7590' }, stick: false } });
  const agent = startAgentProcess(rig);
  t.equal(await agent.exited, 3);
  t.match(agent.output(), /unsupported router model "FRITZ!Box 7590": ServicePlus supports FRITZ!Box 7340, 7360, 7390, 7490 \(R1\)/);
  t.match(agent.output(), /router \(TR-064\)\s+http:\/\/127\.0\.0\.1:\d+ as admin/, 'it said what it connects to');
});

t.test('wrong router credentials stop it too, without showing the password', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker(), sim: { stick: false } });
  const agent = startAgentProcess(rig, { SP_ROUTER_PASSWORD: 'not-the-password' });
  t.equal(await agent.exited, 3);
  t.match(agent.output(), /refused the credentials for user "admin"/);
  t.notMatch(agent.output(), /not-the-password/);
});

t.test('bad settings: exit 2 and the key named', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker(), sim: { router: false, stick: false } });
  const agent = startAgentProcess(rig, { SP_FAILBACK_STABLE_MS: 'soon', SP_DEVICE_SECRET: 'short' });
  t.equal(await agent.exited, 2);
  t.match(agent.output(), /failbackStableMs \(from SP_FAILBACK_STABLE_MS\)/);
  t.match(agent.output(), /deviceSecret \(from SP_DEVICE_SECRET\).*\(secret, not shown\)/);
  t.notMatch(agent.output(), /short/);
});
