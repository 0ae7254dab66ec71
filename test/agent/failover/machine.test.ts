// The failover decisions (R2), line event sequence by sequence, on a pure machine and a driven clock.
import fc from 'fast-check';
import t from 'tap';
import { DEFAULT_FAILOVER_SETTINGS, requiredStableMs } from '../../../agent/failover/machine.js';
import { Harness, POLL_MS, T0 } from './harness.js';

const S = DEFAULT_FAILOVER_SETTINGS;

function onDsl(): Harness {
  const h = new Harness();
  h.line('up', 5_000);
  return h;
}

t.test('a steady line stays on DSL with the stick on standby', async (t) => {
  const h = onDsl();
  h.line('up', 60_000);
  t.equal(h.path, 'dsl');
  t.same(h.changes, []);
  t.same(h.sessions, [], 'no session asked for');
  t.equal(h.state.dsl.state, 'up');
});

t.test('a blip shorter than the confirmation time does not fail over', async (t) => {
  const h = onDsl();
  h.line('down', S.confirmDownMs - POLL_MS); // two polls see it down, the third sees it up again
  h.line('up', 60_000);
  t.equal(h.path, 'dsl');
  t.same(h.changes, []);
  t.same(h.sessions, []);
});

t.test('a training blip (resync) shorter than the window is a blip too', async (t) => {
  const h = onDsl();
  h.line('down', POLL_MS);
  h.line('training', POLL_MS);
  h.line('up', 10_000);
  t.same(h.changes, []);
});

t.test('a confirmed loss fails over at once: the session is asked for first, with evidence', async (t) => {
  const h = onDsl();
  const cut = h.now;
  h.line('down', 2_000);
  t.equal(h.path, 'mobile');
  t.same(h.types(), ['failover:dsl->mobile']);
  const change = h.changes[0]!;
  t.ok(change.at - cut >= S.confirmDownMs, 'not before the confirmation window');
  t.ok(change.at - cut < S.confirmDownMs + 2 * POLL_MS, 'within a poll of the window');
  t.equal(change.reason, 'DSL link down');
  t.match(change.evidence.join(' | '), /PhysicalLinkStatus Down.*not up for \d+ ms over \d+ polls.*stick registered/);
  t.same(h.sessions, [{ at: change.at, wanted: true }]);
  t.equal(h.state.dsl.state, 'down');
});

t.test('fail back only once DSL has been up and stable for the set time', async (t) => {
  const h = onDsl();
  h.line('down', 5_000);
  h.modem('connecting');
  h.modem('connected');
  const back = h.now;
  h.line('up', S.failbackStableMs - POLL_MS);
  t.equal(h.path, 'mobile', 'still mobile just before the stability time');
  h.line('up', 2 * POLL_MS);
  t.equal(h.path, 'dsl');
  t.same(h.types(), ['failover:dsl->mobile', 'failback:mobile->dsl']);
  const failback = h.changes[1]!;
  t.equal(failback.at - back, S.failbackStableMs, 'exactly at the stability time (a wake-up, not the next poll)');
  t.match(failback.reason, /stable for 30 s/);
  t.same(h.sessions.map((s) => s.wanted), [true, false], 'the session is let go');
});

t.test('DSL back while the stick is still connecting: stay the course, fail back after the stability time', async (t) => {
  const h = onDsl();
  h.line('down', 1_000);
  h.modem('connecting');
  h.line('up', 1_000); // DSL is back before the session is up
  h.modem('connected');
  h.line('up', 10_000);
  t.equal(h.path, 'mobile', 'no failback yet: DSL has been up only 11 s');
  h.line('up', S.failbackStableMs);
  t.same(h.types(), ['failover:dsl->mobile', 'failback:mobile->dsl'], 'one failover, one failback, nothing in between');
});

t.test('a loss during the stability time starts it again, and the flap guard lengthens it', async (t) => {
  const h = onDsl();
  h.line('down', 2_000);
  h.modem('connected');
  h.line('up', 20_000);
  h.line('down', 2_000); // second loss within the flap window
  const back = h.now;
  h.line('up', S.failbackStableMs + 1_000);
  t.equal(h.path, 'mobile', 'the hold-off doubled after a second loss');
  h.line('up', S.failbackStableMs);
  t.equal(h.path, 'dsl');
  t.equal(h.changes.at(-1)!.at - back, 2 * S.failbackStableMs);
  t.match(h.changes.at(-1)!.evidence.join(' '), /flap guard: 2 losses in 15 min/);
  t.same(h.types(), ['failover:dsl->mobile', 'failback:mobile->dsl'], 'the second loss happened on mobile: no new event');
});

