// R12-R14: the business calendar. The worked examples of R14 word for word, the two
// daylight-saving changes, the edges of the hours, closed days and exceptions.
import fc from 'fast-check';
import t from 'tap';
import { HOUR_MS } from '../../../shared/service.js';
import { createBusinessCalendar } from '../../../server/rules/business-calendar.js';
import { dailyHours } from '../../../server/rules/calendar-config.js';
import { isRuleError } from '../../../server/rules/errors.js';
import { localDateOf } from '../../../server/rules/time.js';
import { local, MINUTE_MS, show } from './local-time.js';

const helpdesk = createBusinessCalendar(); // R13 default: every day 08:00-22:00
const contract = createBusinessCalendar(dailyHours('08:00', '23:00')); // R13: contract article 7.3

t.test('R14 worked examples, word for word', async (t) => {
  // 15 January 2026 is a Thursday; 18 January a Sunday.
  t.equal(
    show(helpdesk.addBusinessHours(local('2026-01-15 15:00'), 4)),
    show(local('2026-01-15 19:00')),
    'reported Thursday 15:00, deadline Thursday 19:00 the same day',
  );
  t.equal(
    show(helpdesk.addBusinessHours(local('2026-01-18 20:00'), 4)),
    show(local('2026-01-19 10:00')),
    'reported Sunday 20:00 (2 hours before a 22:00 closing), deadline Monday 10:00 (2 hours after the 08:00 opening)',
  );
  t.equal(
    show(contract.addBusinessHours(local('2026-01-18 21:00'), 4)),
    show(local('2026-01-19 10:00')),
    'with a 23:00 closing, reported Sunday 21:00 (2 hours before closing), deadline Monday 10:00',
  );
});

t.test('R14: the 2011 text’s variant "zondagavond 21 uur (1 uur voor sluitingstijd)" fits only a 23:00 closing', async (t) => {
  // With 22:00 the fourth hour falls at 11:00; the source's "maandagochtend 10 uur" needs 23:00.
  t.equal(show(helpdesk.addBusinessHours(local('2026-01-18 21:00'), 4)), 'Mon 2026-01-19 11:00 +01:00');
  t.equal(show(contract.addBusinessHours(local('2026-01-18 21:00'), 4)), 'Mon 2026-01-19 10:00 +01:00');
});

t.test('R14: the spring change (last Sunday of March, 29 March 2026, 02:00 → 03:00)', async (t) => {
  t.equal(helpdesk.businessTimeBetween(local('2026-03-29 00:00'), local('2026-03-30 00:00')), 14 * HOUR_MS, 'the short day still has 14 business hours');
  const deadline = helpdesk.addBusinessHours(local('2026-03-28 20:00'), 4);
  t.equal(show(deadline), 'Sun 2026-03-29 10:00 +02:00', 'Saturday 20:00 CET + 4 h = Sunday 10:00 CEST');
  t.equal(deadline - local('2026-03-28 20:00'), 13 * HOUR_MS, 'only 13 real hours later: the night lost an hour');
  t.equal(helpdesk.businessTimeBetween(local('2026-03-28 20:00'), deadline), 4 * HOUR_MS);
  t.equal(show(helpdesk.addBusinessHours(local('2026-03-29 19:00'), 4)), 'Mon 2026-03-30 09:00 +02:00');
});

t.test('R14: the autumn change (last Sunday of October, 25 October 2026, 03:00 → 02:00)', async (t) => {
  t.equal(helpdesk.businessTimeBetween(local('2026-10-25 00:00'), local('2026-10-26 00:00')), 14 * HOUR_MS, 'the long day still has 14 business hours');
  const deadline = helpdesk.addBusinessHours(local('2026-10-24 21:00'), 4);
  t.equal(show(deadline), 'Sun 2026-10-25 11:00 +01:00', 'Saturday 21:00 CEST + 4 h = Sunday 11:00 CET');
  t.equal(deadline - local('2026-10-24 21:00'), 15 * HOUR_MS, '15 real hours later: the night gained an hour');
  t.equal(show(contract.addBusinessHours(local('2026-10-25 21:00'), 4)), 'Mon 2026-10-26 10:00 +01:00');
});

t.test('hours that contain the change count real time: 00:00-24:00 has 23 h in March and 25 h in October', async (t) => {
  const always = createBusinessCalendar(dailyHours('00:00', '24:00'));
  t.equal(always.businessTimeBetween(local('2026-03-29 00:00'), local('2026-03-30 00:00')), 23 * HOUR_MS);
  t.equal(always.businessTimeBetween(local('2026-10-25 00:00'), local('2026-10-26 00:00')), 25 * HOUR_MS);
  t.ok(always.isOpen(local('2026-03-29 03:30')));
  t.equal(show(always.addBusinessHours(local('2026-03-28 23:00'), 4)), 'Sun 2026-03-29 04:00 +02:00', '4 real hours across the gap');
});

