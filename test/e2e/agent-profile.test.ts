// A boost from the server's desired state reaches the stick (the simulator's negotiated rates),
// is acked with what the network granted, and ends by itself at `until` (R4, R5).
import t from 'tap';
import { startTestBroker } from '../helpers/broker.js';
import { PROFILES } from '../../shared/service.js';
import { desired } from '../fixtures/messages.js';
import { startAgentIn, startRig, statusWhere, until } from '../agent/helpers/agent-rig.js';

t.test('a boost is applied to the stick and acked, then expires back to the baseline', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  await startAgentIn(rig);
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL, standby', (s) => s.activePath === 'dsl' && s.modem.state === 'registered');
  rig.sim.router!.setLine('down');
  await until('the mobile session', () => stick.snapshot().session);
  await statusWhere(rig, 'mobile and connected', (s) => s.activePath === 'mobile' && s.modem.state === 'connected');

  const now = Date.now();
  await rig.server.publishDesired(
    desired({ seq: 1, issuedAt: new Date(now).toISOString(), until: new Date(now + 4_000).toISOString(), boostId: 'boost-e2e' }),
  );
  const ack = await rig.server.waitFor('the ack', () => rig.server.of('acks').find((a) => a.seq === 1));
  t.match(ack, { outcome: 'applied', boostId: 'boost-e2e' });
  const negotiated = stick.snapshot().session!.negotiated;
  t.same(ack.applied, negotiated, 'the ack reports what the stick negotiated');
  t.ok(Math.abs(negotiated.downKbps - PROFILES.boost.downKbps) <= 64 && Math.abs(negotiated.upKbps - PROFILES.boost.upKbps) <= 64, `boost rates within a grid step (${JSON.stringify(negotiated)})`);
  const requested = stick.snapshot().requested[1]!;
  t.ok(Math.abs(requested.downKbps - 3600) <= 64 && Math.abs(requested.upKbps - 1400) <= 64, `the stick was asked for the boost (+CGEQREQ ${JSON.stringify(requested)})`);
  await statusWhere(rig, 'the boost in the status', (s) => s.profile.name === 'boost' && s.profile.seq === 1 && s.profile.boostId === 'boost-e2e');
  t.ok(rig.server.of('events').some((e) => e.type === 'profile-applied' && e.profile === 'boost'));

  const expired = await rig.server.waitFor('the boost to end', () => rig.server.of('events').find((e) => e.type === 'profile-expired'), 15_000);
  t.match(expired, { seq: 1, profile: 'boost', boostId: 'boost-e2e' });
  t.ok(Date.parse(expired.at) >= now + 4_000 - 50, 'not before until');
  await until('baseline rates on the stick', () => {
    const s = stick.snapshot();
    return s.requested[1]?.downKbps === PROFILES.baseline.downKbps && s.session?.negotiated.downKbps === PROFILES.baseline.downKbps;
  });
  await statusWhere(rig, 'the baseline in the status', (s) => s.profile.name === 'baseline' && s.profile.downKbps === 128 && s.profile.upKbps === 64);

  // The retained desired (seq 1) comes back on every reconnect: it is not applied again.
  rig.proxy.cut();
  rig.proxy.restore();
  await rig.server.waitFor('presence online again', () => rig.server.of('presence').filter((p) => p.state === 'online').length >= 2);
  await statusWhere(rig, 'still the baseline after the replay', (s) => s.profile.name === 'baseline');
  t.equal(rig.server.of('acks').length, 1, 'no second ack for the replayed seq');
});

t.test('a desired state out of bounds is rejected with the reason, nothing changes on the stick', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  await startAgentIn(rig);
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.modem.state === 'registered');
  const client = (rig.server as unknown as { client: { publishAsync(topic: string, payload: string, opts: object): Promise<unknown> } }).client;
  const bad = { ...desired({ seq: 5, issuedAt: new Date().toISOString(), until: new Date(Date.now() + 3_600_000).toISOString() }), downKbps: 8_000 };
  await client.publishAsync(`sp/v1/devices/${rig.deviceId}/desired`, JSON.stringify(bad), { qos: 1, retain: true });
  const ack = await rig.server.waitFor('the rejection', () => rig.server.of('acks').find((a) => a.seq === 5));
  t.match(ack, { outcome: 'rejected', reason: /downKbps: must be at most 3600 for boost/ });
  const requests = rig.sim.stick!.commands().filter((c) => /CGEQREQ/i.test(c));
  t.same(requests.filter((c) => !/=1,\d+,64,128$/.test(c)), [], `only baseline rate requests reached the stick (${requests.join('; ')})`);
  t.same(rig.sim.stick!.snapshot().requested[1] ?? PROFILES.baseline, PROFILES.baseline);
});
