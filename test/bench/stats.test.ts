import t from 'tap';
import { percentile, ratio, summarize } from '../../bench/lib/stats.js';

t.test('percentiles are nearest-rank: observed values, never interpolated', async (t) => {
  const values = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, unsorted
  t.equal(percentile(values, 50), 500);
  t.equal(percentile(values, 99), 990);
  t.equal(percentile(values, 100), 1000);
  t.equal(percentile(values, 0), 1, 'p0 is the smallest');
  t.equal(percentile([7], 95), 7);
  t.ok(Number.isNaN(percentile([], 50)), 'no samples: NaN, not a number made up');
  t.throws(() => percentile([1], 101), RangeError);
});

t.test('a summary of samples', async (t) => {
  const s = summarize([5, 1, 3, 2, 4]);
  t.same({ n: s.n, min: s.min, p50: s.p50, max: s.max, mean: s.mean }, { n: 5, min: 1, p50: 3, max: 5, mean: 3 });
  t.equal(s.p95, 5);
  t.equal(summarize([]).n, 0);
});

t.test('ratio of a figure to its baseline', async (t) => {
  t.equal(ratio(50, 100), 0.5);
  t.equal(ratio(3, undefined), null, 'no baseline');
  t.equal(ratio(3, 0), null, 'a zero baseline has no ratio');
  t.equal(ratio(Number.NaN, 2), null);
});
