// R12, R15: a modem swap ticket, as a state machine on data. Lifecycle:
//   reported → dispatched → on-site → replaced → closed, and cancelled from reported,
//   dispatched or on-site (after the replacement there is nothing left to cancel: close it).
// Each change is dated, done by an actor, and kept in `history` (the audit trail). The
// defective unit's return and the fault assessment run alongside (swap-return.ts) once the
// replacement is in. The SLA deadline is fixed when the ticket opens (swap-sla.ts).
import { z } from 'zod';
import { IdSchema } from '../../shared/contract/messages.js';
import type { Actor } from './actor.js';
import type { BusinessCalendar } from './business-calendar.js';
import { RuleError } from './errors.js';
import { DEFAULT_SWAP_SLA_CONFIG, slaTimes, type SwapSlaConfig } from './swap-sla.js';
import {
  applyReturnEvent,
  oneOffChargeApplies,
  RETURN_EVENT_TYPES,
  type DefectiveReturn,
  type FaultAssessment,
  type ReturnEvent,
} from './swap-return.js';
import { assertInstant, InstantMsSchema, type Instant } from './time.js';

/** R12: the router (CPE, the FRITZ!Box) or the UMTS stick. */
export const EquipmentSchema = z.enum(['router', 'stick']);
export type Equipment = z.infer<typeof EquipmentSchema>;

/** The HTTP body that opens a ticket; subscription, device and actor come from the route. */
export const OpenSwapTicketBodySchema = z.object({
  equipment: EquipmentSchema,
  description: z.string().min(1).max(2000),
  /** The defective unit's serial number (router) or IMEI (stick), when the customer knows it. */
  defectiveSerial: z.string().min(1).max(64).nullable().default(null),
  /** When the customer reported it, if not now (a call taken earlier); never in the future. */
  reportedAt: InstantMsSchema.optional(),
});
export type OpenSwapTicketBody = z.output<typeof OpenSwapTicketBodySchema>;

export interface Replacement {
  /** The new unit's serial number or IMEI, as the technician notes it. */
  readonly serial: string | null;
  /** For a router: the control plane's id of the newly enrolled device, once it enrolled. */
  readonly deviceId: string | null;
}

export type CancellableStatus = 'reported' | 'dispatched' | 'on-site';

export type SwapStage =
  | { readonly status: 'reported' }
  | { readonly status: 'dispatched'; readonly technicianId: string; readonly dispatchedAt: Instant }
  | { readonly status: 'on-site'; readonly technicianId: string; readonly dispatchedAt: Instant; readonly onSiteAt: Instant }
  | {
      readonly status: 'replaced';
      readonly technicianId: string;
      readonly dispatchedAt: Instant;
      readonly onSiteAt: Instant;
      readonly replacedAt: Instant;
      readonly replacement: Replacement;
    }
  | {
      readonly status: 'closed';
      readonly technicianId: string;
      readonly dispatchedAt: Instant;
      readonly onSiteAt: Instant;
      readonly replacedAt: Instant;
      readonly replacement: Replacement;
      readonly closedAt: Instant;
    }
  | {
      readonly status: 'cancelled';
      readonly cancelledFrom: CancellableStatus;
      readonly cancelledAt: Instant;
      readonly reason: string;
      readonly technicianId: string | null;
    };

export type SwapStatus = SwapStage['status'];
export const OPEN_SWAP_STATUSES: readonly SwapStatus[] = ['reported', 'dispatched', 'on-site', 'replaced'];

