// The modem machine from power-up to registered (warm standby, R2), the SIM and its PIN,
// registration changes, and a lost device. Pure: inputs in, state and effects out.
import t from 'tap';
import { CONFIG, Harness, IDENTITY, REGISTERED, SEARCHING, timeout } from '../helpers/machine-harness.js';

t.test('power-up without a PIN reaches registered and keeps polling (warm standby, R2)', async (t) => {
  const h = new Harness();
  t.same(h.runs(h.send({ type: 'start' })), []);
  t.same(h.ofType('open').length, 1, 'opens the device');
  t.same(h.runs(h.send({ type: 'opened', generation: h.state.generation })), ['init']);
  const afterInit = h.done({ kind: 'init', identity: IDENTITY });
  t.same(h.ofType('found', afterInit), [{ type: 'found', identity: IDENTITY }]);
  t.same(h.runs(afterInit), ['sim']);
  t.same(h.runs(h.done({ kind: 'sim', sim: 'ready' })), ['setup']);
  h.done({ kind: 'setup', report: REGISTERED });
  t.equal(h.public, 'registered');
  t.same(h.states, ['absent', 'initialising', 'registered']);
  t.same(h.state.radio, { cs: 'home', ps: 'home', operator: 'KPN NL', technology: 'hspa', signalDbm: -73 });
  t.equal(h.delay('poll'), CONFIG.timing.standbyPollMs);
  t.same(h.runs(h.fire('poll')), ['poll'], 'the standby poll');
  h.done({ kind: 'poll', report: { ...REGISTERED, signalDbm: -81 } });
  t.equal(h.state.radio.signalDbm, -81);
  t.equal(h.delay('poll'), CONFIG.timing.standbyPollMs, 'and the next one');
  t.notOk(h.pending('dial'), 'no session while none is wanted');
});

t.test('a SIM that asks for its PIN gets the configured one, once', async (t) => {
  const h = new Harness({ ...CONFIG, hasPin: true });
  h.send({ type: 'start' });
  h.send({ type: 'opened', generation: h.state.generation });
  h.done({ kind: 'init', identity: IDENTITY });
  t.same(h.runs(h.done({ kind: 'sim', sim: 'pin' })), ['unlock']);
  t.same(h.runs(h.done({ kind: 'unlock' })), ['sim']);
  t.same(h.runs(h.done({ kind: 'sim', sim: 'ready' })), ['setup']);
  h.done({ kind: 'setup', report: REGISTERED });
  t.equal(h.public, 'registered');
  t.notOk(h.states.includes('sim-locked'));
});

t.test('no PIN configured: sim-locked, and nothing is sent to the SIM', async (t) => {
  const h = new Harness();
  h.openAndInit();
  t.same(h.runs(h.done({ kind: 'sim', sim: 'pin' })), []);
  t.equal(h.public, 'sim-locked');
  t.match(h.phase, { name: 'sim-locked', reason: 'pin-required' });
  t.same(h.runs(h.fire('sim-recheck')), ['sim'], 'looks again later (a SIM swap)');
});

t.test('a wrong PIN is never sent twice (each try burns one of three)', async (t) => {
  const h = new Harness({ ...CONFIG, hasPin: true });
  h.openAndInit();
  h.done({ kind: 'sim', sim: 'pin' });
  h.failed('unlock', { code: 'cme', cme: 'incorrect-password', message: '+CME ERROR 16' });
  t.match(h.phase, { name: 'sim-locked', reason: 'pin-rejected' });
  h.fire('sim-recheck');
  t.same(h.runs(h.done({ kind: 'sim', sim: 'pin' })), [], 'no unlock on the recheck');
  // Even after the stick is lost and found again.
  h.send({ type: 'closed', generation: h.state.generation, reason: 'unplugged' });
  h.fire('reopen');
  h.send({ type: 'opened', generation: h.state.generation });
  h.done({ kind: 'init', identity: IDENTITY });
  t.same(h.runs(h.done({ kind: 'sim', sim: 'pin' })), []);
  t.equal(h.public, 'sim-locked');
});

t.test('PIN accepted but the SIM still asks: taken as a wrong PIN', async (t) => {
  const h = new Harness({ ...CONFIG, hasPin: true });
  h.openAndInit();
  h.done({ kind: 'sim', sim: 'pin' });
  h.done({ kind: 'unlock' });
  t.same(h.runs(h.done({ kind: 'sim', sim: 'pin' })), []);
  t.match(h.phase, { name: 'sim-locked', reason: 'pin-rejected' });
});

t.test('PUK, no SIM, SIM failure: sim-locked with the reason', async (t) => {
  for (const [sim, reason] of [['puk', 'puk-required'], ['absent', 'no-sim'], ['failure', 'sim-failure']] as const) {
    const h = new Harness({ ...CONFIG, hasPin: true });
    h.openAndInit();
    t.same(h.runs(h.done({ kind: 'sim', sim })), [], sim);
    t.match(h.phase, { name: 'sim-locked', reason }, sim);
  }
});

t.test('SIM busy after power-up (+CME 14): asks again after a moment', async (t) => {
  const h = new Harness();
  h.openAndInit();
  t.same(h.runs(h.done({ kind: 'sim', sim: 'busy' })), []);
  t.equal(h.public, 'initialising');
  t.equal(h.delay('retry-sim'), CONFIG.timing.simRetryMs);
  t.same(h.runs(h.fire('retry-sim')), ['sim']);
  h.done({ kind: 'sim', sim: 'ready' });
  h.done({ kind: 'setup', report: REGISTERED });
  t.equal(h.public, 'registered');
});

