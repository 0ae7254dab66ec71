// What the API shows of a contract (R19-R21, R24): dates, phase, termination, kit return and the
// final invoice, as a zod schema (the route's response and the OpenAPI document) and its builder.
import { z } from 'zod';
import type { Db } from '../db/schema.js';
import { kitReturnDueDate, kitReturnStatus } from '../rules/contract-end.js';
import type { ContractConfig } from '../rules/contract-config.js';
import { annulmentLastDay, contractPhase, deliveryDueDate, isDeliveryLate, minimumTermEnd, startDate } from '../rules/contract.js';
import { FREE_RETURN_ADDRESS } from '../rules/swap-return.js';
import { contractOf, getFinalInvoice, type ContractRow } from '../store/contracts.js';

const Instant = z.string().describe('ISO 8601 instant');
const LocalDate = z.string().describe('Amsterdam calendar date, YYYY-MM-DD');
const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const ActorViewSchema = z.object({ role: z.string(), id: z.string() });

export const ContractViewSchema = z.object({
  subscriptionId: z.string(),
  phase: z.enum(['ordered', 'minimum-term', 'continued', 'ending', 'ended']),
  orderedAt: Instant,
  /** R24: the last day the kit may arrive. */
  deliveryDueDate: LocalDate,
  deliveryLate: z.boolean(),
  deliveredAt: Instant.nullable(),
  /** The contract's first day: the delivery date. */
  startDate: LocalDate.nullable(),
  /** R19: the first day after the one-year minimum term. */
  minimumTermEnd: LocalDate.nullable(),
  /** R21: the last day an annulment for no coverage may be requested. */
  annulmentLastDay: LocalDate.nullable(),
  termination: z
    .object({
      kind: z.enum(['cancellation', 'annulment', 'ended-by-isp']),
      requestedAt: Instant,
      requestedBy: ActorViewSchema,
      /** The first day without service. */
      effectiveDate: LocalDate,
      endsAt: Instant,
      channel: z.enum(['phone', 'account']).nullable(),
      rule: z.enum(['end-of-minimum-term', 'notice']).nullable(),
      dayAfterDelivery: z.number().int().nullable(),
      coverageVerdict: z.enum(['covered', 'no-usable-coverage', 'unknown']).nullable(),
      reason: z.enum(['misuse', 'not-technically-possible', 'service-discontinued']).nullable(),
    })
    .nullable(),
  /** R20: the end job switched the service off (mobile data, boosts) at this instant. */
  serviceEndedAt: Instant.nullable(),
  credentialsRevokedAt: Instant.nullable(),
  kitReturn: z.object({
    status: z.enum(['not-due', 'pending', 'returned', 'overdue']),
    /** R20: 14 days after the effective date, that day included. */
    dueDate: LocalDate.nullable(),
    daysLeft: z.number().int().nullable(),
    daysOverdue: z.number().int().nullable(),
    returnedAt: Instant.nullable(),
    late: z.boolean().nullable(),
    returnAddress: z.string(),
  }),
  /** R20: the EUR 0 final invoice, once issued. */
  finalInvoice: z.object({ amountCents: z.number().int(), issuedOn: LocalDate, period: z.string(), termination: z.string() }).nullable(),
});
export type ContractView = z.infer<typeof ContractViewSchema>;

export async function contractView(db: Db, row: ContractRow, now: number, config: ContractConfig): Promise<ContractView> {
  const contract = contractOf(row);
  const t = contract.termination;
  const kit = kitReturnStatus(contract, row.kit_returned_at, now, config);
  const invoice = await getFinalInvoice(db, row.subscription_id);
  return {
    subscriptionId: row.subscription_id,
    phase: contractPhase(contract, now, config),
    orderedAt: iso(contract.orderedAt),
    deliveryDueDate: deliveryDueDate(contract, config),
    deliveryLate: isDeliveryLate(contract, now, config),
    deliveredAt: isoOrNull(contract.deliveredAt),
    startDate: startDate(contract),
    minimumTermEnd: minimumTermEnd(contract, config),
    annulmentLastDay: annulmentLastDay(contract, config),
    termination: t
      ? {
          kind: t.kind,
          requestedAt: iso(t.requestedAt),
          requestedBy: { role: t.requestedBy.role, id: t.requestedBy.id },
          effectiveDate: t.effectiveDate,
          endsAt: iso(t.endsAt),
          channel: t.kind === 'cancellation' ? t.channel : null,
          rule: t.kind === 'cancellation' ? t.rule : null,
          dayAfterDelivery: t.kind === 'annulment' ? t.dayAfterDelivery : null,
          coverageVerdict: t.kind === 'annulment' ? t.coverageVerdict : null,
          reason: t.kind === 'ended-by-isp' ? t.reason : null,
        }
      : null,
    serviceEndedAt: isoOrNull(row.ended_at),
    credentialsRevokedAt: isoOrNull(row.credentials_revoked_at),
    kitReturn: {
      status: kit.status,
      dueDate: kit.status === 'pending' || kit.status === 'overdue' ? kit.dueDate : kitReturnDueDate(contract, config),
      daysLeft: kit.status === 'pending' ? kit.daysLeft : null,
      daysOverdue: kit.status === 'overdue' ? kit.daysOverdue : null,
      returnedAt: kit.status === 'returned' ? iso(kit.returnedAt) : null,
      late: kit.status === 'returned' ? kit.late : null,
      returnAddress: FREE_RETURN_ADDRESS,
    },
    finalInvoice: invoice ? { amountCents: invoice.amount_cents, issuedOn: invoice.issued_on, period: invoice.period, termination: invoice.termination } : null,
  };
}