export interface SwapHistoryEntry {
  readonly at: Instant;
  readonly by: Actor;
  readonly event: SwapEvent['type'] | 'reported';
  readonly from: SwapStatus | null;
  readonly to: SwapStatus;
  /** Short facts for the audit log (technician, reason, serial, …). */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface SwapTicket {
  readonly id: string;
  readonly subscriptionId: string;
  readonly equipment: Equipment;
  /** The control plane's device (the router with its agent) that the defective equipment belongs to. */
  readonly defectiveDeviceId: string;
  readonly defectiveSerial: string | null;
  readonly description: string;
  readonly reportedAt: Instant;
  readonly reportedBy: Actor;
  /** R13: the report arrived while the helpdesk was closed; counting starts at the next opening. */
  readonly reportedOutsideHours: boolean;
  readonly slaStartsAt: Instant;
  readonly deadline: Instant;
  readonly stage: SwapStage;
  readonly defectiveReturn: DefectiveReturn;
  readonly fault: FaultAssessment;
  readonly history: readonly SwapHistoryEntry[];
}

export type SwapEvent =
  | { readonly type: 'dispatch'; readonly at: Instant; readonly by: Actor; readonly technicianId: string }
  /** R12: the technician is at the door, to start replacing: the SLA is measured to this. */
  | { readonly type: 'arrive'; readonly at: Instant; readonly by: Actor }
  | { readonly type: 'replace'; readonly at: Instant; readonly by: Actor; readonly replacement: Partial<Replacement> }
  /** A replacement router enrolled (the API's enrollment found this ticket): its credentials replace the old ones. */
  | { readonly type: 'replacement-enrolled'; readonly at: Instant; readonly by: Actor; readonly deviceId: string }
  | { readonly type: 'close'; readonly at: Instant; readonly by: Actor; readonly note?: string }
  | { readonly type: 'cancel'; readonly at: Instant; readonly by: Actor; readonly reason: string }
  | ReturnEvent;

/** The HTTP body of an event; the API adds `by` (the caller) and `at` (the clock, unless given). */
export const SwapEventBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dispatch'), technicianId: IdSchema, at: InstantMsSchema.optional() }),
  z.object({ type: z.literal('arrive'), at: InstantMsSchema.optional() }),
  z.object({
    type: z.literal('replace'),
    replacement: z.object({ serial: z.string().min(1).max(64).nullable().optional() }).default({}),
    at: InstantMsSchema.optional(),
  }),
  z.object({ type: z.literal('close'), note: z.string().max(2000).optional(), at: InstantMsSchema.optional() }),
  z.object({ type: z.literal('cancel'), reason: z.string().min(1).max(2000), at: InstantMsSchema.optional() }),
  z.object({ type: z.literal('return-handed-to-technician'), at: InstantMsSchema.optional() }),
  z.object({ type: z.literal('return-posted'), reference: z.string().min(1).max(64).nullable().optional(), at: InstantMsSchema.optional() }),
  z.object({ type: z.literal('return-received'), at: InstantMsSchema.optional() }),
  z.object({ type: z.literal('fault-assessed'), customerFault: z.boolean(), note: z.string().max(2000).optional(), at: InstantMsSchema.optional() }),
]);
export type SwapEventBody = z.output<typeof SwapEventBodySchema>;

/** What the caller carries out after a change (the rules do no I/O). */
export type SwapAction =
  /** Arm the expiry queue: the NOC list changes at these instants. */
  | { readonly type: 'watch-sla'; readonly ticketId: string; readonly atRiskFrom: Instant; readonly deadline: Instant }
  /** A router was replaced and its successor enrolled: the old device's credentials stop working. */
  | { readonly type: 'revoke-device-credentials'; readonly deviceId: string; readonly replacedBy: string; readonly ticketId: string }
  /** R15: bill the one-off charge for a defect that was the customer's fault. */
  | { readonly type: 'record-one-off-charge'; readonly subscriptionId: string; readonly ticketId: string; readonly equipment: Equipment }
  /** R15: tell the customer where to post the defective unit (swap-return.ts FREE_RETURN_ADDRESS). */
  | { readonly type: 'send-return-instructions'; readonly subscriptionId: string; readonly ticketId: string };

export interface SwapResult {
  readonly ticket: SwapTicket;
  readonly actions: readonly SwapAction[];
}

export interface OpenSwapTicketInput {
  readonly id: string;
  readonly subscriptionId: string;
  readonly equipment: Equipment;
  readonly defectiveDeviceId: string;
  readonly defectiveSerial?: string | null;
  readonly description: string;
  readonly reportedAt: Instant;
  readonly reportedBy: Actor;
}

/** An open ticket for the same subscription and equipment refuses a second one. */
export function assertNoOpenSwapTicket(tickets: Iterable<SwapTicket>, subscriptionId: string, equipment: Equipment): void {
  for (const ticket of tickets) {
    if (ticket.subscriptionId === subscriptionId && ticket.equipment === equipment && OPEN_SWAP_STATUSES.includes(ticket.stage.status)) {
      throw new RuleError('swap-ticket-already-open', `ticket ${ticket.id} is already open for this ${equipment}`, {
        ticketId: ticket.id,
      });
    }
  }
}

