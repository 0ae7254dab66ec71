// Profiles: the desired state taken only with a higher seq and within bounds, acked with what the
// stick negotiated; a boost ends by itself at `until` (R5), with no server and across a restart;
// suspended turns data off (R22); the fair-use cap holds the baseline (R9).
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { encodeMessage } from '../../../shared/contract/index.js';
import { silentLogger } from '../../../shared/log.js';
import { PROFILES } from '../../../shared/service.js';
import { ProfileService, type AckReport, type ProfileEvent } from '../../../agent/profile/profile-service.js';
import { desired } from '../../fixtures/messages.js';
import { FakeModem } from '../helpers/fake-modem.js';
import { ModemError } from '../../../agent/modem/errors.js';
import { tempDir } from '../helpers/temp.js';

const START = '2026-03-10T09:00:00.000Z';
const HOUR = 3_600_000;

async function setup(t: Test, options: { dir?: string; clock?: TestClock; modem?: FakeModem } = {}) {
  const dir = options.dir ?? (await tempDir(t));
  const clock = options.clock ?? new TestClock(START);
  const modem = options.modem ?? new FakeModem();
  modem.clock = clock;
  const acks: AckReport[] = [];
  const events: ProfileEvent[] = [];
  const service = await ProfileService.open({
    modem,
    clock,
    log: silentLogger(),
    file: join(dir, 'profile.json'),
    holdBaselineAtCap: true,
    sendAck: async (ack) => {
      acks.push(ack);
    },
    sendEvent: async (event) => {
      events.push(event);
    },
    onChange: () => {},
  });
  service.start();
  await clock.advanceAsync(0);
  return { dir, clock, modem, service, acks, events };
}

function boost(seq: number, clock: TestClock, hours = 24, extra: Record<string, unknown> = {}) {
  const issuedAt = new Date(clock.now()).toISOString();
  return encodeMessage('desired', desired({ seq, issuedAt, until: new Date(clock.now() + hours * HOUR).toISOString(), boostId: `boost-${seq}`, ...extra }));
}

t.test('a boost is requested from the stick and acked with the negotiated rates', async (t) => {
  const { clock, modem, service, acks, events } = await setup(t);
  modem.setState('connected');
  modem.negotiate = () => ({ downKbps: 3584, upKbps: 1408 });
  await service.handleDesired(boost(4, clock));
  t.same(modem.callsOf('requestRates').at(-1), { downKbps: 3600, upKbps: 1400 });
  t.equal(acks.length, 1);
  t.match(acks[0], { seq: 4, outcome: 'applied', boostId: 'boost-4', applied: { downKbps: 3584, upKbps: 1408 } });
  t.notOk(acks[0]!.reason, 'within a grid step: no remark');
  t.match(events.at(-1), { type: 'profile-applied', seq: 4, profile: 'boost', downKbps: 3584, upKbps: 1408 });
  t.match(service.applied(), { name: 'boost', seq: 4, downKbps: 3584, upKbps: 1408, boostId: 'boost-4', suspended: false });
});

t.test('a network that grants less is still applied, with the shortfall said', async (t) => {
  const { clock, modem, service, acks } = await setup(t);
  modem.setState('connected');
  modem.negotiate = () => ({ downKbps: 384, upKbps: 64 });
  await service.handleDesired(boost(5, clock));
  t.match(acks[0], { outcome: 'applied', applied: { downKbps: 384, upKbps: 64 }, reason: /granted 384\/64 of 3600\/1400/ });
});

t.test('replays and stale seqs: the same seq is ignored, a lower one is refused once', async (t) => {
  const { clock, service, acks } = await setup(t);
  await service.handleDesired(boost(7, clock));
  await service.handleDesired(boost(7, clock));
  t.equal(acks.length, 1, 'the retained message again after a reconnect: no second ack');
  await service.handleDesired(boost(6, clock));
  t.match(acks[1], { seq: 6, outcome: 'rejected', reason: /stale: seq 6 is not above the last applied seq 7/ });
  await service.handleDesired(boost(6, clock));
  t.equal(acks.length, 2, 'a refused replay is not answered again');
});

