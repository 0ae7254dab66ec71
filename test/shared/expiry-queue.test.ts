import t from 'tap';
import { TestClock } from '../../shared/clock.js';
import { ExpiryQueue } from '../../shared/expiry-queue.js';

function setup(maxSleepMs?: number) {
  const clock = new TestClock(0);
  const expired: Array<[string, number]> = [];
  const queue = new ExpiryQueue<string>(clock, (key) => expired.push([key, clock.now()]), maxSleepMs ? { maxSleepMs } : {});
  return { clock, queue, expired };
}

t.test('expiries fire in time order, each at its due time, from one timer', async (t) => {
  const { clock, queue, expired } = setup();
  queue.schedule('c', 3_000);
  queue.schedule('a', 1_000);
  queue.schedule('b', 2_000);
  t.equal(clock.pendingTimers, 1, 'one armed timer for three expiries');
  clock.advance(10_000);
  t.same(expired, [['a', 1_000], ['b', 2_000], ['c', 3_000]]);
  t.equal(queue.size, 0);
  t.equal(clock.pendingTimers, 0, 'nothing armed once empty');
});

t.test('rescheduling moves an expiry; cancelling removes it', async (t) => {
  const { clock, queue, expired } = setup();
  queue.schedule('boost-1', 5_000);
  queue.schedule('boost-2', 6_000);
  queue.schedule('boost-1', 8_000);
  t.equal(queue.cancel('boost-2'), true);
  t.equal(queue.cancel('boost-2'), false, 'a second cancel finds nothing');
  clock.advance(7_000);
  t.same(expired, [], 'the moved and the cancelled expiry did not fire early');
  t.equal(queue.dueAt('boost-1'), 8_000);
  clock.advance(1_000);
  t.same(expired, [['boost-1', 8_000]]);
});

t.test('an expiry already in the past fires on the next check', async (t) => {
  const { clock, queue, expired } = setup();
  clock.advance(10_000);
  queue.schedule('late', 1_000);
  clock.advance(0);
  t.same(expired, [['late', 10_000]]);
});

t.test('after a wall-clock step the expiry is off by at most the re-check interval', async (t) => {
  const forward = setup(60_000);
  forward.queue.schedule('x', 3_600_000);
  forward.clock.jump(3_600_000); // the wall clock jumps an hour ahead
  forward.clock.advance(60_000);
  t.equal(forward.expired.length, 1, 'a forward step: fired within a minute of the step');
  t.ok(forward.expired[0]![1] - 3_600_000 <= 60_000);

  const back = setup(60_000);
  back.queue.schedule('y', 3_600_000);
  back.clock.advance(1_800_000);
  back.clock.jump(-600_000); // ten minutes back
  back.clock.advance(3_000_000);
  t.equal(back.expired.length, 1);
  t.ok(back.expired[0]![1] >= 3_600_000 && back.expired[0]![1] - 3_600_000 <= 60_000, 'a backward step: never early, at most a minute late');
});

t.test('many cancellations do not leave the heap growing without bound', async (t) => {
  const { clock, queue, expired } = setup();
  for (let i = 0; i < 20_000; i++) {
    queue.schedule(`k${i}`, 1_000_000 + i);
    queue.cancel(`k${i}`);
  }
  queue.schedule('kept', 2_000_000);
  const heapSize = (queue as unknown as { heap: unknown[] }).heap.length;
  t.ok(heapSize < 3_000, `heap holds ${heapSize} entries for 1 live key`);
  clock.advance(2_000_000);
  t.same(expired, [['kept', 2_000_000]]);
});

t.test('a random workload expires exactly the live keys, in order', async (t) => {
  const { clock, queue, expired } = setup();
  const live = new Map<string, number>();
  let seed = 7;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 5_000; i++) {
    const key = `k${Math.floor(rand() * 800)}`;
    if (rand() < 0.25) {
      queue.cancel(key);
      live.delete(key);
    } else {
      const at = Math.floor(rand() * 1_000_000) + 1;
      queue.schedule(key, at);
      live.set(key, at);
    }
  }
  clock.advance(2_000_000);
  t.equal(expired.length, live.size, 'each live key fired once');
  for (const [key, firedAt] of expired) t.equal(firedAt, live.get(key), `${key} fired at its due time`);
  const times = expired.map(([, at]) => at);
  t.same(times, [...times].sort((a, b) => a - b), 'in time order');
});
