// R22, R23: suspension of a subscription for loss, theft or misuse, until restored. While
// suspended: mobile data off on the router (desired state `suspended: true`), no boosts (any
// active boost ends; none may start). Both changes are audited with who, when and why.
// Decision: a second suspension while suspended is refused (restore first), so the audit trail
// keeps one reason per suspension; the reason is one of the source's causes.
import { z } from 'zod';
import type { Actor, ActorRole } from './actor.js';
import { RuleError } from './errors.js';
import { assertInstant, type Instant } from './time.js';

/**
 * R22 (article 6.3): loss or theft of the equipment, loss or misuse of the login details;
 * R23 (article 6.4): misuse of the service (beyond the description, disproportionate data use,
 * harming the network, opening it to third parties).
 */
export const SuspensionReasonSchema = z.enum(['equipment-lost', 'equipment-stolen', 'credentials-compromised', 'misuse']);
export type SuspensionReason = z.infer<typeof SuspensionReasonSchema>;

export const SuspendBodySchema = z.object({ reason: SuspensionReasonSchema, note: z.string().max(2000).optional() });
export const RestoreBodySchema = z.object({ note: z.string().max(2000).optional() });

export type SuspensionState =
  | { readonly status: 'active' }
  | { readonly status: 'suspended'; readonly reason: SuspensionReason; readonly note: string | null; readonly since: Instant; readonly by: Actor };

export type SuspensionEvent =
  | { readonly type: 'suspend'; readonly at: Instant; readonly by: Actor; readonly reason: SuspensionReason; readonly note?: string }
  | { readonly type: 'restore'; readonly at: Instant; readonly by: Actor; readonly note?: string };

export interface SuspensionAuditEntry {
  readonly subscriptionId: string;
  readonly at: Instant;
  readonly by: Actor;
  readonly action: 'suspended' | 'restored';
  readonly reason: SuspensionReason;
  readonly note: string | null;
}

export type SuspensionAction =
  /** Publish the device's desired state with `suspended` set as given (republish on restore). */
  | { readonly type: 'set-desired-suspended'; readonly subscriptionId: string; readonly suspended: boolean }
  | { readonly type: 'cancel-active-boosts'; readonly subscriptionId: string };

export interface SuspensionResult {
  readonly state: SuspensionState;
  readonly audit: SuspensionAuditEntry;
  readonly actions: readonly SuspensionAction[];
}

export const ACTIVE: SuspensionState = { status: 'active' };

export function applySuspensionEvent(subscriptionId: string, state: SuspensionState, event: SuspensionEvent): SuspensionResult {
  assertInstant(event.at, 'at');
  if (event.type === 'suspend') {
    if (state.status === 'suspended') {
      throw new RuleError('already-suspended', `suspended since ${new Date(state.since).toISOString()} for ${state.reason}`, { reason: state.reason, since: state.since });
    }
    const note = event.note ?? null;
    return {
      state: { status: 'suspended', reason: event.reason, note, since: event.at, by: event.by },
      audit: { subscriptionId, at: event.at, by: event.by, action: 'suspended', reason: event.reason, note },
      actions: [
        { type: 'set-desired-suspended', subscriptionId, suspended: true },
        { type: 'cancel-active-boosts', subscriptionId },
      ],
    };
  }
  if (state.status !== 'suspended') throw new RuleError('not-suspended', 'the subscription is not suspended', { subscriptionId });
  if (event.at < state.since) throw new RuleError('out-of-order', 'restored before it was suspended', { since: state.since, at: event.at });
  return {
    state: ACTIVE,
    audit: { subscriptionId, at: event.at, by: event.by, action: 'restored', reason: state.reason, note: event.note ?? null },
    actions: [{ type: 'set-desired-suspended', subscriptionId, suspended: false }],
  };
}

export interface SuspensionEffects {
  /** The router may use the mobile path. */
  readonly mobileData: boolean;
  /** Self-service and operator boosts may start. */
  readonly boostsAllowed: boolean;
  /** The `suspended` flag of the device's desired state. */
  readonly desiredSuspended: boolean;
}

export function suspensionEffects(state: SuspensionState): SuspensionEffects {
  const suspended = state.status === 'suspended';
  return { mobileData: !suspended, boostsAllowed: !suspended, desiredSuspended: suspended };
}

/**
 * Who may do it (the API checks the caller's role): any operator suspends at once on the
 * customer's report (R22: "XS4ALL zal dan de levering van deze dienst opschorten"); a
 * suspension for misuse is lifted by NOC or admin only, the others also by the helpdesk.
 */
export function maySuspend(role: ActorRole): boolean {
  return role === 'helpdesk' || role === 'noc' || role === 'admin';
}

export function mayRestore(role: ActorRole, state: SuspensionState): boolean {
  if (state.status !== 'suspended') return false;
  if (state.reason === 'misuse') return role === 'noc' || role === 'admin';
  return maySuspend(role);
}