t.test('out of bounds or malformed: rejected with the reason, nothing applied', async (t) => {
  const { clock, modem, service, acks } = await setup(t);
  const requestsBefore = modem.callsOf('requestRates').length;
  const tooFast = JSON.stringify({ ...desired({ seq: 9, issuedAt: START, until: new Date(clock.now() + HOUR).toISOString() }), downKbps: 7200 });
  await service.handleDesired(tooFast);
  t.match(acks[0], { seq: 9, outcome: 'rejected', reason: /downKbps: must be at most 3600 for boost/, boostId: 'boost-42' });
  await service.handleDesired('{"seq": 10, "v": 1, "profile": "turbo"}');
  t.match(acks[1], { seq: 10, outcome: 'rejected', reason: /desired:/ });
  await service.handleDesired('not json at all');
  t.equal(acks.length, 2, 'no seq to answer: logged, not acked');
  t.equal(modem.callsOf('requestRates').length, requestsBefore, 'the stick was not touched');
  t.equal(service.applied().name, 'baseline');
});

t.test('a boost that already ended is refused (R5)', async (t) => {
  const { clock, service, acks } = await setup(t);
  const message = encodeMessage('desired', desired({ seq: 3, issuedAt: '2026-03-08T09:00:00.000Z', until: '2026-03-09T09:00:00.000Z' }));
  await service.handleDesired(message);
  t.match(acks[0], { seq: 3, outcome: 'rejected', reason: /already ended/ });
  void clock;
});

t.test('R5: the boost falls back to the baseline at `until`, with no server involved', async (t) => {
  const { clock, modem, service, events } = await setup(t);
  modem.setState('connected');
  await service.handleDesired(boost(4, clock));
  await clock.advanceAsync(24 * HOUR - 1_000);
  t.equal(service.applied().name, 'boost', 'one second before the end');
  t.notOk(events.some((e) => e.type === 'profile-expired'));
  await clock.advanceAsync(1_000);
  await service.stop();
  t.equal(service.applied().name, 'baseline');
  t.same(modem.callsOf('requestRates').at(-1), PROFILES.baseline, 'the stick is asked for the baseline');
  t.match(events.at(-1), { type: 'profile-expired', seq: 4, profile: 'boost', boostId: 'boost-4' });
  t.equal(clock.now() - Date.parse(START), 24 * HOUR, 'exactly at until');
});

t.test('R5 across a restart: a boost that ended while the agent was down ends at start-up', async (t) => {
  const first = await setup(t);
  first.modem.setState('connected');
  await first.service.handleDesired(boost(4, first.clock, 2));
  await first.service.stop();
  first.clock.jump(3 * HOUR); // the agent was off while the boost ended
  const second = await setup(t, { dir: first.dir, clock: first.clock, modem: first.modem });
  await second.service.stop();
  t.equal(second.service.applied().name, 'baseline');
  t.same(first.modem.callsOf('requestRates').at(-1), PROFILES.baseline);
  t.match(second.events, [{ type: 'profile-expired', seq: 4 }]);
});

t.test('R5 across a restart: a boost still running is re-applied and still ends on time', async (t) => {
  const first = await setup(t);
  first.modem.setState('connected');
  await first.service.handleDesired(boost(4, first.clock, 2));
  await first.service.stop();
  await first.clock.advanceAsync(HOUR);
  const modem = new FakeModem();
  modem.setState('connected');
  const second = await setup(t, { dir: first.dir, clock: first.clock, modem });
  t.same(modem.callsOf('requestRates')[0], PROFILES.boost, 'the new stick is asked for the boost');
  t.equal(second.service.applied().name, 'boost');
  await second.clock.advanceAsync(HOUR);
  await second.service.stop();
  t.equal(second.service.applied().name, 'baseline');
  t.match(second.events, [{ type: 'profile-expired', seq: 4 }]);
  t.equal(second.events.filter((e) => e.type === 'profile-expired').length, 1);
});

t.test('a stick that is not ready is asked again once it is', async (t) => {
  const modem = new FakeModem();
  modem.setState('absent');
  modem.negotiate = () => {
    throw new Error('no stick');
  };
  const { clock, service } = await setup(t, { modem });
  void clock;
  modem.negotiate = () => null;
  const before = modem.callsOf('requestRates').length;
  modem.emit({ type: 'found', identity: { manufacturer: 'huawei', model: 'E173', imei: null } });
  modem.setState('registered');
  await service.stop();
  t.equal(modem.callsOf('requestRates').length, before + 1);
});

