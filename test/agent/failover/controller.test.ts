// The failover controller's wiring with a test clock: it asks the stick for a session at the
// decision, lets it go after the stability time (its own wake-up), and runs the probes only
// while the line may carry traffic.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import { FailoverController } from '../../../agent/failover/controller.js';
import { DEFAULT_FAILOVER_SETTINGS, type PathChange } from '../../../agent/failover/machine.js';
import { FakeModem } from '../helpers/fake-modem.js';
import { observation } from './harness.js';

function setup() {
  const clock = new TestClock('2026-03-10T09:00:00Z');
  const modem = new FakeModem();
  const changes: PathChange[] = [];
  let probeRounds = 0;
  let internet = true;
  const controller = new FailoverController({
    clock,
    log: silentLogger(),
    settings: DEFAULT_FAILOVER_SETTINGS,
    modem,
    dataAllowed: true,
    probe: { targets: [], quorum: 2, intervalMs: 2_000, timeoutMs: 1_500 },
    onPathChange: (c) => changes.push(c),
    onChange: () => {},
    runProbe: async () => {
      probeRounds++;
      return { passed: internet, reachable: internet ? 3 : 0, total: 3, evidence: internet ? '3/3 targets reachable' : '0/3 targets reachable' };
    },
  });
  controller.start();
  const poll = async (kind: Parameters<typeof observation>[0], ms: number) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 250) {
      controller.observeLine(observation(kind), clock.now());
      await clock.advanceAsync(250);
    }
  };
  return { clock, modem, controller, changes, poll, probes: () => probeRounds, cutInternet: () => (internet = false) };
}

t.test('decision, session, failback by its own timer, session let go', async (t) => {
  const { modem, controller, changes, poll, clock } = setup();
  await poll('up', 2_000);
  await poll('down', 1_000);
  t.same(changes.map((c) => c.type), ['failover']);
  t.same(modem.callsOf('setSessionWanted'), [true]);
  modem.setState('connected');
  await poll('up', 1_000);
  // No more polls: the controller's own wake-up decides the failback on time.
  await clock.advanceAsync(DEFAULT_FAILOVER_SETTINGS.failbackStableMs);
  t.same(changes.map((c) => c.type), ['failover', 'failback']);
  t.same(modem.callsOf('setSessionWanted'), [true, false]);
  await controller.stop();
});

t.test('probes run while the line is up, stop while it is down, and catch "no internet"', async (t) => {
  const { controller, changes, poll, probes, cutInternet } = setup();
  await poll('up', 5_000);
  const whileUp = probes();
  t.ok(whileUp >= 2, `probing while up (${whileUp} rounds)`);
  await poll('down', 10_000);
  const whileDown = probes();
  t.ok(whileDown - whileUp <= 1, 'no probing while the line is down');
  await poll('up', 40_000);
  t.equal(changes.at(-1)!.type, 'failback');
  cutInternet();
  await poll('up', 8_000);
  t.equal(changes.at(-1)!.type, 'failover');
  t.equal(changes.at(-1)!.reason, 'DSL up but no internet');
  await controller.stop();
});

t.test('the stick lost on mobile is seen through its lost event', async (t) => {
  const { modem, controller, changes, poll } = setup();
  await poll('up', 1_000);
  await poll('down', 1_000);
  modem.setState('connected');
  modem.emit({ type: 'lost', reason: 'the terminal closed' });
  t.same(changes.map((c) => `${c.type}:${c.to}`), ['failover:mobile', 'outage:none']);
  await controller.stop();
});
