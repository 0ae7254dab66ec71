// The agent keeps working through what the stick does: unplugged and plugged back in while on
// mobile (path none, then mobile again, with no hand on it), and garbage on the serial line.
import t from 'tap';
import { startTestBroker } from '../helpers/broker.js';
import { startAgentIn, startAgentProcess, startRig, statusWhere, until } from '../agent/helpers/agent-rig.js';

t.test('stick unplugged and replugged while on mobile: outage, then the path comes back by itself', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  await startAgentIn(rig);
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.modem.state === 'registered');
  rig.sim.router!.setLine('down');
  await until('the mobile session', () => stick.snapshot().session);
  await statusWhere(rig, 'mobile', (s) => s.activePath === 'mobile' && s.modem.state === 'connected');

  await stick.unplug();
  const outage = await rig.server.waitFor('an outage', () => rig.server.of('events').find((e) => e.type === 'outage'));
  t.match(outage, { from: 'mobile', to: 'none', reason: /stick is absent/ });
  await rig.server.waitFor('modem-lost', () => rig.server.of('events').find((e) => e.type === 'modem-lost'));
  await statusWhere(rig, 'path none, stick absent', (s) => s.activePath === 'none' && s.modem.state === 'absent');

  await stick.replug();
  await rig.server.waitFor('modem-found', () => rig.server.of('events').find((e) => e.type === 'modem-found'));
  const back = await rig.server.waitFor('mobile again', () => rig.server.of('events').find((e) => e.type === 'failover' && e.from === 'none'), 60_000);
  t.match(back, { to: 'mobile', reason: 'mobile session up' });
  await until('a session on the replugged stick', () => stick.snapshot().session, 30_000);
  await statusWhere(rig, 'mobile and connected again', (s) => s.activePath === 'mobile' && s.modem.state === 'connected');
  t.same(
    rig.server.of('events').filter((e) => ['failover', 'failback', 'outage'].includes(e.type)).map((e) => e.type === 'failover' || e.type === 'failback' || e.type === 'outage' ? `${e.type}:${e.from}->${e.to}` : ''),
    ['failover:dsl->mobile', 'outage:mobile->none', 'failover:none->mobile'],
  );
});

t.test('garbage and truncated replies on the serial line: the agent stays up and keeps deciding', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  const agent = startAgentProcess(rig);
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.modem.state === 'registered', 60_000);
  rig.sim.router!.setLine('down');
  await until('the mobile session', () => stick.snapshot().session, 30_000);
  for (let i = 0; i < 10; i++) {
    stick.injectGarbage();
    stick.injectGarbage('\r\n^DSFLOWRPT:zz,??\r\n+CME ERROR: \r\nOK OK\r\n\u0000\u00ff');
    stick.truncateNextReply();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await statusWhere(rig, 'mobile and connected through the garbage', (s) => s.activePath === 'mobile' && s.modem.state === 'connected', 60_000);
  rig.sim.router!.setLine('up');
  await rig.server.waitFor('a failback: still deciding', () => rig.server.of('events').find((e) => e.type === 'failback'), 60_000);
  t.equal(agent.child.exitCode, null, 'the agent process is still running');
  agent.child.kill('SIGTERM');
  const code = await agent.exited;
  if (code !== 0) t.comment(agent.output().slice(-4_000));
  t.equal(code, 0, 'a clean stop');
  t.same(rig.server.refused, []);
});