t.test('a flapping line: one failover, no failback while it flaps, growing hold-offs after', async (t) => {
  const h = onDsl();
  for (let i = 0; i < 60; i++) {
    h.line('down', 2_000);
    if (i === 0) h.modem('connected');
    h.line('up', 2_000);
  }
  t.same(h.types(), ['failover:dsl->mobile'], 'four minutes of a 4 s flap: one failover and no failback');
  const losses = h.state.losses.length;
  t.ok(losses >= 2, `losses counted (${losses})`);
  const needed = requiredStableMs(h.state.losses, h.now, S);
  t.equal(needed, S.maxHoldOffMs, 'the hold-off grew to its maximum');
  const back = h.state.dsl.usableSince!; // the last up spell of the flapping
  h.line('up', needed + 1_000);
  t.equal(h.path, 'dsl');
  t.equal(h.changes.at(-1)!.at - back, needed, 'failback once the line held for the whole hold-off');
});

t.test('hold-offs grow 30 s, 60 s, 120 s … and forget losses outside the window', async (t) => {
  const at = T0;
  t.equal(requiredStableMs([at], at, S), 30_000);
  t.equal(requiredStableMs([at - 1000, at], at, S), 60_000);
  t.equal(requiredStableMs([at - 2000, at - 1000, at], at, S), 120_000);
  t.equal(requiredStableMs(Array.from({ length: 10 }, (_, i) => at - i), at, S), S.maxHoldOffMs);
  t.equal(requiredStableMs([at - S.flapWindowMs - 1, at], at, S), 30_000, 'an old loss no longer counts');
  t.equal(requiredStableMs([], at, S), 30_000);
});

t.test('stick lost while on mobile: outage, then mobile again when the stick is back', async (t) => {
  const h = onDsl();
  h.line('down', 1_000);
  h.modem('connected');
  h.modem('absent');
  t.equal(h.path, 'none');
  t.same(h.types(), ['failover:dsl->mobile', 'outage:mobile->none']);
  t.match(h.changes[1]!.reason, /stick is absent/);
  t.equal(h.sessions.at(-1)!.wanted, true, 'the session stays wanted so the stick reconnects once back');
  h.modem('initialising');
  h.modem('registered');
  h.modem('connecting');
  t.equal(h.path, 'none');
  h.modem('connected');
  t.equal(h.path, 'mobile');
  t.same(h.types(), ['failover:dsl->mobile', 'outage:mobile->none', 'failover:none->mobile']);
});

t.test('DSL lost with no stick: outage at once; DSL back: straight to DSL without the stability wait', async (t) => {
  const h = new Harness(S, 'absent');
  h.line('up', 2_000);
  h.line('down', 2_000);
  t.same(h.types(), ['outage:dsl->none']);
  t.match(h.changes[0]!.reason, /DSL link down; the UMTS stick is absent/);
  const back = h.now;
  h.line('up', 1_000);
  t.same(h.types(), ['outage:dsl->none', 'failback:none->dsl']);
  t.equal(h.changes[1]!.at, back, 'nothing works: DSL is taken at once');
});

t.test('a session that never comes up means path none after the connect timeout', async (t) => {
  const h = onDsl();
  h.line('down', 1_000);
  h.modem('connecting');
  h.line('down', S.mobileConnectTimeoutMs - 2_000);
  t.equal(h.path, 'mobile');
  h.line('down', 3_000);
  t.equal(h.path, 'none');
  t.match(h.changes.at(-1)!.reason, /no mobile session after 45 s/);
});

t.test('a mobile session that drops and comes back within the timeout is no outage', async (t) => {
  const h = onDsl();
  h.line('down', 1_000);
  h.modem('connected');
  h.line('down', 60_000);
  h.modem('connecting');
  h.line('down', 10_000);
  h.modem('connected');
  h.line('down', 60_000);
  t.same(h.types(), ['failover:dsl->mobile']);
});

t.test('mobile broken while DSL is back but not yet stable: back to DSL at once', async (t) => {
  const h = onDsl();
  h.line('down', 1_000);
  h.modem('connected');
  h.line('up', 5_000);
  h.modem('absent');
  t.same(h.types(), ['failover:dsl->mobile', 'failback:mobile->dsl']);
  t.match(h.changes[1]!.reason, /DSL usable again and the UMTS stick is absent/);
});

t.test('suspended (R22): a DSL loss is an outage, not a failover', async (t) => {
  const h = onDsl();
  h.input({ type: 'data-allowed', at: h.now, allowed: false });
  h.line('down', 2_000);
  t.same(h.types(), ['outage:dsl->none']);
  t.match(h.changes[0]!.reason, /suspended \(R22\)/);
});

