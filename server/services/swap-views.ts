// What the API shows of a swap ticket (R12-R15): the NOC list's row (stage, deadline, SLA state,
// business time left) and the full ticket with its stage details, return, fault and history.
import { z } from 'zod';
import type { BusinessCalendar } from '../rules/business-calendar.js';
import { slaStatus, type SwapSlaConfig } from '../rules/swap-sla.js';
import type { SwapTicket } from '../rules/swap-ticket.js';
import { ActorViewSchema } from './contract-views.js';

const Instant = z.string().describe('ISO 8601 instant');
const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : iso(ms));

export const SwapStageNameSchema = z.enum(['reported', 'dispatched', 'on-site', 'replaced', 'closed', 'cancelled']);

export const SwapTicketSummarySchema = z.object({
  id: z.string(),
  subscription: z.object({ id: z.string(), reference: z.string() }),
  /** R12: the router (CPE) or the UMTS stick. */
  equipment: z.enum(['router', 'stick']),
  stage: SwapStageNameSchema,
  reportedAt: Instant,
  /** R12-R14: 4 business hours after the report (or after the next opening). */
  deadline: Instant,
  /** ok, at-risk (at most the configured margin of business time left) or breached; settled once the technician is on site. */
  slaStatus: z.enum(['ok', 'at-risk', 'breached']),
  /** Business time from now (or from the arrival, once on site) to the deadline; negative when late. */
  businessTimeLeftMs: z.number(),
  slaSettled: z.boolean(),
  onSiteAt: Instant.nullable(),
  technicianId: z.string().nullable(),
  defectiveDeviceId: z.string(),
  /** R15: where the defective unit is. */
  returnStatus: z.enum(['not-due', 'due', 'posted', 'received']),
  /** R15: the defect was the customer's fault: a one-off charge applies. */
  oneOffCharge: z.boolean(),
});
export type SwapTicketSummary = z.infer<typeof SwapTicketSummarySchema>;

export const SwapTicketViewSchema = SwapTicketSummarySchema.extend({
  description: z.string(),
  defectiveSerial: z.string().nullable(),
  reportedBy: ActorViewSchema,
  /** R13: reported while the helpdesk was closed; counted from the next opening. */
  reportedOutsideHours: z.boolean(),
  slaStartsAt: Instant,
  dispatchedAt: Instant.nullable(),
  replacedAt: Instant.nullable(),
  replacement: z.object({ serial: z.string().nullable(), deviceId: z.string().nullable() }).nullable(),
  closedAt: Instant.nullable(),
  cancelled: z.object({ at: Instant, from: z.string(), reason: z.string() }).nullable(),
  defectiveReturn: z.object({ status: z.enum(['not-due', 'due', 'posted', 'received']), since: Instant.nullable(), postedAt: Instant.nullable(), reference: z.string().nullable(), method: z.enum(['technician', 'post']).nullable(), receivedAt: Instant.nullable() }),
  fault: z.object({ assessed: z.boolean(), customerFault: z.boolean().nullable(), at: Instant.nullable(), by: ActorViewSchema.nullable(), note: z.string().nullable() }),
  history: z.array(
    z.object({ at: Instant, by: ActorViewSchema, event: z.string(), from: z.string().nullable(), to: z.string(), details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) }),
  ),
});
export type SwapTicketView = z.infer<typeof SwapTicketViewSchema>;

export interface SlaContext {
  readonly calendar: BusinessCalendar;
  readonly config: SwapSlaConfig;
  readonly now: number;
}

export function swapTicketSummary(ticket: SwapTicket, extra: { reference: string; oneOffCharge: boolean }, sla: SlaContext): SwapTicketSummary {
  const status = slaStatus(ticket, sla.now, sla.calendar, sla.config);
  const stage = ticket.stage;
  return {
    id: ticket.id,
    subscription: { id: ticket.subscriptionId, reference: extra.reference },
    equipment: ticket.equipment,
    stage: stage.status,
    reportedAt: iso(ticket.reportedAt),
    deadline: iso(ticket.deadline),
    slaStatus: status.status,
    businessTimeLeftMs: status.businessTimeLeftMs,
    slaSettled: status.settled,
    onSiteAt: isoOrNull(status.onSiteAt),
    technicianId: 'technicianId' in stage ? stage.technicianId : null,
    defectiveDeviceId: ticket.defectiveDeviceId,
    returnStatus: ticket.defectiveReturn.status,
    oneOffCharge: extra.oneOffCharge,
  };
}

export function swapTicketView(ticket: SwapTicket, extra: { reference: string; oneOffCharge: boolean }, sla: SlaContext): SwapTicketView {
  const stage = ticket.stage;
  const unit = ticket.defectiveReturn;
  const fault = ticket.fault;
  return {
    ...swapTicketSummary(ticket, extra, sla),
    description: ticket.description,
    defectiveSerial: ticket.defectiveSerial,
    reportedBy: ticket.reportedBy,
    reportedOutsideHours: ticket.reportedOutsideHours,
    slaStartsAt: iso(ticket.slaStartsAt),
    dispatchedAt: 'dispatchedAt' in stage ? iso(stage.dispatchedAt) : null,
    replacedAt: 'replacedAt' in stage ? iso(stage.replacedAt) : null,
    replacement: 'replacement' in stage ? stage.replacement : null,
    closedAt: stage.status === 'closed' ? iso(stage.closedAt) : null,
    cancelled: stage.status === 'cancelled' ? { at: iso(stage.cancelledAt), from: stage.cancelledFrom, reason: stage.reason } : null,
    defectiveReturn: {
      status: unit.status,
      since: 'since' in unit ? iso(unit.since) : null,
      postedAt: unit.status === 'posted' ? iso(unit.postedAt) : null,
      reference: unit.status === 'posted' ? unit.reference : null,
      method: unit.status === 'received' ? unit.method : null,
      receivedAt: unit.status === 'received' ? iso(unit.receivedAt) : null,
    },
    fault:
      fault.status === 'assessed'
        ? { assessed: true, customerFault: fault.customerFault, at: iso(fault.at), by: fault.by, note: fault.note }
        : { assessed: false, customerFault: null, at: null, by: null, note: null },
    history: ticket.history.map((h) => ({ at: iso(h.at), by: h.by, event: h.event, from: h.from, to: h.to, details: { ...h.details } })),
  };
}