export function openSwapTicket(
  input: OpenSwapTicketInput,
  calendar: BusinessCalendar,
  config: SwapSlaConfig = DEFAULT_SWAP_SLA_CONFIG,
): SwapResult {
  assertInstant(input.reportedAt, 'reportedAt');
  const times = slaTimes(input.reportedAt, calendar, config);
  const ticket: SwapTicket = {
    id: input.id,
    subscriptionId: input.subscriptionId,
    equipment: input.equipment,
    defectiveDeviceId: input.defectiveDeviceId,
    defectiveSerial: input.defectiveSerial ?? null,
    description: input.description,
    reportedAt: input.reportedAt,
    reportedBy: input.reportedBy,
    reportedOutsideHours: !calendar.isOpen(input.reportedAt),
    slaStartsAt: times.startsAt,
    deadline: times.deadline,
    stage: { status: 'reported' },
    defectiveReturn: { status: 'not-due' },
    fault: { status: 'unassessed' },
    history: [
      { at: input.reportedAt, by: input.reportedBy, event: 'reported', from: null, to: 'reported', details: { equipment: input.equipment } },
    ],
  };
  return { ticket, actions: [{ type: 'watch-sla', ticketId: ticket.id, atRiskFrom: times.atRiskFrom, deadline: times.deadline }] };
}

function refuse(ticket: SwapTicket, event: SwapEvent, why?: string): never {
  const status = ticket.stage.status;
  throw new RuleError('invalid-transition', why ?? `a ${status} ticket cannot take '${event.type}'`, {
    ticketId: ticket.id,
    status,
    event: event.type,
  });
}

