// R19-R21, R23, R24: a ServicePlus contract and how it ends. Dates are Amsterdam calendar dates
// (luxon); a contract "ends on" date D means the service stops at local midnight at the start
// of D (`endsAt`), so D is the first day without service (`effectiveDate`).
//
// Decisions (the source texts they rest on are quoted in the report and below):
// - The contract starts on the delivery date (the kit is in; R21 counts from receipt too).
// - Minimum term: 12 months from the start: started 15 January 2026, the term runs to the end
//   of 14 January 2027 and a first-year cancellation ends on 15 January 2027. "U gaat een
//   contract aan voor 1 jaar. Na één jaar zijn de abonnementen maandelijks opzegbaar."
// - Cancelled during the first year: the end of the term, however close it is; the notice
//   period belongs to the continuation ("daarna wordt de overeenkomst stilzwijgend voortgezet
//   en hebt u een opzegtermijn van 1 maand").
// - After the first year: one month's notice = the same day number in the next month, clamped
//   to that month's end (luxon): cancelled 20 August ends on 20 September; 31 January ends on
//   28/29 February. Not "the end of the next calendar month": nothing in the source says so.
// - "De opzegging of annulering gaat per direct in" is read as: the request is processed at
//   once (recorded, confirmed); an annulment also ends the service at once.
// - Annulment (R21): delivery day = day 0; a request on day 30 (the local date 30 days after
//   the delivery date) is allowed, day 31 is refused, whatever the time of day or DST.
import { z } from 'zod';
import type { Actor } from './actor.js';
import { DEFAULT_CONTRACT_CONFIG, type ContractConfig } from './contract-config.js';
import { RuleError } from './errors.js';
import { addLocalDays, addLocalMonths, assertInstant, InstantMsSchema, localDateOf, localDaysBetween, startOfLocalDate, type Instant, type LocalDate } from './time.js';

export const CancellationChannelSchema = z.enum(['phone', 'account']);
export type CancellationChannel = z.infer<typeof CancellationChannelSchema>;

/** R23 (article 6.4), article 3.1, article 2.3: why the ISP ends a contract. */
export const IspEndReasonSchema = z.enum(['misuse', 'not-technically-possible', 'service-discontinued']);
export type IspEndReason = z.infer<typeof IspEndReasonSchema>;

export const CoverageVerdictNameSchema = z.enum(['covered', 'no-usable-coverage', 'unknown']);

/** HTTP bodies; subscription and actor come from the route, times default to the clock. */
export const DeliveryBodySchema = z.object({ deliveredAt: InstantMsSchema });
export const CancellationBodySchema = z.object({ channel: CancellationChannelSchema, requestedAt: InstantMsSchema.optional() });
export const AnnulmentBodySchema = z.object({ requestedAt: InstantMsSchema.optional(), note: z.string().max(2000).optional() });
export const IspEndBodySchema = z.object({ reason: IspEndReasonSchema, note: z.string().max(2000).optional() });

interface TerminationBase {
  readonly requestedAt: Instant;
  readonly requestedBy: Actor;
  /** The first day without service. */
  readonly effectiveDate: LocalDate;
  /** Local midnight at the start of `effectiveDate`, or the request itself when immediate. */
  readonly endsAt: Instant;
}

export type Termination =
  | (TerminationBase & {
      readonly kind: 'cancellation';
      readonly channel: CancellationChannel;
      readonly rule: 'end-of-minimum-term' | 'notice';
    })
  | (TerminationBase & {
      readonly kind: 'annulment';
      /** Days since delivery, delivery day = 0 (R21). */
      readonly dayAfterDelivery: number;
      /** The coverage check's verdict at the time, for the record; not a condition (R21: on request). */
      readonly coverageVerdict: z.infer<typeof CoverageVerdictNameSchema> | null;
    })
  | (TerminationBase & { readonly kind: 'ended-by-isp'; readonly reason: IspEndReason });

export interface Contract {
  readonly subscriptionId: string;
  readonly orderedAt: Instant;
  /** When the customer received the kit. */
  readonly deliveredAt: Instant | null;
  readonly termination: Termination | null;
}

export type ContractPhase = 'ordered' | 'minimum-term' | 'continued' | 'ending' | 'ended';

export function newContract(subscriptionId: string, orderedAt: Instant): Contract {
  assertInstant(orderedAt, 'orderedAt');
  return { subscriptionId, orderedAt, deliveredAt: null, termination: null };
}

export function recordDelivery(contract: Contract, deliveredAt: Instant): Contract {
  assertInstant(deliveredAt, 'deliveredAt');
  if (contract.deliveredAt !== null) throw new RuleError('invalid-transition', 'the kit has already been delivered', { deliveredAt: contract.deliveredAt });
  if (deliveredAt < contract.orderedAt) throw new RuleError('out-of-order', 'delivered before it was ordered', { orderedAt: contract.orderedAt, deliveredAt });
  return { ...contract, deliveredAt };
}

/** R24: the kit is due within a week of ordering (for existing customers): the last day it may arrive. */
export function deliveryDueDate(contract: Contract, config: ContractConfig = DEFAULT_CONTRACT_CONFIG): LocalDate {
  return addLocalDays(localDateOf(contract.orderedAt), config.deliveryDays);
}

export function isDeliveryLate(contract: Contract, now: Instant, config: ContractConfig = DEFAULT_CONTRACT_CONFIG): boolean {
  const lastDay = deliveryDueDate(contract, config);
  const arrivedOrNow = contract.deliveredAt ?? now;
  return localDateOf(arrivedOrNow) > lastDay;
}

