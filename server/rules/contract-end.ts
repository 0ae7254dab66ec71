// R20: what happens when a contract ends. On the effective date the router's mobile data is
// switched off (desired state suspended), boosts end, the device credentials are revoked, the
// EUR 0 final invoice is issued ("Ondanks uw opzegging ontvangt u eenmalig een automatisch
// verzonden factuur van € 0,-") and the kit-return window opens: 14 days after the effective
// date ("Na uw opzegging kunt u het ServicePlus pakket zonder portokosten binnen 14 dagen aan
// ons retourneren"; counted from the effective date because the customer uses the kit until
// then). The window includes day 14: a kit that ended on 15 January is due by the end of
// 29 January (Amsterdam), overdue from 30 January.
import { periodOf, type PeriodId } from '../../shared/period.js';
import { DEFAULT_CONTRACT_CONFIG, type ContractConfig } from './contract-config.js';
import type { Contract, Termination } from './contract.js';
import { FREE_RETURN_ADDRESS } from './swap-return.js';
import { addLocalDays, localDateOf, localDaysBetween, startOfLocalDate, type Instant, type LocalDate } from './time.js';

export interface FinalInvoice {
  readonly subscriptionId: string;
  readonly kind: 'final';
  /** R20: always EUR 0. */
  readonly amountCents: 0;
  readonly issuedOn: LocalDate;
  /** The billing month of the effective date. */
  readonly period: PeriodId;
  readonly termination: Termination['kind'];
}

export type ContractEndAction =
  /** First, while the device can still read it: mobile data off (desired `suspended: true`). */
  | { readonly type: 'set-desired-suspended'; readonly subscriptionId: string; readonly reason: 'contract-ended' }
  | { readonly type: 'cancel-active-boosts'; readonly subscriptionId: string }
  /** Then every device of the subscription loses its MQTT credentials. */
  | { readonly type: 'revoke-device-credentials'; readonly subscriptionId: string; readonly scope: 'all-devices' }
  | { readonly type: 'issue-final-invoice'; readonly invoice: FinalInvoice }
  | { readonly type: 'open-kit-return'; readonly subscriptionId: string; readonly dueDate: LocalDate; readonly returnAddress: string };

/** When the end actions are due: the termination's `endsAt`, or null while none is recorded. */
export function contractEndsAt(contract: Contract): Instant | null {
  return contract.termination?.endsAt ?? null;
}

export function finalInvoice(contract: Contract): FinalInvoice | null {
  const termination = contract.termination;
  if (!termination) return null;
  return {
    subscriptionId: contract.subscriptionId,
    kind: 'final',
    amountCents: 0,
    issuedOn: termination.effectiveDate,
    period: periodOf(startOfLocalDate(termination.effectiveDate)).id,
    termination: termination.kind,
  };
}

/** R20: the last day of the kit-return window. */
export function kitReturnDueDate(contract: Contract, config: ContractConfig = DEFAULT_CONTRACT_CONFIG): LocalDate | null {
  const termination = contract.termination;
  return termination ? addLocalDays(termination.effectiveDate, config.kitReturnDays) : null;
}

/**
 * The actions for the effective date, in the order to carry them out; empty before it (or with
 * no termination). Carrying them out twice must be harmless (the caller records that it ran).
 */
export function contractEndActions(contract: Contract, now: Instant, config: ContractConfig = DEFAULT_CONTRACT_CONFIG): ContractEndAction[] {
  const invoice = finalInvoice(contract);
  const dueDate = kitReturnDueDate(contract, config);
  const endsAt = contractEndsAt(contract);
  if (invoice === null || dueDate === null || endsAt === null || now < endsAt) return [];
  const subscriptionId = contract.subscriptionId;
  return [
    { type: 'set-desired-suspended', subscriptionId, reason: 'contract-ended' },
    { type: 'cancel-active-boosts', subscriptionId },
    { type: 'revoke-device-credentials', subscriptionId, scope: 'all-devices' },
    { type: 'issue-final-invoice', invoice },
    { type: 'open-kit-return', subscriptionId, dueDate, returnAddress: FREE_RETURN_ADDRESS },
  ];
}

export type KitReturnStatus =
  | { readonly status: 'not-due' }
  | { readonly status: 'pending'; readonly dueDate: LocalDate; readonly daysLeft: number }
  | { readonly status: 'returned'; readonly returnedAt: Instant; readonly late: boolean }
  | { readonly status: 'overdue'; readonly dueDate: LocalDate; readonly daysOverdue: number };

/**
 * R20: where the kit stands. `returnedAt`: when the returns department received it (or the
 * postmark date, if the caller records that). A kit returned before the effective date counts.
 */
export function kitReturnStatus(
  contract: Contract,
  returnedAt: Instant | null,
  now: Instant,
  config: ContractConfig = DEFAULT_CONTRACT_CONFIG,
): KitReturnStatus {
  const dueDate = kitReturnDueDate(contract, config);
  if (dueDate === null) return { status: 'not-due' };
  const deadline = startOfLocalDate(addLocalDays(dueDate, 1)); // end of the due date, exclusive
  if (returnedAt !== null) return { status: 'returned', returnedAt, late: returnedAt >= deadline };
  const termination = contract.termination!;
  if (now < termination.endsAt) return { status: 'not-due' };
  const today = localDateOf(now);
  if (now < deadline) return { status: 'pending', dueDate, daysLeft: localDaysBetween(today, dueDate) };
  return { status: 'overdue', dueDate, daysOverdue: localDaysBetween(dueDate, today) };
}
