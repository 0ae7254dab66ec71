// The recovery ladder: re-query → re-register → +CFUN reset → reopen, with back-off, in the
// pure machine and in the ladder's own arithmetic.
import t from 'tap';
import { backoffMs, climb } from '../../../../agent/modem/machine/ladder.js';
import { CONFIG, Harness, IDENTITY, REGISTERED, SEARCHING, timeout } from '../helpers/machine-harness.js';

t.test('a hung stick: re-query twice, +CFUN reset twice, then reopen, backing off', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.fire('poll');
  h.failed('poll', timeout());
  const steps: string[] = [];
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    delays.push(h.delay('ladder')!);
    const effects = h.fire('ladder');
    const reset = h.ofType('reset', effects)[0]!;
    steps.push(reset.step);
    if (i < 2) t.equal(h.public, 'connected', 're-query keeps the state others see');
    else t.equal(h.public, 'initialising');
    h.failed(h.runs(effects)[0]!, timeout());
  }
  t.same(steps, ['re-query', 're-query', 'cfun-reset', 'cfun-reset'], 'a silent stick skips re-register');
  t.same(delays, [1000, 2000, 4000, 8000]);
  const reopen = h.fire('ladder');
  t.match(h.ofType('reset', reopen), [{ step: 'reopen' }]);
  const generation = h.state.generation;
  t.match(h.ofType('close', reopen), [{ generation: generation - 1 }]);
  t.match(h.ofType('open', reopen), [{ generation }]);
  t.equal(h.public, 'initialising');
  // The reopened port is as silent: reopen again, the back-off at its growth.
  h.send({ type: 'opened', generation });
  h.failed('init', timeout());
  t.match(h.state.ladder, { step: 'reopen', attempts: 2 });
  t.equal(h.delay('ladder'), 32_000);
  // It answers at last: back in business, the session too (still wanted).
  h.fire('ladder');
  h.send({ type: 'opened', generation: h.state.generation });
  t.same(h.runs(h.initialise(REGISTERED)), ['dial']);
  t.equal(h.state.ladder, null, 'the climb is over');
});

t.test('a re-query that gets an answer ends the climb', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.fire('poll');
  h.failed('poll', timeout());
  h.fire('ladder');
  h.done({ kind: 'poll', report: REGISTERED });
  t.equal(h.state.ladder, null);
  t.equal(h.public, 'registered');
  t.equal(h.state.timeoutsInARow, 0);
});

t.test('the session survives a re-query that finds it up', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.fire('poll');
  h.failed('poll', timeout());
  h.fire('ladder');
  h.done({ kind: 'poll', report: { ...REGISTERED, session: true } });
  t.equal(h.public, 'connected');
});

t.test('+CFUN reset that answers OK: the stick settles, then init again', async (t) => {
  const h = new Harness({ ...CONFIG, recovery: { ...CONFIG.recovery, attempts: { reQuery: 0, reRegister: 0, cfunReset: 1 } } });
  h.powerUp();
  h.fire('poll');
  h.failed('poll', timeout());
  t.match(h.state.ladder, { step: 'cfun-reset' }, 'rungs with no attempts are skipped');
  h.fire('ladder');
  h.done({ kind: 'restart' });
  t.equal(h.public, 'initialising');
  t.equal(h.delay('settle'), CONFIG.timing.settleMs);
  t.same(h.runs(h.fire('settle')), ['init']);
});

t.test('+CFUN=1,1 re-enumerates the USB device: the path is polled, found again', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.fire('poll');
  h.failed('poll', timeout());
  h.fire('ladder');
  h.failed('poll', timeout());
  h.fire('ladder');
  h.failed('poll', timeout());
  h.fire('ladder'); // cfun-reset
  h.done({ kind: 'restart' });
  h.send({ type: 'closed', generation: h.state.generation, reason: 'device closed' });
  t.equal(h.public, 'absent');
  h.fire('reopen');
  h.send({ type: 'opened', generation: h.state.generation });
  h.initialise(REGISTERED);
  t.equal(h.public, 'registered');
  t.equal(h.state.ladder, null);
});

t.test('ModemManager\'s rule: after 10 timeouts in a row the port is given up at once', async (t) => {
  const generous = { ...CONFIG, recovery: { ...CONFIG.recovery, attempts: { reQuery: 50, reRegister: 1, cfunReset: 1 } } };
  const h = new Harness(generous);
  h.powerUp();
  h.fire('poll');
  h.failed('poll', timeout());
  for (let i = 0; i < 8; i++) {
    h.fire('ladder');
    h.failed('poll', timeout());
  }
  t.match(h.state.ladder, { step: 're-query' });
  t.equal(h.state.timeoutsInARow, 9);
  h.fire('ladder');
  h.failed('poll', timeout());
  t.match(h.state.ladder, { step: 'reopen' });
});

t.test('searching too long: re-register, then a reset, then only polling', async (t) => {
  const h = new Harness();
  h.powerUp(SEARCHING);
  /** Still searching at the next poll after the register timeout. */
  const stillSearching = () => {
    h.now += CONFIG.timing.registerTimeoutMs;
    h.fire('poll');
    return h.done({ kind: 'poll', report: SEARCHING });
  };
  const reset = () => {
    t.same(h.runs(h.fire('ladder')), ['restart']);
    h.done({ kind: 'restart' });
    h.fire('settle');
    h.initialise(SEARCHING);
  };
  stillSearching();
  t.match(h.state.ladder, { kind: 'unregistered', step: 're-register' });
  t.equal(h.public, 'searching');
  t.same(h.runs(h.fire('ladder')), ['re-register']);
  h.done({ kind: 're-register', report: SEARCHING });
  t.equal(h.public, 'searching');
  stillSearching();
  t.match(h.state.ladder, { step: 'cfun-reset', attempts: 1 });
  reset();
  stillSearching();
  t.match(h.state.ladder, { step: 'cfun-reset', attempts: 2 }, 'a second reset');
  reset();
  const effects = stillSearching();
  t.same(h.ofType('reset', effects), []);
  t.equal(h.delay('ladder'), undefined, 'no further rung: no coverage is not the stick\'s fault');
  t.equal(h.delay('poll'), CONFIG.timing.searchPollMs, 'it keeps looking');
  h.urc({ type: 'registration', domain: 'ps', registration: 'home' });
  t.equal(h.public, 'registered');
  t.equal(h.state.ladder, null);
});

t.test('ladder arithmetic', async (t) => {
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, CONFIG)),
    [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000],
  );
  const first = climb(null, 'failure', 'x', 1, CONFIG)!;
  t.match(first, { step: 're-query', attempts: 1, total: 1 });
  const second = climb(first, 'failure', 'x', 0, CONFIG)!;
  t.match(second, { step: 're-query', attempts: 2, total: 2 });
  t.match(climb(second, 'failure', 'x', 0, CONFIG), { step: 're-register', attempts: 1, total: 3 });
  t.match(climb(second, 'timeout', 'x', 2, CONFIG), { step: 'cfun-reset', attempts: 1 });
  t.match(climb(null, 'unregistered', 'x', 0, CONFIG), { step: 're-register' });
  t.match(climb(null, 'failure', 'x', 0, CONFIG, 're-register'), { step: 're-register' });
  t.equal(climb({ kind: 'unregistered', step: 'cfun-reset', attempts: 2, total: 3, reason: 'x' }, 'unregistered', 'x', 0, CONFIG), null);
  t.match(climb({ kind: 'timeout', step: 'reopen', attempts: 5, total: 9, reason: 'x' }, 'timeout', 'x', 3, CONFIG), { step: 'reopen', attempts: 6, total: 10 });
});
