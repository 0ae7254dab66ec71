// R13: the helpdesk's opening hours as configuration. Wall-clock times in Europe/Amsterdam per
// weekday (null = closed all day), plus per-date exceptions (public holidays, a late evening).
// Default: every day 08:00 to 22:00 (R13, R18); the contract's 08:00 to 23:00 (R13, article 7.3)
// is `dailyHours('08:00', '23:00')`.
import { z } from 'zod';
import { LocalDateSchema } from './time.js';

/** `HH:mm`, 00:00 to 24:00 (24:00 = the end of the day, for hours that run to midnight). */
export const TimeOfDaySchema = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected a time of day as HH:mm, 00:00 to 24:00');
export type TimeOfDay = z.infer<typeof TimeOfDaySchema>;

export function minutesOfDay(time: TimeOfDay): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/** One opening per day, `open` before `close`. */
export const DayHoursSchema = z
  .object({ open: TimeOfDaySchema, close: TimeOfDaySchema })
  .refine((h) => minutesOfDay(h.open) < minutesOfDay(h.close), {
    message: 'open must be before close',
    path: ['close'],
  });
export type DayHours = z.infer<typeof DayHoursSchema>;

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const DEFAULT_DAY_HOURS: DayHours = { open: '08:00', close: '22:00' };

const dayEntry = DayHoursSchema.nullable().default(DEFAULT_DAY_HOURS);

export const CalendarExceptionSchema = z.object({
  date: LocalDateSchema,
  /** The hours on that date instead of the weekday's; null = closed. */
  hours: DayHoursSchema.nullable(),
  note: z.string().max(200).optional(),
});
export type CalendarException = z.infer<typeof CalendarExceptionSchema>;

export const BusinessCalendarConfigSchema = z
  .object({
    weekly: z
      .object({
        monday: dayEntry,
        tuesday: dayEntry,
        wednesday: dayEntry,
        thursday: dayEntry,
        friday: dayEntry,
        saturday: dayEntry,
        sunday: dayEntry,
      })
      .default({
        monday: DEFAULT_DAY_HOURS,
        tuesday: DEFAULT_DAY_HOURS,
        wednesday: DEFAULT_DAY_HOURS,
        thursday: DEFAULT_DAY_HOURS,
        friday: DEFAULT_DAY_HOURS,
        saturday: DEFAULT_DAY_HOURS,
        sunday: DEFAULT_DAY_HOURS,
      }),
    exceptions: z.array(CalendarExceptionSchema).max(1000).default([]),
  })
  .refine((c) => WEEKDAYS.some((day) => c.weekly[day] !== null), {
    message: 'at least one weekday must have opening hours',
    path: ['weekly'],
  })
  .refine((c) => new Set(c.exceptions.map((e) => e.date)).size === c.exceptions.length, {
    message: 'each date may have one exception only',
    path: ['exceptions'],
  });
export type BusinessCalendarConfig = z.output<typeof BusinessCalendarConfigSchema>;
export type BusinessCalendarConfigInput = z.input<typeof BusinessCalendarConfigSchema>;

/** The same hours every day of the week. */
export function dailyHours(open: TimeOfDay, close: TimeOfDay): BusinessCalendarConfigInput {
  const hours = { open, close };
  return {
    weekly: { monday: hours, tuesday: hours, wednesday: hours, thursday: hours, friday: hours, saturday: hours, sunday: hours },
  };
}
