// The agent end to end against the firmware simulator (real TR-064 over HTTP, a Huawei stick on a
// real pty) and a real broker: DSL drops → mobile session and a failover event; DSL returns →
// failback after the stability time; line up but no internet → failover on the probe quorum.
import t from 'tap';
import { startTestBroker } from '../helpers/broker.js';
import { startAgentIn, startRig, statusWhere, until } from '../agent/helpers/agent-rig.js';

t.test('DSL drop: a mobile session and a failover event; DSL back: failback after the stability time', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  await startAgentIn(rig);
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL with the stick on standby', (s) => s.activePath === 'dsl' && s.dsl.state === 'up' && s.modem.state === 'registered');
  t.equal(stick.snapshot().session, null, 'no session while DSL is up');

  const cut = Date.now();
  rig.sim.router!.setLine('down');
  const failover = await rig.server.waitFor('a failover event', () => rig.server.of('events').find((e) => e.type === 'failover'));
  t.match(failover, { from: 'dsl', to: 'mobile', reason: 'DSL link down' });
  t.match(failover.type === 'failover' ? failover.evidence.join(' | ') : '', /PhysicalLinkStatus Down/);
  t.ok(Date.parse(failover.at) >= cut - 5, 'decided after the cut');
  await until('the stick session', () => stick.snapshot().session);
  await statusWhere(rig, 'mobile and connected', (s) => s.activePath === 'mobile' && s.modem.state === 'connected' && s.dsl.state === 'down');

  rig.sim.router!.setLine('up');
  const back = Date.now();
  const failback = await rig.server.waitFor('a failback event', () => rig.server.of('events').find((e) => e.type === 'failback'), 30_000);
  t.match(failback, { from: 'mobile', to: 'dsl' });
  t.ok(Date.parse(failback.at) - back >= rig.config.failbackStableMs - 300, `failback after the stability time (${Date.parse(failback.at) - back} ms)`);
  await until('the session hung up', () => stick.snapshot().session === null);
  await statusWhere(rig, 'back on DSL', (s) => s.activePath === 'dsl' && s.dsl.state === 'up');
  t.same(rig.server.of('events').filter((e) => ['failover', 'failback', 'outage'].includes(e.type)).map((e) => e.type), ['failover', 'failback']);
  t.same(rig.server.refused, [], 'everything the agent sent passed the contract');
});

t.test('line up but no internet: the probe quorum fails and the agent fails over', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  await startAgentIn(rig);
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.dsl.state === 'up');
  await rig.internet.cut();
  const failover = await rig.server.waitFor('a failover event', () => rig.server.of('events').find((e) => e.type === 'failover'));
  t.equal(failover.type === 'failover' && failover.reason, 'DSL up but no internet');
  await statusWhere(rig, 'no-internet on mobile', (s) => s.activePath === 'mobile' && s.dsl.state === 'no-internet');
  await rig.internet.restore();
  await rig.server.waitFor('a failback event', () => rig.server.of('events').find((e) => e.type === 'failback'));
});

t.test('sync without PPP (the simulator\'s no-internet line) fails over too', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  await startAgentIn(rig);
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.dsl.state === 'up');
  rig.sim.router!.setLine('no-internet');
  const failover = await rig.server.waitFor('a failover event', () => rig.server.of('events').find((e) => e.type === 'failover'));
  t.equal(failover.type === 'failover' && failover.reason, 'DSL up but no internet');
});
