// R12-R14, R18: business time. Opening hours are wall-clock times in Europe/Amsterdam, turned
// into instants with luxon for each date, so a day open 08:00-22:00 has 14 business hours on
// the nights the clocks change too (the change happens at 02:00/03:00, outside the hours).
// Business time is real elapsed time while open. Intervals are half-open: open at 08:00:00.000,
// closed at 22:00:00.000. Hours that would contain the change itself (e.g. 00:00-24:00) have
// 23 or 25 real hours that day; a time that does not exist (02:30 on the last Sunday of March)
// moves forward to 03:30, as luxon resolves it, and an ambiguous one (02:30 on the last Sunday
// of October) is the second, standard-time one.
import { DateTime } from 'luxon';
import { HOUR_MS, TIME_ZONE } from '../../shared/service.js';
import {
  BusinessCalendarConfigSchema,
  WEEKDAYS,
  minutesOfDay,
  type BusinessCalendarConfig,
  type BusinessCalendarConfigInput,
  type DayHours,
} from './calendar-config.js';
import { RuleError } from './errors.js';
import { assertInstant, localTime, LocalDateSchema, type Instant, type LocalDate } from './time.js';

export interface OpenInterval {
  /** The local date whose hours these are. */
  readonly date: LocalDate;
  readonly opensAt: Instant;
  /** Exclusive: closed from this instant. */
  readonly closesAt: Instant;
}

export interface BusinessCalendar {
  readonly config: BusinessCalendarConfig;
  /** The opening on a local date, or null when closed all day. */
  openingOn(date: LocalDate): OpenInterval | null;
  isOpen(at: Instant): boolean;
  /** The opening `at` falls in, or null when closed at `at`. */
  openIntervalAt(at: Instant): OpenInterval | null;
  /** The earliest instant at or after `at` when open: `at` itself while open. */
  nextOpening(at: Instant): Instant;
  /** `from` plus `hours` business hours; from outside the hours, counting starts at the next opening. */
  addBusinessHours(from: Instant, hours: number): Instant;
  /** As addBusinessHours, in milliseconds. */
  addBusinessTime(from: Instant, ms: number): Instant;
  /** Business milliseconds from `a` to `b`; negative when `b` is before `a`. */
  businessTimeBetween(a: Instant, b: Instant): number;
}

/** A civil date; stepping through dates needs no time zone, only the calendar. */
interface Day {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function createBusinessCalendar(input: BusinessCalendarConfigInput = {}): BusinessCalendar {
  const parsed = BusinessCalendarConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(calendar)'}: ${i.message}`);
    throw new RuleError('invalid-config', `invalid business calendar: ${problems.join('; ')}`, { problems });
  }
  const config = parsed.data;
  const exceptions = new Map(config.exceptions.map((e) => [e.date, e.hours]));
  // A run of closed days holds at most 6 closed weekdays between two openings, and each
  // exception that closes an opening day joins two such runs: 7 per exception, plus 6.
  const maxClosedDays = 7 * (config.exceptions.length + 1);
  // Openings per date, computed once: luxon's zone arithmetic dominates long spans. Bounded.
  const openings = new Map<string, OpenInterval | null>();

  function dayOf(at: Instant): Day {
    const local = localTime(at);
    return { year: local.year, month: local.month, day: local.day };
  }

  function nextDay(d: Day): Day {
    const next = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
    return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
  }

  function isoDate(d: Day): LocalDate {
    return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  }

  function hoursOn(d: Day, date: LocalDate): DayHours | null {
    const exception = exceptions.get(date);
    if (exception !== undefined) return exception;
    const weekday = (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7; // Monday = 0
    return config.weekly[WEEKDAYS[weekday]!];
  }

  function instantAt(d: Day, minutes: number): Instant {
    if (minutes === 24 * 60) return DateTime.fromObject({ ...d }, { zone: TIME_ZONE }).plus({ days: 1 }).toMillis();
    return DateTime.fromObject({ ...d, hour: Math.floor(minutes / 60), minute: minutes % 60 }, { zone: TIME_ZONE }).toMillis();
  }

  function intervalOn(d: Day): OpenInterval | null {
    const date = isoDate(d);
    let interval = openings.get(date);
    if (interval === undefined) {
      if (openings.size >= 20_000) openings.clear();
      interval = computeInterval(d, date);
      openings.set(date, interval);
    }
    return interval;
  }

  function computeInterval(d: Day, date: LocalDate): OpenInterval | null {
    const hours = hoursOn(d, date);
    if (!hours) return null;
    const opensAt = instantAt(d, minutesOfDay(hours.open));
    const closesAt = instantAt(d, minutesOfDay(hours.close));
    // Only hours inside the spring gap (02:30-03:00) can collapse; such a day has no opening.
    if (closesAt <= opensAt) return null;
    return { date, opensAt, closesAt };
  }

  /** The openings that end after `at`, in order, for ever. */
  function* intervalsAfter(at: Instant): Generator<OpenInterval> {
    let day = dayOf(at);
    let closedRun = 0;
    for (;;) {
      const interval = intervalOn(day);
      if (interval && interval.closesAt > at) {
        closedRun = 0;
        yield interval;
      } else if (!interval && ++closedRun > maxClosedDays) {
        throw new RuleError('calendar-never-opens', `no opening in ${maxClosedDays} days after ${isoDate(day)}`);
      }
      day = nextDay(day);
    }
  }

  function first<T>(items: Iterable<T>): T {
    for (const item of items) return item;
    throw new RuleError('calendar-never-opens', 'no opening found');
  }

  function addBusinessTime(from: Instant, ms: number): Instant {
    assertInstant(from, 'from');
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RuleError('invalid-input', `business time to add must be zero or more: ${ms}`, { ms });
    }
    let remaining = Math.round(ms);
    for (const interval of intervalsAfter(from)) {
      const start = Math.max(from, interval.opensAt);
      const available = interval.closesAt - start;
      if (remaining <= available) return start + remaining;
      remaining -= available;
    }
    throw new RuleError('calendar-never-opens', 'no opening found');
  }

  function forwardBetween(a: Instant, b: Instant): number {
    let total = 0;
    for (const interval of intervalsAfter(a)) {
      if (interval.opensAt >= b) break;
      total += Math.min(b, interval.closesAt) - Math.max(a, interval.opensAt);
    }
    return total;
  }

  function openIntervalAt(at: Instant): OpenInterval | null {
    const interval = first(intervalsAfter(at));
    return interval.opensAt <= at ? interval : null;
  }

  return {
    config,
    openingOn(date) {
      const day = DateTime.fromISO(date, { zone: TIME_ZONE });
      if (!LocalDateSchema.safeParse(date).success || !day.isValid) {
        throw new RuleError('invalid-input', `not a date (YYYY-MM-DD): ${JSON.stringify(date)}`, { date });
      }
      return intervalOn({ year: day.year, month: day.month, day: day.day });
    },
    isOpen: (at) => openIntervalAt(at) !== null,
    openIntervalAt,
    nextOpening: (at) => Math.max(at, first(intervalsAfter(at)).opensAt),
    addBusinessHours: (from, hours) => addBusinessTime(from, hours * HOUR_MS),
    addBusinessTime,
    businessTimeBetween(a, b) {
      assertInstant(a, 'a');
      assertInstant(b, 'b');
      return b >= a ? forwardBetween(a, b) : -forwardBetween(b, a);
    },
  };
}
