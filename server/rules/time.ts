// Instants and local dates for the rules. An instant is milliseconds since the epoch (as
// `Clock.now()` gives); a local date is `YYYY-MM-DD` in Europe/Amsterdam. Calendar arithmetic
// goes through luxon in TIME_ZONE, never through hand-made offsets.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { InstantSchema } from '../../shared/contract/messages.js';
import { TIME_ZONE } from '../../shared/service.js';
import { RuleError } from './errors.js';

/** Milliseconds since the Unix epoch. */
export type Instant = number;
/** A calendar date in Europe/Amsterdam, `YYYY-MM-DD`. */
export type LocalDate = string;

/** An ISO 8601 instant from HTTP, parsed to epoch milliseconds. */
export const InstantMsSchema = InstantSchema.transform((text) => Date.parse(text));
export const LocalDateSchema = z.iso.date({ message: 'expected a date as YYYY-MM-DD' });

export function assertInstant(at: number, name: string): void {
  if (!Number.isFinite(at)) throw new RuleError('invalid-input', `${name} is not a valid instant: ${at}`, { [name]: at });
}

/** The instant as luxon sees it in Europe/Amsterdam. */
export function localTime(at: Instant): DateTime {
  assertInstant(at, 'instant');
  return DateTime.fromMillis(at, { zone: TIME_ZONE });
}

function parseLocalDate(date: LocalDate): DateTime {
  const parsed = DateTime.fromISO(date, { zone: TIME_ZONE });
  if (!LocalDateSchema.safeParse(date).success || !parsed.isValid) {
    throw new RuleError('invalid-input', `not a date (YYYY-MM-DD): ${JSON.stringify(date)}`, { date });
  }
  return parsed.startOf('day');
}

/** The Amsterdam calendar date on which `at` falls. */
export function localDateOf(at: Instant): LocalDate {
  return localTime(at).toISODate() as LocalDate;
}

/** Local midnight at the start of `date`: 23:00 UTC the day before in winter, 22:00 in summer. */
export function startOfLocalDate(date: LocalDate): Instant {
  return parseLocalDate(date).toMillis();
}

export function addLocalDays(date: LocalDate, days: number): LocalDate {
  return parseLocalDate(date).plus({ days }).toISODate() as LocalDate;
}

/**
 * Calendar months, luxon's way: the same day number, clamped to the month's last day
 * (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February).
 */
export function addLocalMonths(date: LocalDate, months: number): LocalDate {
  return parseLocalDate(date).plus({ months }).toISODate() as LocalDate;
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier); DST does not matter. */
export function localDaysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round(parseLocalDate(to).diff(parseLocalDate(from), 'days').days);
}

export function toIso(at: Instant): string {
  return new Date(at).toISOString();
}