t.test('searching until a +CREG/+CGREG URC says registered', async (t) => {
  const h = new Harness();
  h.powerUp(SEARCHING);
  t.equal(h.public, 'searching');
  t.equal(h.delay('poll'), CONFIG.timing.searchPollMs, 'polls often while searching');
  h.urc({ type: 'registration', domain: 'ps', registration: 'roaming' });
  t.equal(h.public, 'registered');
  t.equal(h.state.radio.ps, 'roaming');
  h.urc({ type: 'registration', domain: 'ps', registration: 'searching' });
  h.urc({ type: 'registration', domain: 'cs', registration: 'not-registered' });
  t.equal(h.public, 'searching', 'registration lost');
});

t.test('signal and technology follow ^RSSI and ^MODE', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.urc({ type: 'signal', dbm: -91 });
  h.urc({ type: 'mode', technology: 'edge' });
  t.same(h.state.radio, { ...h.state.radio, signalDbm: -91, technology: 'edge' });
  h.urc({ type: 'signal', dbm: null });
  t.equal(h.state.radio.signalDbm, null);
});

t.test('unplugged: lost, the path is polled, found again after replug', async (t) => {
  const h = new Harness();
  h.powerUp();
  const lost = h.send({ type: 'closed', generation: h.state.generation, reason: 'device closed' });
  t.same(h.ofType('lost', lost), [{ type: 'lost', reason: 'device closed' }]);
  t.equal(h.public, 'absent');
  t.same(h.state.radio.signalDbm, null, 'nothing is known of an absent stick');
  t.equal(h.delay('reopen'), CONFIG.timing.devicePollMs);
  h.fire('reopen');
  const failed = h.send({ type: 'open-failed', generation: h.state.generation, reason: 'ENOENT' });
  t.same(h.ofType('lost', failed), [], 'lost only once');
  t.equal(h.delay('reopen'), CONFIG.timing.devicePollMs, 'keeps polling');
  h.fire('reopen');
  h.send({ type: 'opened', generation: h.state.generation });
  const found = h.done({ kind: 'init', identity: IDENTITY });
  t.same(h.ofType('found', found).length, 1);
  h.done({ kind: 'sim', sim: 'ready' });
  h.done({ kind: 'setup', report: REGISTERED });
  t.equal(h.public, 'registered');
});

t.test('results from a port that is gone are ignored', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.fire('poll');
  const old = h.pending('poll')!;
  h.send({ type: 'closed', generation: h.state.generation, reason: 'device closed' });
  h.fire('reopen');
  h.send({ type: 'opened', generation: h.state.generation });
  const effects = h.send({ type: 'job-done', generation: old.generation, job: old.job, result: { kind: 'poll', report: REGISTERED } });
  t.same(effects, []);
  t.equal(h.public, 'initialising');
  t.same(h.send({ type: 'urc', generation: old.generation, urc: { type: 'session', connected: true, cause: null } }), []);
});

t.test('a closed-port failure waits for the close itself', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.fire('poll');
  t.same(h.failed('poll', { code: 'closed', cme: null, message: 'closed' }), []);
});

t.test('stop hangs up a session and closes; later inputs do nothing', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  const effects = h.send({ type: 'stop' });
  t.match(h.ofType('close', effects), [{ hangUpFirst: true }]);
  t.equal(h.public, 'absent');
  t.equal(h.timers.size, 0, 'no timer left');
  t.same(h.send({ type: 'timer', name: 'poll' }), []);
  t.same(h.send({ type: 'want', wanted: true }).filter((e) => e.type === 'run'), []);
});

t.test('a poll failing with an error (not a timeout) climbs from re-query', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.fire('poll');
  h.failed('poll', { code: 'error', cme: null, message: 'ERROR' });
  t.match(h.state.ladder, { kind: 'failure', step: 're-query', attempts: 1 });
  t.equal(h.public, 'registered', 'a re-query does not change what others see');
  h.fire('ladder');
  h.failed('poll', timeout());
  h.fire('ladder');
  h.failed('poll', { code: 'error', cme: null, message: 'ERROR' });
  t.match(h.state.ladder, { step: 're-register' }, 'errors (not silence) go through re-register');
  t.equal(h.public, 'searching');
  t.same(h.runs(h.fire('ladder')), ['re-register']);
  h.done({ kind: 're-register', report: REGISTERED });
  t.equal(h.state.ladder, null);
  t.equal(h.public, 'registered');
});

t.test('a poll showing the stick forgot its settings (it restarted by itself): init again', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.fire('poll');
  t.same(h.runs(h.done({ kind: 'poll', report: { ...REGISTERED, session: false, restarted: true } })), ['init']);
  t.equal(h.public, 'initialising');
  t.equal(h.state.negotiated, null);
  h.done({ kind: 'init', identity: IDENTITY });
  h.done({ kind: 'sim', sim: 'ready' });
  t.same(h.runs(h.done({ kind: 'setup', report: REGISTERED })), ['dial'], 'the wanted session comes back');
});

t.test('^SIMST: 255 (SIM pulled) while connected: sim-locked at once; ^SIMST: 1 looks again', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.urc({ type: 'session', connected: false, cause: null }); // the session goes with the SIM
  h.urc({ type: 'sim', present: false });
  t.match(h.phase, { name: 'sim-locked', reason: 'no-sim' });
  t.equal(h.state.negotiated, null);
  t.equal(h.state.radio.cs, null);
  t.same(h.runs(h.urc({ type: 'sim', present: true })), ['sim']);
  h.done({ kind: 'sim', sim: 'ready' });
  t.same(h.runs(h.done({ kind: 'setup', report: REGISTERED })), ['dial'], 'the wanted session comes back');
});
