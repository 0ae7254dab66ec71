// The data session in the modem machine: connect on failover, hang up on failback or when
// data is not allowed (R22), reconnect after drops, and give up on a dial that never comes up.
import t from 'tap';
import { CONFIG, Harness, REGISTERED, SEARCHING } from '../helpers/machine-harness.js';

t.test('wanted: dials, waits for ^NDISSTAT: 1, reads the negotiated rates', async (t) => {
  const h = new Harness();
  h.powerUp();
  t.same(h.runs(h.send({ type: 'want', wanted: true })), ['dial']);
  t.equal(h.public, 'connecting');
  t.equal(h.delay('connect-deadline'), CONFIG.timing.connectTimeoutMs);
  h.done({ kind: 'dial' });
  t.equal(h.public, 'connecting', 'OK to ^NDISDUP is not the session');
  t.same(h.runs(h.urc({ type: 'session', connected: true, cause: null })), ['negotiated']);
  t.equal(h.public, 'connected');
  t.equal(h.delay('connect-deadline'), undefined, 'deadline cancelled');
  h.done({ kind: 'negotiated', rates: { downKbps: 128, upKbps: 64 } });
  t.same(h.state.negotiated, { downKbps: 128, upKbps: 64 });
  t.same(h.states, ['absent', 'initialising', 'registered', 'connecting', 'connected']);
});

t.test('^NDISSTAT missed: the session query finds it', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.send({ type: 'want', wanted: true });
  h.done({ kind: 'dial' });
  t.same(h.runs(h.fire('connect-poll')), ['session']);
  h.done({ kind: 'session', connected: false });
  t.equal(h.delay('connect-poll'), CONFIG.timing.connectPollMs, 'asks again');
  h.fire('connect-poll');
  h.done({ kind: 'session', connected: true });
  t.equal(h.public, 'connected');
});

t.test('^NDISSTAT: 1 before the OK of ^NDISDUP still counts; the late OK is ignored', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.send({ type: 'want', wanted: true });
  h.urc({ type: 'session', connected: true, cause: null });
  t.equal(h.public, 'connected');
  t.same(h.done({ kind: 'dial' }), []);
  t.equal(h.public, 'connected');
});

t.test('not wanted any more: hangs up; wanted again while hanging up: dials after', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  t.same(h.runs(h.send({ type: 'want', wanted: false })), ['hangup']);
  t.equal(h.public, 'registered');
  t.equal(h.state.negotiated, null);
  h.send({ type: 'want', wanted: true });
  t.same(h.runs(h.done({ kind: 'hangup' })), [], 'OK to the hang-up is not the end of the session');
  t.same(h.runs(h.urc({ type: 'session', connected: false, cause: null })), ['dial'], '^NDISSTAT: 0 is');
});

t.test('^NDISSTAT: 0 in the same read as the OK of the hang-up', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.send({ type: 'want', wanted: false });
  h.urc({ type: 'session', connected: false, cause: null });
  h.done({ kind: 'hangup' });
  t.equal(h.phase.name, 'registered');
  t.equal(h.delay('connect-poll'), undefined);
});

t.test('the end of the session found by a query, or assumed at the deadline', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.send({ type: 'want', wanted: false });
  h.done({ kind: 'hangup' });
  t.same(h.runs(h.fire('connect-poll')), ['session']);
  h.done({ kind: 'session', connected: true });
  h.fire('connect-poll');
  h.done({ kind: 'session', connected: false });
  t.equal(h.phase.name, 'registered');
  h.connect();
  h.send({ type: 'want', wanted: false });
  h.done({ kind: 'hangup' });
  h.fire('connect-poll');
  h.failed('session', { code: 'error', cme: null, message: 'ERROR' });
  h.now += CONFIG.timing.connectTimeoutMs;
  const effects = h.fire('connect-deadline');
  t.match(h.ofType('log', effects), [{ level: 'warn' }]);
  t.equal(h.phase.name, 'registered');
  t.equal(h.delay('connect-poll'), undefined);
});

t.test('failback during the dial: hangs up without waiting for the session', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.send({ type: 'want', wanted: true });
  t.same(h.runs(h.send({ type: 'want', wanted: false })), ['hangup']);
  t.same(h.done({ kind: 'dial' }), [], 'the dial result no longer matters');
  h.done({ kind: 'hangup' });
  h.urc({ type: 'session', connected: false, cause: null });
  t.equal(h.phase.name, 'registered');
});

