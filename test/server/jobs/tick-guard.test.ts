// Issue 10: a scheduled sweep runs once per tick across server instances sharing one database.
// Three store handles stand for three instances (on SQLite they share one file; there the claim
// in job_runs alone decides, since a SQLite deployment runs one instance).
import t from 'tap';
import { withClusterLock } from '../../../server/db/cluster-lock.js';
import { openDatabase, type DatabaseHandle } from '../../../server/db/database.js';
import { runOncePerTick } from '../../../server/jobs/tick-guard.js';
import { testDatabase } from '../../helpers/database.js';

const T = Date.parse('2026-03-10T09:00:00Z');
const now = () => T;

async function instances(t: { teardown(fn: () => unknown): void }, count: number): Promise<DatabaseHandle[]> {
  const database = await testDatabase(t);
  const handles: DatabaseHandle[] = [];
  for (let i = 0; i < count; i++) {
    const handle = await openDatabase(database.settings, { migrate: i === 0 });
    t.teardown(() => handle.close());
    handles.push(handle);
  }
  return handles;
}

t.test('each tick of a job runs on exactly one instance', async (t) => {
  const [a, b, c] = await instances(t, 3);
  let runs = 0;
  const work = async () => {
    runs++;
    await new Promise((resolve) => setImmediate(resolve));
  };
  const outcomes = await Promise.all([a!, b!, c!].map((store) => runOncePerTick(store, 'boost-expiry-sweep', T, now, work)));
  t.equal(outcomes.filter((o) => o === 'ran').length, 1, 'one of three ran it');
  t.equal(runs, 1);
  t.equal(await runOncePerTick(b!, 'boost-expiry-sweep', T, now, work), 'skipped', 'the same tick again: skipped');
  t.equal(await runOncePerTick(c!, 'boost-expiry-sweep', T + 60_000, now, work), 'ran', 'the next tick runs');
  t.equal(await runOncePerTick(a!, 'boost-expiry-sweep', T, now, work), 'skipped', 'a late timer for an older tick: skipped');
  t.equal(await runOncePerTick(a!, 'month-rollover', T, now, work), 'ran', 'another job has ticks of its own');
  t.equal(await runOncePerTick(a!, 'boost-expiry-sweep', null, now, work), 'ran', 'the catch-up at start claims no tick');
  t.equal(runs, 4);
});

t.test('PostgreSQL: the cluster lock', { skip: process.env['SP_DATABASE_URL'] ? false : 'needs SP_DATABASE_URL=postgres://… (advisory locks)' }, async (t) => {
  const [a, b] = await instances(t, 2);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const first = runOncePerTick(a!, 'contract-ends', T, now, async () => {
    started();
    await held;
  });
  await running;
  t.equal(await runOncePerTick(b!, 'contract-ends', T + 60_000, now, async () => {}), 'skipped', 'a tick while another instance still runs the job is skipped');
  const order: string[] = [];
  const waiting = withClusterLock(b!, 'job:contract-ends', { wait: true }, async () => order.push('waiter'));
  const other = await withClusterLock(b!, 'job:swap-sla-watch', { wait: false }, async () => 'free');
  t.same(other, { ran: true, value: 'free' }, 'another lock is independent');
  order.push('holder done');
  release();
  t.equal(await first, 'ran');
  await waiting;
  t.same(order, ['holder done', 'waiter'], 'a waiting lock runs after the holder');
});