t.test('R13: a report outside the hours counts from the next opening', async (t) => {
  t.equal(show(helpdesk.addBusinessHours(local('2026-01-15 07:59'), 4)), 'Thu 2026-01-15 12:00 +01:00', '07:59 counts from 08:00');
  t.equal(show(helpdesk.addBusinessHours(local('2026-01-15 22:00'), 4)), 'Fri 2026-01-16 12:00 +01:00', '22:00 sharp is closed: counts from 08:00 next day');
  t.equal(show(helpdesk.addBusinessHours(local('2026-01-15 21:59'), 4)), 'Fri 2026-01-16 11:59 +01:00', '21:59: one minute tonight');
  t.equal(show(helpdesk.addBusinessHours(local('2026-01-15 18:00'), 4)), 'Thu 2026-01-15 22:00 +01:00', 'a deadline may fall on the closing instant');
  t.equal(show(helpdesk.addBusinessHours(local('2026-01-16 03:00'), 0)), 'Fri 2026-01-16 08:00 +01:00', 'zero hours from the night = the next opening');
});

t.test('isOpen, openIntervalAt and nextOpening at the edges (R18 routing)', async (t) => {
  t.notOk(helpdesk.isOpen(local('2026-01-15 07:59')));
  t.ok(helpdesk.isOpen(local('2026-01-15 08:00')), 'open from 08:00:00.000');
  t.ok(helpdesk.isOpen(local('2026-01-15 21:59:59.999')));
  t.notOk(helpdesk.isOpen(local('2026-01-15 22:00')), 'closed from 22:00:00.000');
  t.equal(show(helpdesk.nextOpening(local('2026-01-15 22:00'))), 'Fri 2026-01-16 08:00 +01:00');
  t.equal(helpdesk.nextOpening(local('2026-01-15 12:00')), local('2026-01-15 12:00'), 'while open, the next opening is now');
  const interval = helpdesk.openIntervalAt(local('2026-01-15 12:00'));
  t.same(interval, { date: '2026-01-15', opensAt: local('2026-01-15 08:00'), closesAt: local('2026-01-15 22:00') });
  t.equal(helpdesk.openIntervalAt(local('2026-01-15 23:00')), null);
});

t.test('a deadline that spans two closed nights (and a closed day)', async (t) => {
  // Closed on Sundays; the 4 hours run from Saturday evening over two nights to Monday.
  const noSundays = createBusinessCalendar({ weekly: { sunday: null } });
  const deadline = noSundays.addBusinessHours(local('2026-01-17 21:00'), 4);
  t.equal(show(deadline), 'Mon 2026-01-19 11:00 +01:00', 'Saturday 21:00: 1 h on Saturday, nothing on Sunday, 3 h on Monday');
  t.equal(noSundays.businessTimeBetween(local('2026-01-17 21:00'), deadline), 4 * HOUR_MS);
  // 10 business hours from Thursday 20:00 with 2-hour days: spans several nights.
  const short = createBusinessCalendar(dailyHours('10:00', '12:00'));
  t.equal(show(short.addBusinessHours(local('2026-01-15 20:00'), 5)), 'Sun 2026-01-18 11:00 +01:00', 'two full days and one hour');
});

t.test('several closed days: a long weekend with public-holiday exceptions', async (t) => {
  const calendar = createBusinessCalendar({
    weekly: { saturday: null, sunday: null },
    exceptions: [
      { date: '2026-12-25', hours: null, note: 'Christmas' },
      { date: '2026-12-28', hours: null, note: 'company day' },
      { date: '2026-12-31', hours: { open: '08:00', close: '17:00' }, note: 'New Year’s Eve' },
    ],
  });
  // Thursday 24 December 20:00 → Friday 25 closed, Sat/Sun closed, Monday 28 closed → Tuesday 29.
  t.equal(show(calendar.addBusinessHours(local('2026-12-24 20:00'), 4)), 'Tue 2026-12-29 10:00 +01:00');
  t.equal(calendar.openingOn('2026-12-25'), null);
  t.same(calendar.openingOn('2026-12-31'), { date: '2026-12-31', opensAt: local('2026-12-31 08:00'), closesAt: local('2026-12-31 17:00') });
  t.equal(show(calendar.addBusinessHours(local('2026-12-31 15:00'), 4)), 'Fri 2027-01-01 10:00 +01:00', 'short day, then the weekday hours');
});

