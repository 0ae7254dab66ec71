// Fault: the UMTS stick is pulled out while the agent waits for its answer to a command (the QoS
// request of a boost, +CGEQREQ). The agent does not crash: the command fails, the boost is held
// (not acked yet: R6 confirms a boost only once the speed has been raised), the loss is logged as a warning that says what happened, and
// when the stick is back the agent finds it, returns to mobile and puts the boost to the stick. The
// stick unplugged and replugged between commands is in test/e2e/agent-stick.test.ts; the
// modem's own recovery in test/agent/modem/hil/recovery.test.ts. Also here: the meter counts a
// restarted stick's counters from zero (R9; a regression found by the soak).
import { join } from 'node:path';
import t from 'tap';
import { TestClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/log.js';
import { startAgent } from '../../agent/main.js';
import { MeterService } from '../../agent/meter/meter-service.js';
import { startTestBroker } from '../helpers/broker.js';
import { desired } from '../fixtures/messages.js';
import { FakeModem } from '../agent/helpers/fake-modem.js';
import { startRig, statusWhere, until } from '../agent/helpers/agent-rig.js';
import { tempDir } from '../agent/helpers/temp.js';
import { capturedLog } from './helpers/captured-log.js';

const HOUR = 3_600_000;

t.test('stick pulled out during the QoS command of a boost: held, no crash, clear log, in force once the stick is back', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  const captured = capturedLog();
  const agent = await startAgent(rig.config, { log: captured.log });
  rig.closers.push(() => agent.stop());
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.modem.state === 'registered', 60_000);
  rig.sim.router!.setLine('down');
  await statusWhere(rig, 'on mobile', (s) => s.activePath === 'mobile' && s.modem.state === 'connected', 60_000);

  // The stick will take two seconds to answer; it is pulled out as soon as the request is in.
  stick.setAnswerDelay(2_000);
  const index = stick.commands().length;
  const now = Date.now();
  await rig.server.publishDesired(desired({ seq: 1, issuedAt: new Date(now).toISOString(), until: new Date(now + 24 * HOUR).toISOString(), boostId: 'boost-unplug' }));
  await stick.waitForCommand('+CGEQREQ', { sinceIndex: index, timeoutMs: 30_000 });
  await stick.unplug();
  stick.setAnswerDelay(0);

  // The agent holds the boost and puts it into force when the stick is back (its design: a
  // moment of the stick's must not lose the server's intent); it acks only then (R6).
  await rig.server.waitFor('modem-lost', () => rig.server.of('events').find((e) => e.type === 'modem-lost'));
  t.notOk(rig.server.of('acks').some((a) => a.seq === 1), 'no ack while the stick is away');
  t.ok(agent.status(), 'the agent still answers');

  const lost = captured.find((line) => line.msg === 'UMTS stick lost');
  t.ok(lost, 'the loss is logged');
  t.equal(lost?.level, 40, 'as a warning');
  t.match(lost?.['reason'], /went away \(unplugged or reset\)/, `with its cause in words: ${String(lost?.['reason'])}`);
  t.notOk(captured.lines.some((line) => line.level >= 60), 'nothing fatal');

  const replugged = stick.commands().length;
  await stick.replug();
  await rig.server.waitFor('modem-found', () => rig.server.of('events').find((e) => e.type === 'modem-found'), 60_000);
  await statusWhere(rig, 'mobile and connected again', (s) => s.activePath === 'mobile' && s.modem.state === 'connected', 60_000);
  const boostRates = /\+CGEQREQ=\d+,\d+,14\d\d,3[56]\d\d/;
  await until('the held boost put to the replugged stick', () => stick.commands().slice(replugged).some((c) => boostRates.test(c)), 30_000).catch(() => {
    throw new Error(`no boost QoS request after the replug; commands: ${stick.commands().slice(replugged).join(' | ')}`);
  });
  await statusWhere(rig, 'the boost in the status', (s) => s.profile.name === 'boost' && s.profile.boostId === 'boost-unplug', 30_000);
  t.pass('the boost is in force on the replugged stick');
  const ack = await rig.server.waitFor('the ack', () => rig.server.of('acks').find((a) => a.seq === 1));
  t.match(ack, { outcome: 'applied', boostId: 'boost-unplug' }, 'acked once the replugged stick took it');
  t.equal(rig.server.of('acks').filter((a) => a.seq === 1).length, 1, 'once');
});

t.test('R9: a stick that restarts after a short session is counted from zero, not from its old counters', async (t) => {
  const dir = await tempDir(t);
  const clock = new TestClock('2026-03-10T09:00:00Z');
  const modem = new FakeModem();
  modem.clock = clock;
  modem.setState('connected');
  const reported: number[] = [];
  const meter = await MeterService.open({
    modem,
    clock,
    log: silentLogger(),
    file: join(dir, 'meter.json'),
    capBytes: 5_000_000_000,
    persistIntervalMs: 60_000,
    maxBytesPerSecond: 450_000,
    report: async ({ usage }) => void reported.push(...usage.map((u) => u.upBytes + u.downBytes)),
  });
  meter.start();
  await clock.advanceAsync(1_000);
  modem.traffic(100_000, 900_000, 60); // a one-minute session: 1 MB
  await clock.advanceAsync(60_000);
  modem.restart(); // the stick restarts: its counters start again from zero
  await clock.advanceAsync(90_000);
  modem.traffic(200_000, 1_800_000, 90); // a new session, longer and bigger than the first: 2 MB
  await meter.stop(100);
  t.same(meter.current(), { period: '2026-03', upBytes: 300_000, downBytes: 2_700_000 }, 'both sessions counted in full');
  t.equal(reported.at(-1), 3_000_000, 'and reported');
});
