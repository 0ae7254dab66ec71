// R12-R14: the swap SLA. The technician is due at the door, to start replacing, within 4
// business hours of the report (R12; the Dutch service description: "Streven hierbij is dat de
// monteur binnen 4 uur bij u aanwezig is om te beginnen met het vervangen"), so the SLA is
// measured to "on site", not to "replaced". At risk: at most `atRiskMarginMinutes` business
// time left (default 60). Met exactly at the deadline; breached from the next millisecond.
import { z } from 'zod';
import type { BusinessCalendar } from './business-calendar.js';
import type { SwapTicket } from './swap-ticket.js';
import type { Instant } from './time.js';

export const SwapSlaConfigSchema = z.object({
  /** R12: business hours from report to technician on site. */
  slaBusinessHours: z.number().positive().max(100).default(4),
  /** A ticket is at risk with this much business time left, or less. */
  atRiskMarginMinutes: z.number().int().min(0).max(24 * 60).default(60),
});
export type SwapSlaConfig = z.output<typeof SwapSlaConfigSchema>;
export const DEFAULT_SWAP_SLA_CONFIG: SwapSlaConfig = SwapSlaConfigSchema.parse({});

const MINUTE_MS = 60_000;

export interface SlaTimes {
  /** When counting starts: the report, or the next opening for a report outside the hours (R13). */
  readonly startsAt: Instant;
  readonly deadline: Instant;
  /** The first instant at which the ticket is at risk (if the technician is not there yet). */
  readonly atRiskFrom: Instant;
}

export function slaTimes(reportedAt: Instant, calendar: BusinessCalendar, config: SwapSlaConfig = DEFAULT_SWAP_SLA_CONFIG): SlaTimes {
  const slaMs = config.slaBusinessHours * 3_600_000;
  const marginMs = Math.min(slaMs, config.atRiskMarginMinutes * MINUTE_MS);
  return {
    startsAt: calendar.nextOpening(reportedAt),
    deadline: calendar.addBusinessTime(reportedAt, slaMs),
    atRiskFrom: calendar.addBusinessTime(reportedAt, slaMs - marginMs),
  };
}

export type SlaState = 'ok' | 'at-risk' | 'breached';

export interface SlaStatus {
  readonly status: SlaState;
  /** The technician is on site or the ticket was cancelled: this status will not change. */
  readonly settled: boolean;
  readonly deadline: Instant;
  /** `now`, or the on-site or cancellation instant of a settled ticket. */
  readonly reference: Instant;
  /** Business time from `reference` to the deadline; negative when late. */
  readonly businessTimeLeftMs: number;
  readonly onSiteAt: Instant | null;
}

/** The instant the technician was recorded on site, if he was. */
export function onSiteAtOf(ticket: SwapTicket): Instant | null {
  const stage = ticket.stage;
  return 'onSiteAt' in stage ? stage.onSiteAt : null;
}

export function slaStatus(
  ticket: SwapTicket,
  now: Instant,
  calendar: BusinessCalendar,
  config: SwapSlaConfig = DEFAULT_SWAP_SLA_CONFIG,
): SlaStatus {
  const onSiteAt = onSiteAtOf(ticket);
  const cancelledAt = ticket.stage.status === 'cancelled' ? ticket.stage.cancelledAt : null;
  const settledAt = onSiteAt ?? cancelledAt;
  const reference = settledAt ?? now;
  const deadline = ticket.deadline;
  const businessTimeLeftMs = calendar.businessTimeBetween(reference, deadline);
  let status: SlaState;
  if (reference > deadline) status = 'breached';
  else if (settledAt === null && businessTimeLeftMs <= config.atRiskMarginMinutes * MINUTE_MS) status = 'at-risk';
  else status = 'ok';
  return { status, settled: settledAt !== null, deadline, reference, businessTimeLeftMs, onSiteAt };
}

export interface SlaWatchEntry {
  readonly ticketId: string;
  readonly subscriptionId: string;
  readonly equipment: SwapTicket['equipment'];
  readonly ticketStatus: SwapTicket['stage']['status'];
  readonly sla: SlaStatus;
}

/** For the NOC: open tickets whose technician is not on site yet and that are at risk or breached, most urgent first. */
export function slaWatchlist(
  tickets: Iterable<SwapTicket>,
  now: Instant,
  calendar: BusinessCalendar,
  config: SwapSlaConfig = DEFAULT_SWAP_SLA_CONFIG,
): SlaWatchEntry[] {
  const entries: SlaWatchEntry[] = [];
  for (const ticket of tickets) {
    const sla = slaStatus(ticket, now, calendar, config);
    if (sla.settled || sla.status === 'ok') continue;
    entries.push({ ticketId: ticket.id, subscriptionId: ticket.subscriptionId, equipment: ticket.equipment, ticketStatus: ticket.stage.status, sla });
  }
  return entries.sort((a, b) => a.sla.deadline - b.sla.deadline || a.ticketId.localeCompare(b.ticketId));
}
