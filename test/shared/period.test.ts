// The billing period is the calendar month in Europe/Amsterdam (R7, R9), so its edges sit at
// local midnight: 23:00 UTC in winter, 22:00 UTC in summer.
import t from 'tap';
import { nextPeriod, periodById, periodOf, previousPeriod } from '../../shared/period.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

t.test('a winter month starts and ends at local midnight (23:00 UTC)', async (t) => {
  const jan = periodOf(utc('2026-01-15T12:00:00Z'));
  t.equal(jan.id, '2026-01');
  t.equal(iso(jan.start), '2025-12-31T23:00:00.000Z');
  t.equal(iso(jan.end), '2026-01-31T23:00:00.000Z');
});

t.test('31 December to 1 January: the year turns at Amsterdam midnight, not UTC midnight', async (t) => {
  t.equal(periodOf(utc('2025-12-31T22:59:59.999Z')).id, '2025-12', '23:59:59.999 local is still December');
  t.equal(periodOf(utc('2025-12-31T23:00:00.000Z')).id, '2026-01', '00:00 local on 1 January is January');
  t.equal(periodOf(utc('2026-01-01T00:30:00Z')).id, '2026-01');
  t.equal(nextPeriod(periodById('2025-12')).id, '2026-01', 'December is followed by January of the next year');
  t.equal(previousPeriod(periodById('2026-01')).id, '2025-12');
});

t.test('March: the month in which the clocks go forward (last Sunday, 29 March 2026)', async (t) => {
  const march = periodById('2026-03');
  t.equal(iso(march.start), '2026-02-28T23:00:00.000Z', 'starts at midnight CET');
  t.equal(iso(march.end), '2026-03-31T22:00:00.000Z', 'ends at midnight CEST, an hour earlier in UTC');
  t.equal(march.end - march.start, 31 * 24 * 3_600_000 - 3_600_000, 'March 2026 is one hour short of 31 days');
  t.equal(periodOf(utc('2026-03-29T00:59:59Z')).id, '2026-03', 'before the change');
  t.equal(periodOf(utc('2026-03-29T01:00:00Z')).id, '2026-03', 'at the change (02:00 CET becomes 03:00 CEST)');
  t.equal(periodOf(utc('2026-03-31T21:59:59.999Z')).id, '2026-03', 'the last millisecond of March, local');
  t.equal(periodOf(utc('2026-03-31T22:00:00Z')).id, '2026-04', 'the first of April at 00:00 CEST');
});

t.test('October: the month in which the clocks go back (last Sunday, 25 October 2026)', async (t) => {
  const october = periodById('2026-10');
  t.equal(iso(october.start), '2026-09-30T22:00:00.000Z', 'starts at midnight CEST');
  t.equal(iso(october.end), '2026-10-31T23:00:00.000Z', 'ends at midnight CET');
  t.equal(october.end - october.start, 31 * 24 * 3_600_000 + 3_600_000, 'October 2026 is one hour longer than 31 days');
  t.equal(periodOf(utc('2026-10-25T00:30:00Z')).id, '2026-10', 'first 02:30 (CEST)');
  t.equal(periodOf(utc('2026-10-25T01:30:00Z')).id, '2026-10', 'second 02:30 (CET)');
  t.equal(periodOf(utc('2026-10-31T22:59:59.999Z')).id, '2026-10');
  t.equal(periodOf(utc('2026-10-31T23:00:00Z')).id, '2026-11');
});

t.test('periods tile time: each ends where the next starts, across a whole year', async (t) => {
  let period = periodById('2026-01');
  for (let i = 0; i < 12; i++) {
    const next = nextPeriod(period);
    t.equal(next.start, period.end, `${period.id} meets ${next.id}`);
    t.equal(periodOf(period.end - 1).id, period.id);
    period = next;
  }
  t.equal(period.id, '2027-01');
});

t.test('a malformed period name is refused', async (t) => {
  t.throws(() => periodById('2026-13'), /not a month/);
  t.throws(() => periodById('26-01'), /not a month/);
  t.throws(() => periodOf(Number.NaN), /not a valid instant/);
});
