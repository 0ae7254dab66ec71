import t from 'tap';
import { TestClock, systemClock } from '../../shared/clock.js';

t.test('TestClock runs timers in due order with now() at each due time', async (t) => {
  const clock = new TestClock('2026-01-01T00:00:00Z');
  const start = clock.now();
  const seen: string[] = [];
  clock.setTimeout(() => seen.push(`b@${clock.now() - start}`), 200);
  clock.setTimeout(() => seen.push(`a@${clock.now() - start}`), 100);
  clock.setTimeout(() => seen.push(`c@${clock.now() - start}`), 200);
  clock.advance(150);
  t.same(seen, ['a@100'], 'only the due timer ran');
  t.equal(clock.now() - start, 150);
  clock.advance(100);
  t.same(seen, ['a@100', 'b@200', 'c@200'], 'equal due times run in the order they were set');
});

t.test('a timer set by a timer runs in the same advance when due', async (t) => {
  const clock = new TestClock();
  let fired = 0;
  clock.setTimeout(() => clock.setTimeout(() => fired++, 50), 50);
  clock.advance(100);
  t.equal(fired, 1);
});

t.test('cancel stops a timer; cancelling twice is harmless', async (t) => {
  const clock = new TestClock();
  let fired = false;
  const cancel = clock.setTimeout(() => (fired = true), 10);
  cancel();
  cancel();
  clock.advance(20);
  t.equal(fired, false);
  t.equal(clock.pendingTimers, 0);
});

t.test('jump moves the wall clock without running timers, which stay relative', async (t) => {
  const clock = new TestClock(0);
  let firedAt = -1;
  clock.setTimeout(() => (firedAt = clock.now()), 1_000);
  clock.jump(3_600_000);
  t.equal(firedAt, -1, 'a forward jump runs nothing');
  clock.advance(1_000);
  t.equal(firedAt, 3_601_000, 'the timer ran one second of elapsed time later');
  clock.set(0);
  t.equal(clock.now(), 0, 'set() can go back');
});

t.test('advanceAsync lets promises settle between timers', async (t) => {
  const clock = new TestClock();
  const steps: string[] = [];
  clock.setTimeout(async () => {
    await Promise.resolve();
    steps.push('awaited');
    clock.setTimeout(() => steps.push('second'), 10);
  }, 10);
  await clock.advanceAsync(30);
  t.same(steps, ['awaited', 'second']);
});

t.test('the system clock tells real time and runs real timers', async (t) => {
  t.ok(Math.abs(systemClock.now() - Date.now()) < 1000);
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
  let fired = false;
  systemClock.setTimeout(() => (fired = true), 1)();
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.equal(fired, false, 'a cancelled system timer does not run');
});

t.test('a bad start time is refused', async (t) => {
  t.throws(() => new TestClock('not a date'), /bad start time/);
});