t.test('line up but no internet: the probe quorum failing three rounds in a row fails over', async (t) => {
  const h = onDsl();
  h.probe(true);
  h.probe(false);
  h.wait(2_000);
  h.probe(false);
  t.equal(h.path, 'dsl', 'two failed rounds are not enough');
  h.wait(2_000);
  h.probe(false);
  t.equal(h.path, 'mobile');
  t.equal(h.state.dsl.state, 'no-internet');
  t.equal(h.changes[0]!.reason, 'DSL up but no internet');
  t.match(h.changes[0]!.evidence.join(' '), /probe: 0\/3 targets reachable, 3 failed rounds in a row/);
  h.probe(true);
  t.equal(h.state.dsl.state, 'up', 'one passing round: the internet is back');
  h.line('up', S.failbackStableMs + POLL_MS);
  t.equal(h.path, 'dsl');
});

t.test('sync without PPP (line up, no internet) counts as a loss after the window', async (t) => {
  const h = onDsl();
  h.line('no-internet', 2_000);
  t.same(h.types(), ['failover:dsl->mobile']);
  t.equal(h.state.dsl.state, 'no-internet');
});

t.test('a box that stops answering is unreachable, not down: no failover while probes pass', async (t) => {
  const h = onDsl();
  h.probe(true);
  h.line('unreachable', 10_000, 1_000);
  t.equal(h.state.dsl.state, 'unreachable');
  t.equal(h.path, 'dsl');
  t.same(h.changes, []);
  for (let i = 0; i < 3; i++) {
    h.probe(false);
    h.wait(2_000);
  }
  t.equal(h.path, 'mobile', 'silent box and no internet: fail over');
  t.equal(h.changes[0]!.reason, 'router unreachable and probes failing');
});

t.test('a box that stops answering right after saying down stays down', async (t) => {
  const h = onDsl();
  h.line('down', POLL_MS);
  h.line('unreachable', 1_000);
  t.equal(h.state.dsl.state, 'down');
  t.same(h.types(), ['failover:dsl->mobile']);
  h.line('unreachable', 3_000);
  t.equal(h.state.dsl.state, 'unreachable', 'silent for longer than its own window');
  t.equal(h.state.dsl.usable, false, 'and not usable: no probe has passed since the line went down');
});

t.test('probe loss of 2 % never fails over (10 000 rounds, 3 targets, quorum 2)', async (t) => {
  const h = onDsl();
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let failedRounds = 0;
  for (let round = 0; round < 10_000; round++) {
    const reachable = [0, 1, 2].filter(() => random() >= 0.02).length;
    if (reachable < 2) failedRounds++;
    h.probe(reachable >= 2);
    h.wait(2_000);
  }
  t.ok(failedRounds > 0, `some rounds did fail (${failedRounds}), so the test means something`);
  t.same(h.changes, [], 'no failover in 5.5 hours of 2 % loss');
});

t.test('invariants hold for any sequence of line and stick events', async (t) => {
  const kinds = ['up', 'down', 'training', 'no-internet', 'unreachable'] as const;
  const modemStates = ['absent', 'registered', 'connecting', 'connected'] as const;
  const eventArb = fc.oneof(
    fc.record({ kind: fc.constant('line' as const), value: fc.constantFrom(...kinds), ms: fc.integer({ min: 250, max: 40_000 }) }),
    fc.record({ kind: fc.constant('modem' as const), value: fc.constantFrom(...modemStates), ms: fc.constant(0) }),
    fc.record({ kind: fc.constant('probe' as const), value: fc.boolean(), ms: fc.constant(0) }),
  );
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
      const h = new Harness();
      const usableSpells: Array<{ from: number; to: number }> = [];
      for (const e of events) {
        if (e.kind === 'line') h.line(e.value, e.ms);
        else if (e.kind === 'modem') h.modem(e.value);
        else h.probe(e.value);
        // The session is wanted exactly when traffic is not on DSL.
        if (h.state.sessionWanted !== (h.path !== 'dsl')) return false;
        if (h.state.dsl.usable && h.state.dsl.usableSince !== null) usableSpells.push({ from: h.state.dsl.usableSince, to: h.now });
      }
      // Path changes chain: each starts where the last ended.
      let path = 'dsl';
      for (const c of h.changes) {
        if (c.from !== path) return false;
        path = c.to;
        // A failback from a working mobile path waits for the stability time.
        if (c.type === 'failback' && c.from === 'mobile' && /stable for/.test(c.reason)) {
          if (h.state.dsl.usableSince !== null && c.at - h.state.dsl.usableSince < S.failbackStableMs && h.state.dsl.usableSince <= c.at) return false;
        }
      }
      return path === h.path;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random sequences');
});
