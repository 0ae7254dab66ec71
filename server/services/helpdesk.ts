// R18: the telephony system's question "is this caller a ServicePlus customer, and is the
// business helpdesk open now?", answered from the phone numbers registered at sign-up and the
// helpdesk calendar; and both business calendars (R13 swap, R18 helpdesk) as configured.
import { z } from 'zod';
import type { BusinessCalendar } from '../rules/business-calendar.js';
import { BusinessCalendarConfigSchema } from '../rules/calendar-config.js';
import { contractPhase } from '../rules/contract.js';
import { helpdeskAnswer } from '../rules/helpdesk-routing.js';
import type { E164 } from '../rules/phone-number.js';
import { contractOf, getContract } from '../store/contracts.js';
import { subscriptionsByPhone } from '../store/subscriptions.js';
import type { ServiceContext } from './context.js';
import { calendarsOf } from './rules-config.js';

const Instant = z.string().describe('ISO 8601 instant');
const iso = (ms: number): string => new Date(ms).toISOString();

const OpeningSchema = z.object({
  open: z.boolean(),
  /** While open: when it closes. */
  closesAt: Instant.nullable(),
  /** While closed: when it opens; while open: now. */
  nextOpening: Instant,
});

export const HelpdeskAnswerSchema = z.object({
  caller: z.string().describe('The number in E.164'),
  servicePlusCustomer: z.boolean(),
  subscriptionId: z.string().nullable(),
  businessHelpdesk: OpeningSchema,
  /** Where the call goes: the business helpdesk only for a customer while it is open. */
  route: z.enum(['business-helpdesk', 'regular']),
});

export const CalendarsSchema = z.object({
  timeZone: z.literal('Europe/Amsterdam'),
  swap: z.object({ config: BusinessCalendarConfigSchema, now: OpeningSchema }).describe('R13/R14: the hours the swap SLA counts'),
  helpdesk: z.object({ config: BusinessCalendarConfigSchema, now: OpeningSchema }).describe('R18: the business helpdesk'),
});

export class HelpdeskService {
  constructor(private readonly ctx: ServiceContext) {}

  async lookup(caller: E164): Promise<z.infer<typeof HelpdeskAnswerSchema>> {
    const { store, clock, config } = this.ctx;
    const now = clock.now();
    const registrations = [];
    for (const subscription of await subscriptionsByPhone(store.db, caller)) {
      const contract = await getContract(store.db, subscription.id);
      registrations.push({ subscriptionId: subscription.id, phase: contract ? contractPhase(contractOf(contract), now, config.contract) : 'ordered' });
    }
    const answer = helpdeskAnswer(caller, registrations, now, calendarsOf(config).helpdesk);
    return { ...answer, businessHelpdesk: openingView(answer.businessHelpdesk) };
  }

  calendars(): z.infer<typeof CalendarsSchema> {
    const { config, clock } = this.ctx;
    const calendars = calendarsOf(config);
    const now = clock.now();
    return {
      timeZone: 'Europe/Amsterdam',
      swap: { config: calendars.swap.config, now: openingAt(calendars.swap, now) },
      helpdesk: { config: calendars.helpdesk.config, now: openingAt(calendars.helpdesk, now) },
    };
  }
}

function openingAt(calendar: BusinessCalendar, now: number) {
  const interval = calendar.openIntervalAt(now);
  return openingView({ open: interval !== null, closesAt: interval?.closesAt ?? null, nextOpening: calendar.nextOpening(now) });
}

function openingView(opening: { open: boolean; closesAt: number | null; nextOpening: number }): z.infer<typeof OpeningSchema> {
  return { open: opening.open, closesAt: opening.closesAt === null ? null : iso(opening.closesAt), nextOpening: iso(opening.nextOpening) };
}
