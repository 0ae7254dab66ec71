// Counter arithmetic: steady growth, stick restarts, new sessions, 32-bit wrap, and what is not a wrap.
import fc from 'fast-check';
import t from 'tap';
import { counterDelta, type CounterSample } from '../../../agent/meter/counters.js';

const at = Date.parse('2026-03-10T09:00:00Z');
const sample = (over: Partial<CounterSample>): CounterSample => ({
  sessionTxBytes: 0,
  sessionRxBytes: 0,
  sessionSeconds: 0,
  totalTxBytes: null,
  totalRxBytes: null,
  readAt: at,
  ...over,
});

t.test('the first reading is only a baseline', async (t) => {
  t.same(counterDelta(null, sample({ sessionTxBytes: 5_000, sessionRxBytes: 9_000 })), { upBytes: 0, downBytes: 0, kind: 'first' });
});

t.test('steady growth of the session counters', async (t) => {
  const a = sample({ sessionTxBytes: 1_000, sessionRxBytes: 10_000, sessionSeconds: 10 });
  const b = sample({ sessionTxBytes: 3_000, sessionRxBytes: 40_000, sessionSeconds: 12, readAt: at + 2_000 });
  t.same(counterDelta(a, b), { upBytes: 2_000, downBytes: 30_000, kind: 'steady' });
});

t.test('totals, when both readings have them, span a session change', async (t) => {
  const a = sample({ sessionTxBytes: 1_000, sessionRxBytes: 2_000, sessionSeconds: 500, totalTxBytes: 50_000, totalRxBytes: 80_000 });
  const b = sample({ sessionTxBytes: 100, sessionRxBytes: 300, sessionSeconds: 3, totalTxBytes: 51_500, totalRxBytes: 82_800, readAt: at + 5_000 });
  t.same(counterDelta(a, b), { upBytes: 1_500, downBytes: 2_800, kind: 'steady' }, 'the end of the old session is counted too');
});

t.test('a stick restart (totals back near zero) counts everything on the counters since', async (t) => {
  const a = sample({ totalTxBytes: 4_000_000, totalRxBytes: 90_000_000, sessionSeconds: 4_000, readAt: at });
  const b = sample({ totalTxBytes: 20_000, totalRxBytes: 300_000, sessionSeconds: 20, readAt: at + 60_000 });
  t.same(counterDelta(a, b), { upBytes: 20_000, downBytes: 300_000, kind: 'reset' });
});

t.test('a new session (session clock back) with session figures only', async (t) => {
  const a = sample({ sessionTxBytes: 7_000, sessionRxBytes: 70_000, sessionSeconds: 3_600 });
  const b = sample({ sessionTxBytes: 1_000, sessionRxBytes: 9_000, sessionSeconds: 4, readAt: at + 2_000 });
  t.same(counterDelta(a, b), { upBytes: 1_000, downBytes: 9_000, kind: 'reset' });
});

t.test('a session clock that ran ahead of ours is another session, even with more bytes', async (t) => {
  const a = sample({ sessionTxBytes: 100, sessionRxBytes: 100, sessionSeconds: 5 });
  const b = sample({ sessionTxBytes: 500, sessionRxBytes: 800, sessionSeconds: 600, readAt: at + 2_000 });
  t.same(counterDelta(a, b), { upBytes: 500, downBytes: 800, kind: 'reset' });
});

t.test('a 32-bit counter wrapping at 4 GiB', async (t) => {
  const a = sample({ sessionTxBytes: 2 ** 32 - 1_000, sessionRxBytes: 2 ** 32 - 500_000, sessionSeconds: 100 });
  const b = sample({ sessionTxBytes: 3_000, sessionRxBytes: 700_000, sessionSeconds: 102, readAt: at + 2_000 });
  t.same(counterDelta(a, b), { upBytes: 4_000, downBytes: 1_200_000, kind: 'wrap' });
});

t.test('a drop that a wrap cannot explain in the time is a reset', async (t) => {
  const a = sample({ sessionTxBytes: 3_000_000_000, sessionRxBytes: 3_000_000_000, sessionSeconds: 100 });
  const b = sample({ sessionTxBytes: 1_000, sessionRxBytes: 2_000, sessionSeconds: 102, readAt: at + 2_000 });
  t.same(counterDelta(a, b), { upBytes: 1_000, downBytes: 2_000, kind: 'reset' });
});

t.test('any run of 32-bit counters read every 2 s adds up to the true traffic', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 4_000_000 })), { minLength: 1, maxLength: 200 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      (steps, start) => {
        let trueUp = 0;
        let trueDown = 0;
        let prev = sample({ sessionTxBytes: start, sessionRxBytes: start, sessionSeconds: 0 });
        let counted = { up: 0, down: 0 };
        steps.forEach(([up, down], i) => {
          trueUp += up;
          trueDown += down;
          const cur = sample({
            sessionTxBytes: (start + trueUp) % 2 ** 32,
            sessionRxBytes: (start + trueDown) % 2 ** 32,
            sessionSeconds: 2 * (i + 1),
            readAt: at + 2_000 * (i + 1),
          });
          const d = counterDelta(prev, cur);
          counted = { up: counted.up + d.upBytes, down: counted.down + d.downBytes };
          prev = cur;
        });
        return counted.up === trueUp && counted.down === trueDown;
      },
    ),
  );
  t.pass('wraps never lose or invent bytes');
});
