// Fault: the agent's wall clock steps forward or back (NTP after a boot without RTC, a user)
// while a boost runs. R5: the boost ends at its wall-clock `until`, never more than a minute
// early or late. Timers run on monotonic time (TestClock.jump shifts them with the step, as Node's
// timers do); the agent's ExpiryQueue sleeps at most 60 s before looking at the wall clock again,
// which bounds the error. The queue alone is tested in test/shared/expiry-queue.test.ts; this is
// the agent's ProfileService on top of it, with the state file on disk.
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { TestClock } from '../../shared/clock.js';
import { encodeMessage } from '../../shared/contract/index.js';
import { silentLogger } from '../../shared/log.js';
import { PROFILES } from '../../shared/service.js';
import { ProfileService, type ProfileEvent } from '../../agent/profile/profile-service.js';
import { desired } from '../fixtures/messages.js';
import { FakeModem } from '../agent/helpers/fake-modem.js';
import { tempDir } from '../agent/helpers/temp.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function boosted(t: Test) {
  const dir = await tempDir(t);
  const clock = new TestClock('2026-03-10T09:00:00.000Z');
  const modem = new FakeModem();
  modem.clock = clock;
  modem.setState('connected');
  const events: ProfileEvent[] = [];
  const service = await ProfileService.open({
    modem,
    clock,
    log: silentLogger(),
    file: join(dir, 'profile.json'),
    holdBaselineAtCap: true,
    sendAck: async () => {},
    sendEvent: async (event) => void events.push(event),
    onChange: () => {},
  });
  service.start();
  await clock.advanceAsync(0);
  const until = clock.now() + 24 * HOUR; // R5
  await service.handleDesired(
    encodeMessage('desired', desired({ seq: 3, issuedAt: new Date(clock.now()).toISOString(), until: new Date(until).toISOString(), boostId: 'boost-jump' })),
  );
  t.equal(service.applied().name, 'boost');
  t.teardown(() => service.stop());
  // The service runs its operations in one chain; a no-op on it resolves once the expiry (with its
  // real file write) is done.
  const drained = () => service.setCapReached(false);
  const expired = () => events.find((e) => e.type === 'profile-expired');
  /** Lets wall time pass a minute at a time until the boost ended; returns the wall time it ended at. */
  const runUntilExpired = async (limitMs: number): Promise<number | null> => {
    for (let passed = 0; passed <= limitMs && !expired(); passed += MINUTE) {
      await clock.advanceAsync(MINUTE);
      await drained();
    }
    return expired()?.at ?? null;
  };
  const expiredCount = () => events.filter((e) => e.type === 'profile-expired').length;
  return { clock, modem, service, until, expired, expiredCount, runUntilExpired };
}

t.test('forward past the end: the boost ends within a minute of the step', async (t) => {
  const { clock, modem, service, until, runUntilExpired } = await boosted(t);
  await clock.advanceAsync(23 * HOUR);
  t.equal(service.applied().name, 'boost', 'still boosted an hour before the end');
  clock.jump(2 * HOUR); // wall time now an hour past `until`; the armed timer still waits its sleep
  const stepAt = clock.now();
  const endedAt = await runUntilExpired(5 * MINUTE);
  t.ok(endedAt !== null, 'the boost ended');
  t.ok(endedAt! - stepAt <= MINUTE, `ended ${(endedAt! - stepAt) / 1000} s after the step (at most 60 s)`);
  t.ok(endedAt! >= until, 'never before its wall-clock end');
  t.equal(service.applied().name, 'baseline');
  t.same(modem.callsOf('requestRates').at(-1), PROFILES.baseline, 'the stick is back at the baseline (R3)');
});

t.test('back by two hours: the boost does not end early, and ends within a minute of `until`', async (t) => {
  const { clock, service, until, expired, runUntilExpired } = await boosted(t);
  await clock.advanceAsync(1 * HOUR);
  clock.jump(-2 * HOUR);
  // 24 h of monotonic time after the grant the old timer would have fired; the wall clock says 22 h.
  await clock.advanceAsync(24 * HOUR - 1 * HOUR - MINUTE);
  await service.setCapReached(false);
  t.notOk(expired(), 'not ended when 24 h of elapsed time passed but the wall clock is 2 h short');
  t.equal(service.applied().name, 'boost');
  const endedAt = await runUntilExpired(3 * HOUR);
  t.ok(endedAt !== null, 'the boost ended');
  t.ok(endedAt! >= until && endedAt! - until <= MINUTE, `ended ${(endedAt! - until) / 1000} s after until (0 to 60 s)`);
});

t.test('forward by half an hour mid-boost: ends at the wall-clock until, within a minute', async (t) => {
  const { clock, service, until, expired, runUntilExpired } = await boosted(t);
  await clock.advanceAsync(10 * HOUR);
  clock.jump(30 * MINUTE);
  await clock.advanceAsync(until - clock.now() - MINUTE);
  await service.setCapReached(false);
  t.notOk(expired(), 'not a minute before until');
  const endedAt = await runUntilExpired(HOUR);
  t.ok(endedAt! >= until && endedAt! - until <= MINUTE, `ended ${(endedAt! - until) / 1000} s after until (0 to 60 s)`);
});

t.test('back and forth around the end: ended exactly once', async (t) => {
  const { clock, service, until, expiredCount, runUntilExpired } = await boosted(t);
  await clock.advanceAsync(until - clock.now() - MINUTE);
  const endedAt = await runUntilExpired(3 * MINUTE);
  t.ok(endedAt !== null && endedAt >= until && endedAt - until <= MINUTE, 'ended on time');
  clock.jump(-HOUR); // the wall clock goes back into the boost's time: the boost does not come back
  await clock.advanceAsync(2 * HOUR);
  await service.setCapReached(false);
  t.equal(expiredCount(), 1, 'the end is announced once');
  t.equal(service.applied().name, 'baseline', 'still the baseline after the clock went back');
});