/** The contract's first day: the delivery date. */
export function startDate(contract: Contract): LocalDate | null {
  return contract.deliveredAt === null ? null : localDateOf(contract.deliveredAt);
}

/** R19: the first day after the minimum term. */
export function minimumTermEnd(contract: Contract, config: ContractConfig = DEFAULT_CONTRACT_CONFIG): LocalDate | null {
  const start = startDate(contract);
  return start === null ? null : addLocalMonths(start, config.minimumTermMonths);
}

export function contractPhase(contract: Contract, now: Instant, config: ContractConfig = DEFAULT_CONTRACT_CONFIG): ContractPhase {
  if (contract.termination) return now >= contract.termination.endsAt ? 'ended' : 'ending';
  const termEnd = minimumTermEnd(contract, config);
  if (termEnd === null) return 'ordered';
  return localDateOf(now) < termEnd ? 'minimum-term' : 'continued';
}

function assertOpen(contract: Contract, at: Instant): void {
  if (contract.termination) {
    throw new RuleError('contract-terminated', `the contract is already ${contract.termination.kind === 'cancellation' ? 'cancelled' : contract.termination.kind}`, {
      kind: contract.termination.kind,
      effectiveDate: contract.termination.effectiveDate,
      requestedAt: at,
    });
  }
}

function assertDelivered(contract: Contract): LocalDate {
  const start = startDate(contract);
  if (start === null) throw new RuleError('not-delivered', 'the kit has not been delivered yet', { subscriptionId: contract.subscriptionId });
  return start;
}

/** R19: cancellation by phone or in the customer's account. */
export function cancelContract(
  contract: Contract,
  request: { readonly at: Instant; readonly by: Actor; readonly channel: CancellationChannel },
  config: ContractConfig = DEFAULT_CONTRACT_CONFIG,
): Contract {
  assertInstant(request.at, 'at');
  assertOpen(contract, request.at);
  const start = assertDelivered(contract);
  const termEnd = addLocalMonths(start, config.minimumTermMonths);
  const requestDate = localDateOf(request.at);
  const inFirstTerm = requestDate < termEnd;
  const effectiveDate = inFirstTerm ? termEnd : addLocalMonths(requestDate, config.noticeMonths);
  return {
    ...contract,
    termination: {
      kind: 'cancellation',
      channel: request.channel,
      rule: inFirstTerm ? 'end-of-minimum-term' : 'notice',
      requestedAt: request.at,
      requestedBy: request.by,
      effectiveDate,
      endsAt: startOfLocalDate(effectiveDate),
    },
  };
}

/** The last day on which an annulment for no coverage may be requested (R21). */
export function annulmentLastDay(contract: Contract, config: ContractConfig = DEFAULT_CONTRACT_CONFIG): LocalDate | null {
  const start = startDate(contract);
  return start === null ? null : addLocalDays(start, config.annulmentDays);
}

/**
 * R21: annulment for no usable coverage, on request, within 30 days of delivery; it ends the
 * contract at once. It also replaces a cancellation that has not taken effect yet.
 */
export function annulContract(
  contract: Contract,
  request: { readonly at: Instant; readonly by: Actor; readonly coverageVerdict?: z.infer<typeof CoverageVerdictNameSchema> | null },
  config: ContractConfig = DEFAULT_CONTRACT_CONFIG,
): Contract {
  assertInstant(request.at, 'at');
  const pendingCancellation = contract.termination?.kind === 'cancellation' && contract.termination.endsAt > request.at;
  if (!pendingCancellation) assertOpen(contract, request.at);
  const start = assertDelivered(contract);
  const requestDate = localDateOf(request.at);
  const day = localDaysBetween(start, requestDate);
  if (day > config.annulmentDays) {
    throw new RuleError('annulment-window-closed', `requested on day ${day} after delivery; the right lapses after day ${config.annulmentDays}`, {
      day,
      lastDay: addLocalDays(start, config.annulmentDays),
    });
  }
  return {
    ...contract,
    termination: {
      kind: 'annulment',
      dayAfterDelivery: Math.max(0, day),
      coverageVerdict: request.coverageVerdict ?? null,
      requestedAt: request.at,
      requestedBy: request.by,
      effectiveDate: requestDate,
      endsAt: request.at,
    },
  };
}

/**
 * The ISP ends the contract: at once for misuse (R23, article 6.4: "Tevens kan XS4ALL de
 * overeenkomst per direct beëindigen") or when the service cannot be delivered (article 3.1);
 * with a month's notice when the service is discontinued (article 2.3).
 */
export function endContractByIsp(
  contract: Contract,
  request: { readonly at: Instant; readonly by: Actor; readonly reason: IspEndReason },
  config: ContractConfig = DEFAULT_CONTRACT_CONFIG,
): Contract {
  assertInstant(request.at, 'at');
  assertOpen(contract, request.at);
  const requestDate = localDateOf(request.at);
  const withNotice = request.reason === 'service-discontinued';
  const effectiveDate = withNotice ? addLocalMonths(requestDate, config.noticeMonths) : requestDate;
  return {
    ...contract,
    termination: {
      kind: 'ended-by-isp',
      reason: request.reason,
      requestedAt: request.at,
      requestedBy: request.by,
      effectiveDate,
      endsAt: withNotice ? startOfLocalDate(effectiveDate) : request.at,
    },
  };
}