t.test('businessTimeBetween is signed and counts only open time', async (t) => {
  const a = local('2026-01-15 21:00');
  const b = local('2026-01-16 09:30');
  t.equal(helpdesk.businessTimeBetween(a, b), 150 * MINUTE_MS);
  t.equal(helpdesk.businessTimeBetween(b, a), -150 * MINUTE_MS);
  t.equal(helpdesk.businessTimeBetween(a, a), 0);
  t.equal(helpdesk.businessTimeBetween(local('2026-01-15 23:00'), local('2026-01-16 07:00')), 0, 'a night is no business time');
  t.equal(helpdesk.businessTimeBetween(local('2026-01-01 00:00'), local('2026-02-01 00:00')), 31 * 14 * HOUR_MS, 'a month');
});

t.test('bad calendars and inputs are refused with codes', async (t) => {
  t.throws(() => createBusinessCalendar({ weekly: { monday: { open: '22:00', close: '08:00' } } }), { code: 'invalid-config' });
  t.throws(() => createBusinessCalendar({ weekly: { monday: { open: '8:00', close: '22:00' } } }), { code: 'invalid-config' });
  t.throws(
    () => createBusinessCalendar({ weekly: { monday: null, tuesday: null, wednesday: null, thursday: null, friday: null, saturday: null, sunday: null } }),
    { code: 'invalid-config' },
  );
  t.throws(
    () => createBusinessCalendar({ exceptions: [{ date: '2026-12-25', hours: null }, { date: '2026-12-25', hours: null }] }),
    { code: 'invalid-config' },
  );
  t.throws(() => helpdesk.addBusinessHours(local('2026-01-15 12:00'), -1), { code: 'invalid-input' });
  t.throws(() => helpdesk.addBusinessHours(Number.NaN, 1), { code: 'invalid-input' });
  // Only Mondays open, and the next 20 Mondays closed by exceptions: the search still ends.
  const mondays = Array.from({ length: 20 }, (_, i) => ({ date: localDateOf(local('2026-01-19 12:00') + i * 7 * 24 * HOUR_MS), hours: null }));
  const rare = createBusinessCalendar({
    weekly: { tuesday: null, wednesday: null, thursday: null, friday: null, saturday: null, sunday: null },
    exceptions: mondays,
  });
  t.equal(show(rare.nextOpening(local('2026-01-13 12:00'))), 'Mon 2026-06-08 08:00 +02:00', 'the first Monday not closed');
  let caught: unknown;
  try {
    createBusinessCalendar({ weekly: { monday: { open: '10:00', close: '09:00' } } });
  } catch (error) {
    caught = error;
  }
  t.ok(isRuleError(caught, 'invalid-config'), 'a RuleError with its code');
  t.match((caught as Error).message, /weekly\.monday\.close: open must be before close/);
});

// Instants from 2025 to 2028, minute-aligned or not, cover both DST changes several times.
const instant = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') });
const calendars = [helpdesk, contract, createBusinessCalendar({ weekly: { sunday: null, saturday: { open: '10:00', close: '17:00' } } })];

t.test('property: businessTimeBetween(a, addBusinessTime(a, d)) == d, from any instant', async (t) => {
  for (const calendar of calendars) {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 200 * HOUR_MS }), (a, d) => calendar.businessTimeBetween(a, calendar.addBusinessTime(a, d)) === d),
      { numRuns: 300 },
    );
  }
  t.pass('holds for 900 random reports and durations');
});

t.test('property: the deadline is open or at a closing, and adding in two steps = adding at once', async (t) => {
  fc.assert(
    fc.property(instant, fc.integer({ min: 1, max: 50 * HOUR_MS }), fc.integer({ min: 0, max: 50 * HOUR_MS }), (a, x, y) => {
      const deadline = helpdesk.addBusinessTime(a, x);
      const atClosing = helpdesk.isOpen(deadline - 1) && !helpdesk.isOpen(deadline);
      return (helpdesk.isOpen(deadline) || atClosing) && helpdesk.addBusinessTime(deadline, y) === helpdesk.addBusinessTime(a, x + y);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

t.test('property: business time is additive over a split point, and every day has 14 hours', async (t) => {
  fc.assert(
    fc.property(instant, instant, instant, (p, q, r) => {
      const [a, b, c] = [p, q, r].sort((x, y) => x - y) as [number, number, number];
      return helpdesk.businessTimeBetween(a, c) === helpdesk.businessTimeBetween(a, b) + helpdesk.businessTimeBetween(b, c);
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4 * 366 }), (n) => {
      const day = new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10);
      const opening = helpdesk.openingOn(day);
      return opening !== null && opening.closesAt - opening.opensAt === 14 * HOUR_MS;
    }),
    { numRuns: 500 },
  );
  t.pass();
});
