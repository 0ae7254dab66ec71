// The footprint proposal (bench/lib/period-os-tz.ts) must give the same periods as
// shared/period.ts when the process runs with TZ=Europe/Amsterdam.
process.env['TZ'] = 'Europe/Amsterdam';
import t from 'tap';
import * as osTz from '../../bench/lib/period-os-tz.js';
import * as luxon from '../../shared/period.js';

t.test('same period every 6 hours of 2025-2027 and around each month boundary', async (t) => {
  const start = Date.UTC(2025, 0, 1);
  const end = Date.UTC(2028, 0, 1);
  const differences: string[] = [];
  let compared = 0;
  for (let at = start; at < end; at += 6 * 3_600_000) {
    const b = luxon.periodOf(at);
    for (const instant of [at, b.start - 1, b.start, b.end - 1]) {
      const [x, y] = [osTz.periodOf(instant), luxon.periodOf(instant)];
      if (x.id !== y.id || x.start !== y.start || x.end !== y.end) differences.push(new Date(instant).toISOString());
      compared++;
    }
  }
  t.same(differences.slice(0, 5), [], `no differences in ${compared} instants`);
  t.same(osTz.periodById('2026-03'), luxon.periodById('2026-03'));
  t.same(osTz.nextPeriod(osTz.periodById('2026-12')), luxon.nextPeriod(luxon.periodById('2026-12')));
  t.throws(() => osTz.periodById('2026-13'), RangeError);
});