t.test('data not allowed (R22) wins over wanted', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  t.same(h.runs(h.send({ type: 'allow', allowed: false })), ['hangup']);
  h.done({ kind: 'hangup' });
  h.urc({ type: 'session', connected: false, cause: null });
  t.equal(h.phase.name, 'registered');
  t.ok(h.state.wanted, 'still wanted');
  t.same(h.pending('dial'), null, 'but not dialled');
  t.same(h.runs(h.send({ type: 'allow', allowed: true })), ['dial']);
});

t.test('wanted before registration: dials once registered', async (t) => {
  const h = new Harness();
  h.powerUp(SEARCHING);
  t.same(h.runs(h.send({ type: 'want', wanted: true })), []);
  t.same(h.runs(h.urc({ type: 'registration', domain: 'ps', registration: 'home' })), ['dial']);
});

t.test('a dropped session is redialled after a back-off while still wanted', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.urc({ type: 'session', connected: false, cause: 36 });
  t.equal(h.public, 'registered');
  t.equal(h.delay('reconnect'), CONFIG.recovery.backoff.initialMs);
  t.same(h.pending('dial'), null);
  t.same(h.runs(h.fire('reconnect')), ['dial']);
});

t.test('a poll that finds the session gone counts as a drop', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.fire('poll');
  h.done({ kind: 'poll', report: REGISTERED });
  t.equal(h.public, 'registered');
  t.ok(h.state.reconnectHeld);
});

t.test('dial refused (+CME 127, activation rejected): back-off, then the ladder after three', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.send({ type: 'want', wanted: true });
  h.failed('dial', { code: 'cme', cme: 'missing-or-unknown-apn', message: '+CME ERROR 127' });
  t.equal(h.public, 'registered');
  t.equal(h.delay('reconnect'), 1000);
  h.fire('reconnect');
  h.done({ kind: 'dial' });
  h.urc({ type: 'session', connected: false, cause: 33 }); // activation failed after the OK
  t.equal(h.delay('reconnect'), 2000, 'growing back-off');
  h.fire('reconnect');
  h.failed('dial', { code: 'error', cme: null, message: 'ERROR' });
  t.match(h.state.ladder, { kind: 'failure', step: 're-register' });
  t.same(h.runs(h.fire('ladder')), ['re-register']);
  t.same(h.runs(h.done({ kind: 're-register', report: REGISTERED })), ['dial'], 'and dials again after the rung');
});

t.test('a session that never comes up is aborted at the deadline and redialled', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.send({ type: 'want', wanted: true });
  h.done({ kind: 'dial' });
  h.now += CONFIG.timing.connectTimeoutMs;
  t.same(h.runs(h.fire('connect-deadline')), ['hangup']);
  h.done({ kind: 'hangup' });
  t.same(h.runs(h.urc({ type: 'session', connected: false, cause: null })), [], 'held until the back-off ends');
  t.same(h.runs(h.fire('reconnect')), ['dial']);
});

t.test('unplugged while connected: session back when the stick is', async (t) => {
  const h = new Harness();
  h.powerUp();
  h.connect();
  h.send({ type: 'closed', generation: h.state.generation, reason: 'device closed' });
  t.equal(h.public, 'absent');
  t.equal(h.state.negotiated, null);
  h.fire('reopen');
  h.send({ type: 'opened', generation: h.state.generation });
  h.done({ kind: 'init', identity: { manufacturer: 'huawei', model: 'E173', imei: null } });
  h.done({ kind: 'sim', sim: 'ready' });
  t.same(h.runs(h.done({ kind: 'setup', report: REGISTERED })), ['dial']);
});

t.test('a session found up at setup is kept when wanted and hung up when not', async (t) => {
  const wanted = new Harness();
  wanted.send({ type: 'want', wanted: true });
  wanted.powerUp({ ...REGISTERED, session: true });
  t.equal(wanted.public, 'connected');
  const unwanted = new Harness();
  unwanted.powerUp({ ...REGISTERED, session: true });
  t.ok(unwanted.pending('hangup'));
});
