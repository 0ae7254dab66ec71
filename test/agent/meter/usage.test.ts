// Usage per billing period (R9): month ends, thresholds once each, and reading often enough near the cap.
import t from 'tap';
import { applySample, fastReadDelayMs, initialUsage, rollPeriod, usedBytes, type UsageState } from '../../../agent/meter/usage.js';
import type { CounterSample } from '../../../agent/meter/counters.js';
import { FAIR_USE_CAP_BYTES } from '../../../shared/service.js';

const CAP = FAIR_USE_CAP_BYTES;

function reading(totalUp: number, totalDown: number, readAt: number, seconds = 0): CounterSample {
  return { sessionTxBytes: totalUp, sessionRxBytes: totalDown, sessionSeconds: seconds, totalTxBytes: totalUp, totalRxBytes: totalDown, readAt };
}

t.test('bytes add up in the period of the reading; both directions count (R9)', async (t) => {
  const start = Date.parse('2026-03-10T09:00:00Z');
  let s = initialUsage(start);
  s = applySample(s, reading(1_000, 2_000, start), CAP).state;
  s = applySample(s, reading(6_000, 52_000, start + 2_000), CAP).state;
  t.equal(s.period, '2026-03');
  t.same([s.upBytes, s.downBytes], [5_000, 50_000]);
  t.equal(usedBytes(s), 55_000);
});

t.test('a reading after the month end splits the bytes at local midnight and closes the month', async (t) => {
  // 2026-03-31 23:59:59 in Amsterdam (CEST, +02:00) is 21:59:59Z.
  const before = Date.parse('2026-03-31T21:59:59Z');
  const after = Date.parse('2026-03-31T22:00:01Z');
  let s: UsageState = { ...initialUsage(before), upBytes: 100, downBytes: 1_000 };
  s = applySample(s, reading(0, 0, before, 10), CAP).state;
  const r = applySample(s, reading(2_000, 20_000, after, 12), CAP);
  t.same(r.closed, { period: '2026-03', upBytes: 1_100, downBytes: 11_000 }, 'half of the two seconds belongs to March');
  t.equal(r.state.period, '2026-04');
  t.same([r.state.upBytes, r.state.downBytes], [1_000, 10_000]);
  t.same(r.state.fired, []);
});

t.test('rolling over with no traffic closes the month with its figures and starts at zero', async (t) => {
  const s: UsageState = { ...initialUsage(Date.parse('2026-01-20T10:00:00Z')), upBytes: 5, downBytes: 7, fired: [80] };
  const rolled = rollPeriod(s, Date.parse('2026-02-01T00:00:00+01:00'));
  t.same(rolled.closed, { period: '2026-01', upBytes: 5, downBytes: 7 });
  t.same([rolled.state.period, rolled.state.upBytes, rolled.state.downBytes, rolled.state.fired], ['2026-02', 0, 0, []]);
  t.equal(rollPeriod(rolled.state, Date.parse('2026-02-10T00:00:00Z')).closed, null, 'nothing to roll within the month');
});

t.test('80 % and 100 % fire once each per period, in order, even when one reading crosses both', async (t) => {
  const start = Date.parse('2026-03-10T09:00:00Z');
  let s = applySample(initialUsage(start), reading(0, 0, start), CAP).state;
  let r = applySample(s, reading(0, 3_999_999_999, start + 1_000), CAP);
  t.same(r.crossed, []);
  r = applySample(r.state, reading(0, 4_000_000_000, start + 2_000), CAP);
  t.same(r.crossed, [80]);
  r = applySample(r.state, reading(0, 4_500_000_000, start + 3_000), CAP);
  t.same(r.crossed, [], 'not again');
  r = applySample(r.state, reading(500_000_000, 4_500_000_000, start + 4_000), CAP);
  t.same(r.crossed, [100]);
  s = r.state;
  t.same(s.fired, [80, 100]);

  const fresh = applySample(initialUsage(start), reading(0, 0, start), CAP).state;
  t.same(applySample(fresh, reading(0, 6_000_000_000, start + 2_000_000), CAP).crossed, [80, 100]);
});

