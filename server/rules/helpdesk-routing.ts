// R18: the telephony system asks "is this caller a ServicePlus customer?". Calls from a
// registered number go to the business helpdesk while it is open (daily 08:00-22:00 by
// default: its own calendar, which need not be the swap calendar of R13); otherwise, and for
// everyone else, to the regular queue, with the next opening for the announcement.
import { z } from 'zod';
import type { BusinessCalendar } from './business-calendar.js';
import type { ContractPhase } from './contract.js';
import { PhoneNumberSchema, type E164 } from './phone-number.js';
import type { Instant } from './time.js';

/** `GET …/lookup?number=020-3987656`. */
export const PhoneLookupQuerySchema = z.object({ number: PhoneNumberSchema });

export interface RegisteredSubscription {
  readonly subscriptionId: string;
  readonly phase: ContractPhase;
}

export interface HelpdeskAnswer {
  readonly caller: E164;
  readonly servicePlusCustomer: boolean;
  /** The subscription the number belongs to, when a customer. */
  readonly subscriptionId: string | null;
  readonly businessHelpdesk: {
    readonly open: boolean;
    /** While open: when it closes. */
    readonly closesAt: Instant | null;
    /** While closed: when it opens; while open: now. */
    readonly nextOpening: Instant;
  };
  readonly route: 'business-helpdesk' | 'regular';
}

/**
 * The answer for a caller whose number is already in E.164; `registrations` are the
 * subscriptions registered with that number (storage finds them). A subscription counts from
 * sign-up until its contract has ended.
 */
export function helpdeskAnswer(caller: E164, registrations: readonly RegisteredSubscription[], now: Instant, calendar: BusinessCalendar): HelpdeskAnswer {
  const current = registrations.filter((r) => r.phase !== 'ended').sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
  const interval = calendar.openIntervalAt(now);
  const customer = current.length > 0;
  return {
    caller,
    servicePlusCustomer: customer,
    subscriptionId: current[0]?.subscriptionId ?? null,
    businessHelpdesk: { open: interval !== null, closesAt: interval?.closesAt ?? null, nextOpening: calendar.nextOpening(now) },
    route: customer && interval !== null ? 'business-helpdesk' : 'regular',
  };
}
