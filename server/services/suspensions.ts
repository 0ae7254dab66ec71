// R22, R23: suspend a subscription for loss, theft or misuse, and restore it, through the rules'
// state machine (server/rules/suspension.ts): one suspension at a time, each with a reason from
// the rules' list, audited with who, when and why. Suspended: mobile data off on the router
// (desired state `suspended`), the boost in force ends, none may start (BoostService reads the
// status). Every suspension is kept, open until restored: the guarantee skips those spans (R16).
import type { Db } from '../db/schema.js';
import { lockSubscription, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { applySuspensionEvent, mayRestore, type SuspensionReason, type SuspensionResult, type SuspensionState } from '../rules/suspension.js';
import type { Actor as RuleActor } from '../rules/actor.js';
import { appendAudit, type Actor } from '../store/audit.js';
import { boostInForce, endBoost } from '../store/boosts.js';
import { getSubscription, setSubscriptionStatus, type SubscriptionRow } from '../store/subscriptions.js';
import { closeSuspension, insertSuspension, openSuspension, suspensionStateOf } from '../store/suspensions.js';
import { ruleActor } from './actors.js';
import type { ServiceContext } from './context.js';
import { recomputeDesired } from './desired-state.js';

export class SuspensionService {
  constructor(private readonly ctx: ServiceContext) {}

  async state(subscriptionId: string, db: Db = this.ctx.store.db): Promise<SuspensionState> {
    return suspensionStateOf(await openSuspension(db, subscriptionId));
  }

  suspend(subscriptionId: string, request: { reason: SuspensionReason; note?: string | undefined }, actor: Actor): Promise<SubscriptionRow> {
    return this.change(subscriptionId, actor, (state, at, by) =>
      applySuspensionEvent(subscriptionId, state, { type: 'suspend', at, by, reason: request.reason, ...(request.note ? { note: request.note } : {}) }),
    );
  }

  /** A suspension for misuse is lifted by NOC or admin only (rules: mayRestore). */
  restore(subscriptionId: string, request: { note?: string | undefined }, actor: Actor): Promise<SubscriptionRow> {
    return this.change(subscriptionId, actor, (state, at, by) => {
      if (state.status === 'suspended' && !mayRestore(by.role, state)) {
        throw new ApiError('forbidden-role', `A suspension for ${state.reason} is lifted by a NOC or admin operator only.`, { role: by.role, allowed: ['noc', 'admin'] });
      }
      return applySuspensionEvent(subscriptionId, state, { type: 'restore', at, by, ...(request.note ? { note: request.note } : {}) });
    });
  }

  private async change(
    subscriptionId: string,
    actor: Actor,
    decide: (state: SuspensionState, at: number, by: RuleActor) => SuspensionResult,
  ): Promise<SubscriptionRow> {
    const { store, clock, effects } = this.ctx;
    const { row, changed } = await writeTransaction(store, async (trx) => {
      if (!(await lockSubscription(trx, store.dialect, subscriptionId))) {
        throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
      }
      const now = clock.now();
      const result = decide(await this.state(subscriptionId, trx), now, ruleActor(actor));
      let endedBoost: string | null = null;
      for (const action of result.actions) {
        if (action.type !== 'cancel-active-boosts') continue; // set-desired-suspended: recomputeDesired below
        const active = await boostInForce(trx, subscriptionId);
        if (active && (await endBoost(trx, active.id, { status: 'cancelled', reason: 'suspended', at: now }))) endedBoost = active.id;
      }
      const { audit } = result;
      if (result.state.status === 'suspended') {
        await insertSuspension(trx, { id: newId('sus', clock), subscriptionId, reason: result.state.reason, note: result.state.note, since: now, by: result.state.by });
        await setSubscriptionStatus(trx, subscriptionId, { status: 'suspended', reason: result.state.reason, at: now });
      } else {
        await closeSuspension(trx, subscriptionId, { at: now, by: audit.by, note: audit.note });
        await setSubscriptionStatus(trx, subscriptionId, { status: 'active', reason: null, at: null });
      }
      await appendAudit(trx, clock, {
        actor,
        action: `subscription.${audit.action}`,
        subscriptionId,
        details: { reason: audit.reason, note: audit.note, ...(audit.action === 'suspended' ? { endedBoost } : {}) },
      });
      return { row: (await getSubscription(trx, subscriptionId))!, changed: await recomputeDesired(trx, subscriptionId, now) };
    });
    effects.desiredChanged(changed);
    return row;
  }
}