t.test('near the cap the meter reads every 500 ms, elsewhere it relies on the stick', async (t) => {
  const base = initialUsage(Date.parse('2026-03-10T09:00:00Z'));
  const rate = 625_000; // boost: 3600 + 1400 kbit/s
  t.equal(fastReadDelayMs({ ...base, downBytes: 1_000_000_000 }, CAP, rate), null);
  t.equal(fastReadDelayMs({ ...base, downBytes: CAP - 5_000_000 }, CAP, rate), 500);
  t.equal(fastReadDelayMs({ ...base, downBytes: CAP + 1, fired: [80, 100] }, CAP, rate), null, 'past the cap: nothing more to catch');
});

t.test('overshoot past the cap before the agent knows stays under 1 MB at the boost rate', async (t) => {
  const rate = 625_000; // bytes per second at 3.6 + 1.4 Mbit/s
  const readLatencyMs = 150; // ^DSFLOWQRY answer time (budget)
  let worst = 0;
  for (let phase = 0; phase < 2_000; phase += 37) {
    // Traffic at the full boost rate from CAP - 50 MB; the stick reports every 2 s (phase-shifted).
    const startUsed = CAP - 50_000_000;
    let state: UsageState = { ...initialUsage(Date.parse('2026-03-10T09:00:00Z')), downBytes: startUsed };
    const t0 = Date.parse('2026-03-10T09:00:00Z');
    state = applySample(state, reading(0, 0, t0), CAP).state;
    let nextReport = t0 + phase;
    let nextFast: number | null = null;
    let knownAt: number | null = null;
    for (let now = t0; knownAt === null && now < t0 + 200_000; now += 10) {
      const due = now >= nextReport || (nextFast !== null && now >= nextFast);
      if (!due) continue;
      if (now >= nextReport) nextReport += 2_000;
      const seenAt = now + (nextFast !== null && now >= nextFast ? readLatencyMs : 0);
      const bytes = Math.round(((seenAt - t0) / 1000) * rate);
      const r = applySample(state, reading(0, bytes, seenAt), CAP);
      state = r.state;
      if (r.crossed.includes(100)) knownAt = seenAt;
      const fast = fastReadDelayMs(state, CAP, rate);
      nextFast = fast === null ? null : now + fast;
    }
    t.ok(knownAt !== null);
    worst = Math.max(worst, usedBytes(state) - CAP);
  }
  t.ok(worst < 1_000_000, `worst overshoot ${worst} bytes`);
});

t.test('the tail of a session that ended between two reports is recovered from the totals', async (t) => {
  const start = Date.parse('2026-03-10T09:00:00Z');
  const qry = (session: number, total: number, seconds: number, at: number): CounterSample => ({
    sessionTxBytes: 0,
    sessionRxBytes: session,
    sessionSeconds: seconds,
    totalTxBytes: 0,
    totalRxBytes: total,
    readAt: at,
  });
  const rpt = (session: number, seconds: number, at: number): CounterSample => ({ ...qry(session, 0, seconds, at), totalTxBytes: null, totalRxBytes: null });
  let s = applySample(initialUsage(start), qry(0, 1_000, 0, start), CAP).state; // session 1 starts: totals 1000
  s = applySample(s, rpt(500, 2, start + 2_000), CAP).state;
  s = applySample(s, rpt(1_000, 4, start + 4_000), CAP).state;
  // Session 1 ends at 1 300 bytes, unseen; session 2 starts and reports 200.
  s = applySample(s, rpt(200, 2, start + 10_000), CAP).state;
  t.equal(s.downBytes, 1_200, 'the session figures alone miss 300 bytes');
  s = applySample(s, qry(400, 1_000 + 1_300 + 400, 4, start + 12_000), CAP).state;
  t.equal(s.downBytes, 1_700, 'the totals put it right: 1 300 + 400');
  s = applySample(s, rpt(600, 6, start + 14_000), CAP).state;
  t.equal(s.downBytes, 1_900, 'and counting goes on from there');
});