t.test('a desired state that arrives while the stick is starting is held, and acked once the stick took it (R6)', async (t) => {
  const modem = new FakeModem();
  modem.setState('absent');
  modem.negotiate = () => {
    throw new ModemError('absent', 'no stick to talk to yet');
  };
  const { clock, service, acks, events } = await setup(t, { modem });
  await service.handleDesired(boost(1, clock));
  t.same(acks, [], 'no ack while the speed is not raised: the confirmation mail waits for it');
  t.equal(service.applied().name, 'boost', 'the boost is in force at the agent');
  modem.negotiate = (rates) => rates;
  modem.setState('registered');
  await service.stop();
  t.same(modem.callsOf('requestRates').at(-1), PROFILES.boost, 'asked once the stick is ready');
  t.equal(acks.length, 1);
  t.match(acks[0], { seq: 1, outcome: 'applied', boostId: 'boost-1', applied: PROFILES.boost });
  t.match(events.at(-1), { type: 'profile-applied', seq: 1, profile: 'boost' });
});

t.test('a held desired state is still acked after an agent restart', async (t) => {
  const modem = new FakeModem();
  modem.setState('absent');
  modem.negotiate = () => {
    throw new ModemError('closed', 'unplugged');
  };
  const first = await setup(t, { modem });
  await first.service.handleDesired(boost(3, first.clock));
  await first.service.stop();
  t.same(first.acks, []);
  const second = await setup(t, { dir: first.dir, clock: first.clock, modem: new FakeModem() });
  t.match(second.acks, [{ seq: 3, outcome: 'applied' }], 'the new agent acks what the stick now took');
  await second.service.handleDesired(boost(3, second.clock));
  await second.service.stop();
  t.equal(second.acks.length, 1, 'the retained repeat is not acked twice');
});

t.test('a stick that refuses the rates gets the desired state rejected with its answer', async (t) => {
  const modem = new FakeModem();
  modem.setState('registered');
  modem.negotiate = () => {
    throw new ModemError('cme', '+CME ERROR: 4');
  };
  const { clock, service, acks } = await setup(t, { modem });
  await service.handleDesired(boost(2, clock));
  t.match(acks[0], { seq: 2, outcome: 'rejected', reason: /the stick did not take the rates/ });
  t.equal(service.applied().name, 'baseline');
});

t.test('R22: suspended turns mobile data off, and back on when lifted', async (t) => {
  const { clock, modem, service, acks } = await setup(t);
  const base = { profile: 'baseline' as const, downKbps: 128, upKbps: 64, until: null, boostId: null, issuedAt: START };
  await service.handleDesired(encodeMessage('desired', desired({ ...base, seq: 2, suspended: true })));
  t.equal(modem.callsOf('setDataAllowed').at(-1), false);
  t.match(acks[0], { seq: 2, outcome: 'applied' });
  t.equal(service.applied().suspended, true);
  t.equal(service.dataAllowed(), false);
  await service.handleDesired(encodeMessage('desired', desired({ ...base, seq: 3, suspended: false })));
  t.equal(modem.callsOf('setDataAllowed').at(-1), true);
  void clock;
});

t.test('R22 across a restart: still suspended at start-up', async (t) => {
  const first = await setup(t);
  const base = { profile: 'baseline' as const, downKbps: 128, upKbps: 64, until: null, boostId: null, issuedAt: START };
  await first.service.handleDesired(encodeMessage('desired', desired({ ...base, seq: 2, suspended: true })));
  await first.service.stop();
  const modem = new FakeModem();
  await setup(t, { dir: first.dir, clock: first.clock, modem });
  t.same(modem.callsOf('setDataAllowed'), [false]);
});

t.test('R9: at the cap a running boost drops to the baseline; a new boost is refused; next month it is back', async (t) => {
  const { clock, modem, service, acks, events } = await setup(t);
  modem.setState('connected');
  await service.handleDesired(boost(4, clock, 48));
  await service.setCapReached(true);
  t.equal(service.applied().name, 'baseline');
  t.same(modem.callsOf('requestRates').at(-1), PROFILES.baseline);
  t.match(events.at(-1), { type: 'profile-applied', profile: 'baseline' });
  await service.handleDesired(boost(5, clock));
  t.match(acks.at(-1), { seq: 5, outcome: 'rejected', reason: /fair-use cap/ });
  await service.setCapReached(false);
  t.equal(service.applied().name, 'boost', 'the boost still has time left');
  t.same(modem.callsOf('requestRates').at(-1), PROFILES.boost);
});