const isReturnEvent = (event: SwapEvent): event is ReturnEvent => (RETURN_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * Applies one event. Refuses (RuleError) an event the state does not allow ('invalid-transition'),
 * one dated before the ticket's last change ('out-of-order') or after `now` ('invalid-input').
 */
export function applySwapEvent(ticket: SwapTicket, event: SwapEvent, now: Instant): SwapResult {
  assertInstant(event.at, 'at');
  if (event.at > now) throw new RuleError('invalid-input', `${event.type} is dated in the future`, { at: event.at, now });
  const last = ticket.history[ticket.history.length - 1];
  if (last && event.at < last.at) {
    throw new RuleError('out-of-order', `${event.type} is dated before the ticket's last change`, { at: event.at, lastAt: last.at });
  }
  const step = isReturnEvent(event) ? returnStep(ticket, event) : lifecycleStep(ticket, event);
  const entry: SwapHistoryEntry = {
    at: event.at,
    by: event.by,
    event: event.type,
    from: ticket.stage.status,
    to: step.ticket.stage.status,
    details: step.details,
  };
  return { ticket: { ...step.ticket, history: [...ticket.history, entry] }, actions: step.actions };
}

interface Step {
  /** The ticket after the event, history not yet extended. */
  readonly ticket: SwapTicket;
  readonly details: SwapHistoryEntry['details'];
  readonly actions: readonly SwapAction[];
}

interface StageStep {
  readonly stage: SwapStage;
  readonly details: SwapHistoryEntry['details'];
  readonly actions: readonly SwapAction[];
}

function lifecycleStep(ticket: SwapTicket, event: Exclude<SwapEvent, ReturnEvent>): Step {
  const step = stageStep(ticket, event);
  return {
    ticket: { ...ticket, stage: step.stage, defectiveReturn: returnAfter(ticket, step.stage, event.at) },
    details: step.details,
    actions: step.actions,
  };
}

function stageStep(ticket: SwapTicket, event: Exclude<SwapEvent, ReturnEvent>): StageStep {
  const stage = ticket.stage;
  switch (event.type) {
    case 'dispatch':
      // From 'dispatched' it reassigns the ticket to another technician.
      if (stage.status !== 'reported' && stage.status !== 'dispatched') refuse(ticket, event);
      return {
        stage: { status: 'dispatched', technicianId: event.technicianId, dispatchedAt: stage.status === 'dispatched' ? stage.dispatchedAt : event.at },
        details: { technicianId: event.technicianId, reassigned: stage.status === 'dispatched' },
        actions: [],
      };
    case 'arrive':
      if (stage.status !== 'dispatched') refuse(ticket, event);
      return { stage: { ...stage, status: 'on-site', onSiteAt: event.at }, details: { deadlineMet: event.at <= ticket.deadline }, actions: [] };
    case 'replace': {
      if (stage.status !== 'on-site') refuse(ticket, event);
      const replacement: Replacement = { serial: event.replacement.serial ?? null, deviceId: event.replacement.deviceId ?? null };
      const actions: SwapAction[] = [];
      if (replacement.deviceId !== null) actions.push(...revokeOld(ticket, replacement.deviceId));
      actions.push({ type: 'send-return-instructions', subscriptionId: ticket.subscriptionId, ticketId: ticket.id });
      return {
        stage: { ...stage, status: 'replaced', replacedAt: event.at, replacement },
        details: { serial: replacement.serial, deviceId: replacement.deviceId },
        actions,
      };
    }
    case 'replacement-enrolled': {
      if (ticket.equipment !== 'router') refuse(ticket, event, 'only a router is enrolled; a stick has no credentials of its own');
      if (stage.status !== 'on-site' && stage.status !== 'replaced') refuse(ticket, event);
      if (stage.status === 'on-site') {
        // Enrolled before the technician marked it replaced: the enrollment is the replacement.
        const replacement: Replacement = { serial: null, deviceId: event.deviceId };
        return {
          stage: { ...stage, status: 'replaced', replacedAt: event.at, replacement },
          details: { deviceId: event.deviceId },
          actions: [
            ...revokeOld(ticket, event.deviceId),
            { type: 'send-return-instructions', subscriptionId: ticket.subscriptionId, ticketId: ticket.id },
          ],
        };
      }
      if (stage.replacement.deviceId !== null) refuse(ticket, event, `the replacement device ${stage.replacement.deviceId} has already enrolled`);
      return {
        stage: { ...stage, replacement: { ...stage.replacement, deviceId: event.deviceId } },
        details: { deviceId: event.deviceId },
        actions: revokeOld(ticket, event.deviceId),
      };
    }
    case 'close':
      if (stage.status !== 'replaced') refuse(ticket, event);
      return { stage: { ...stage, status: 'closed', closedAt: event.at }, details: { note: event.note ?? null }, actions: [] };
    case 'cancel':
      if (stage.status !== 'reported' && stage.status !== 'dispatched' && stage.status !== 'on-site') refuse(ticket, event);
      return {
        stage: {
          status: 'cancelled',
          cancelledFrom: stage.status,
          cancelledAt: event.at,
          reason: event.reason,
          technicianId: stage.status === 'reported' ? null : stage.technicianId,
        },
        details: { reason: event.reason },
        actions: [],
      };
  }
}

function revokeOld(ticket: SwapTicket, newDeviceId: string): SwapAction[] {
  if (ticket.equipment !== 'router' || newDeviceId === ticket.defectiveDeviceId) return [];
  return [{ type: 'revoke-device-credentials', deviceId: ticket.defectiveDeviceId, replacedBy: newDeviceId, ticketId: ticket.id }];
}

/** The unit becomes due for return when the replacement is in (article 7.4: "Na ontvangst van de nieuwe CPE"). */
function returnAfter(ticket: SwapTicket, stage: SwapStage, at: Instant): DefectiveReturn {
  if (stage.status === 'replaced' && ticket.defectiveReturn.status === 'not-due') return { status: 'due', since: at };
  return ticket.defectiveReturn;
}

function returnStep(ticket: SwapTicket, event: ReturnEvent): Step {
  const next = applyReturnEvent(ticket, event); // throws when the unit's whereabouts do not allow it
  const actions: SwapAction[] = [];
  if (event.type === 'fault-assessed' && oneOffChargeApplies(next.fault)) {
    actions.push({ type: 'record-one-off-charge', subscriptionId: ticket.subscriptionId, ticketId: ticket.id, equipment: ticket.equipment });
  }
  const details: SwapHistoryEntry['details'] =
    event.type === 'fault-assessed' ? { customerFault: event.customerFault } : { returnStatus: next.defectiveReturn.status };
  return { ticket: { ...ticket, ...next }, details, actions };
}

/**
 * For the API's enrollment of a router: the open router swap ticket whose replacement this
 * enrollment is (technician on site, or replaced without an enrolled device yet), or null.
 * The caller then applies `replacement-enrolled`, which revokes the old device's credentials.
 * A closed ticket no longer matches: a later enrollment is not taken for this swap.
 */
export function swapTicketAwaitingEnrollment(tickets: Iterable<SwapTicket>, subscriptionId: string): SwapTicket | null {
  for (const ticket of tickets) {
    if (ticket.subscriptionId !== subscriptionId || ticket.equipment !== 'router') continue;
    const stage = ticket.stage;
    if (stage.status === 'on-site') return ticket;
    if (stage.status === 'replaced' && stage.replacement.deviceId === null) return ticket;
  }
  return null;
}
