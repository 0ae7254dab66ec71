// The billing period: a calendar month in Europe/Amsterdam (R7 boost quota, R9 fair use, R16
// refunds). Month boundaries fall at local midnight, so their UTC instants move with DST.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { TIME_ZONE } from './service.js';

/** A period's name on the wire and in storage: `YYYY-MM`. */
export const PeriodIdSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM');
export type PeriodId = z.infer<typeof PeriodIdSchema>;

export interface BillingPeriod {
  readonly id: PeriodId;
  /** First millisecond of the month, local midnight on the 1st. */
  readonly start: number;
  /** First millisecond of the next month (exclusive end). */
  readonly end: number;
}

function fromLocalMonthStart(monthStart: DateTime): BillingPeriod {
  return {
    id: monthStart.toFormat('yyyy-MM'),
    start: monthStart.toMillis(),
    end: monthStart.plus({ months: 1 }).toMillis(),
  };
}

/** The last period computed: nearly every call falls in the same month, and asking luxon (Intl)
 *  costs tens of microseconds (measured by bench/api.ts: a few percent of a status request). */
let lastPeriod: BillingPeriod | null = null;

/** The period that `instant` (ms since the epoch) falls in. */
export function periodOf(instant: number): BillingPeriod {
  if (lastPeriod && instant >= lastPeriod.start && instant < lastPeriod.end) return lastPeriod;
  const local = DateTime.fromMillis(instant, { zone: TIME_ZONE });
  if (!local.isValid) throw new RangeError(`periodOf: not a valid instant: ${instant}`);
  lastPeriod = fromLocalMonthStart(local.startOf('month'));
  return lastPeriod;
}

/** The period named `id` (`YYYY-MM`); throws on a malformed name. */
export function periodById(id: string): BillingPeriod {
  const parsed = PeriodIdSchema.safeParse(id);
  if (!parsed.success) throw new RangeError(`periodById: ${JSON.stringify(id)} is not a month (YYYY-MM)`);
  const [year, month] = id.split('-').map(Number) as [number, number];
  return fromLocalMonthStart(DateTime.fromObject({ year, month, day: 1 }, { zone: TIME_ZONE }));
}

export function nextPeriod(period: BillingPeriod): BillingPeriod {
  return periodOf(period.end);
}

export function previousPeriod(period: BillingPeriod): BillingPeriod {
  return periodOf(period.start - 1);
}
