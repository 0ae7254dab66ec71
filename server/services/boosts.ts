// Boosts (R4 to R9): self-service with its monthly quota, operator boosts outside it, cancel,
// and the end of boosts whose time is up. Every change runs in one write transaction with the
// subscription locked; the quota and "one boost in force" are also unique keys in the store, so
// concurrent requests (or several server instances) cannot over-grant.
import pMap from 'p-map';
import { periodOf } from '../../shared/period.js';
import { selfServiceBoostMs } from '../config.js';
import { decideOperatorBoost, decideSelfServiceBoost } from '../core/boost-decision.js';
import { fairUseStatus, type FairUsePolicy, type FairUseStatus } from '../core/fair-use.js';
import type { Db } from '../db/schema.js';
import { isUniqueViolation, lockSubscription, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { appendAudit, SYSTEM, type Actor } from '../store/audit.js';
import { boostInForce, dueBoosts, endBoost, getBoost, insertBoost, listBoosts, usedSlots, type BoostRow } from '../store/boosts.js';
import { activeDevicesOf } from '../store/devices.js';
import { getSubscription } from '../store/subscriptions.js';
import { subscriptionUsedBytes } from '../store/telemetry.js';
import type { ServiceContext } from './context.js';
import { recomputeDesired } from './desired-state.js';
import { storedStatus } from './views.js';

export interface QuotaView {
  readonly period: string;
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
}

export interface SelfServiceResult {
  readonly boost: BoostRow;
  /** False when a boost was already in force and was returned instead (R7: not counted). */
  readonly created: boolean;
  readonly quota: QuotaView;
}

/** Expiry transactions at once on PostgreSQL's pool (10 connections by default; the API keeps the rest). */
const SWEEP_CONCURRENCY_POSTGRES = 4;

type Granted = { readonly boost: BoostRow; readonly created: boolean; readonly changed: string[] };
type Outcome = Granted | { readonly refusal: ApiError; readonly changed: string[] };

export class BoostService {
  constructor(private readonly ctx: ServiceContext) {}

  get fairUsePolicy(): FairUsePolicy {
    const { config } = this.ctx;
    return { capBytes: config.fairUseCapBytes, warnPercent: config.fairUseWarnPercent, atCap: config.fairUseAtCap };
  }

  /** R6, R7: a customer asks for a boost; the confirmation goes to `email` once applied. */
  async requestSelfService(subscriptionId: string, customer: Actor, email: string): Promise<SelfServiceResult> {
    const { clock, config } = this.ctx;
    const granted = await this.inLockedTransaction(subscriptionId, async (trx, now) => {
      const period = periodOf(now).id;
      const subscription = await getSubscription(trx, subscriptionId);
      const active = await boostInForce(trx, subscriptionId);
      const devices = await activeDevicesOf(trx, subscriptionId);
      const decision = decideSelfServiceBoost({
        now,
        suspended: subscription?.status === 'suspended',
        activeBoostId: active?.id ?? null,
        devicePaths: devices.map((device) => storedStatus(device)?.activePath ?? null),
        usedSlots: await usedSlots(trx, subscriptionId, period),
        quota: config.selfServiceBoostsPerMonth,
        fairUse: await this.fairUseIn(trx, subscriptionId, period),
        durationMs: selfServiceBoostMs(config),
      });
      if (decision.kind === 'refuse') {
        return { refusal: new ApiError(decision.code, decision.detail, { quota: await this.quotaIn(trx, subscriptionId, period) }) };
      }
      if (decision.kind === 'already-active') return { boost: active!, created: false, changed: [] };
      const boost = newBoost(clock, { subscriptionId, kind: 'self-service', now, endsAt: decision.endsAt, slot: decision.slot, email, by: customer, reason: null });
      await insertBoost(trx, boost);
      await appendAudit(trx, clock, {
        actor: customer,
        action: 'boost.requested',
        subscriptionId,
        subjectId: boost.id,
        details: { kind: boost.kind, slot: boost.slot, endsAt: new Date(boost.ends_at).toISOString() },
      });
      return { boost, created: true, changed: await recomputeDesired(trx, subscriptionId, now) };
    });
    return { boost: granted.boost, created: granted.created, quota: await this.quota(subscriptionId) };
  }

  /** R8: an operator boost of a chosen duration, outside the quota; it replaces one in force. */
  async grantOperator(
    subscriptionId: string,
    operator: Actor,
    request: { durationMinutes: number; reason: string; email?: string | undefined },
  ): Promise<BoostRow> {
    const { clock, config } = this.ctx;
    const granted = await this.inLockedTransaction(subscriptionId, async (trx, now) => {
      const subscription = await getSubscription(trx, subscriptionId);
      const decision = decideOperatorBoost({
        now,
        suspended: subscription?.status === 'suspended',
        deviceCount: (await activeDevicesOf(trx, subscriptionId)).length,
        durationMs: request.durationMinutes * 60_000,
        maxDurationMs: config.operatorBoostMaxHours * 3_600_000,
      });
      if (decision.kind === 'refuse') return { refusal: new ApiError(decision.code, decision.detail) };
      const active = await boostInForce(trx, subscriptionId);
      if (active) {
        await endBoost(trx, active.id, { status: 'cancelled', reason: 'superseded', at: now });
        await appendAudit(trx, clock, { actor: operator, action: 'boost.superseded', subscriptionId, subjectId: active.id });
      }
      const boost = newBoost(clock, {
        subscriptionId,
        kind: 'operator',
        now,
        endsAt: decision.endsAt,
        slot: null,
        email: request.email ?? null,
        by: operator,
        reason: request.reason,
      });
      await insertBoost(trx, boost);
      await appendAudit(trx, clock, {
        actor: operator,
        action: 'boost.granted',
        subscriptionId,
        subjectId: boost.id,
        details: { kind: boost.kind, durationMinutes: request.durationMinutes, reason: request.reason },
      });
      return { boost, created: true, changed: await recomputeDesired(trx, subscriptionId, now) };
    });
    return granted.boost;
  }

  async cancel(boostId: string, actor: Actor): Promise<BoostRow> {
    const existing = await getBoost(this.ctx.store.db, boostId);
    if (!existing) throw new ApiError('boost-not-found', `No boost ${boostId}.`);
    const result = await this.inLockedTransaction(existing.subscription_id, async (trx, now) => {
      const ended = await endBoost(trx, boostId, { status: 'cancelled', reason: 'cancelled', at: now });
      if (!ended) return { refusal: new ApiError('boost-not-active', `Boost ${boostId} is no longer in force.`) };
      await appendAudit(trx, this.ctx.clock, { actor, action: 'boost.cancelled', subscriptionId: existing.subscription_id, subjectId: boostId });
      return { boost: (await getBoost(trx, boostId))!, created: false, changed: await recomputeDesired(trx, existing.subscription_id, now) };
    });
    return result.boost;
  }

  /** R5: ends every boost whose time is up and returns the desired states to baseline. Idempotent. */
  async endDue(): Promise<number> {
    const { store } = this.ctx;
    const due = await dueBoosts(store.db, this.ctx.clock.now());
    const subscriptions = [...new Set(due.map((boost) => boost.subscription_id))];
    // One transaction per subscription. PostgreSQL runs a few at once on its pool: each is a
    // dozen round trips, and the subscriptions' locks are disjoint. SQLite has one connection.
    const ended = await pMap(
      subscriptions,
      async (subscriptionId) => {
        const outcome = await writeTransaction(store, async (trx) => {
          if (!(await lockSubscription(trx, store.dialect, subscriptionId))) return { ended: 0, changed: [] };
          const now = this.ctx.clock.now();
          const ended = await endDueIn(trx, this.ctx, subscriptionId, now);
          return { ended, changed: await recomputeDesired(trx, subscriptionId, now) };
        });
        this.ctx.effects.desiredChanged(outcome.changed);
        return outcome.ended;
      },
      { concurrency: store.dialect === 'postgres' ? SWEEP_CONCURRENCY_POSTGRES : 1 },
    );
    return ended.reduce((sum, n) => sum + n, 0);
  }

  async get(boostId: string): Promise<BoostRow> {
    const boost = await getBoost(this.ctx.store.db, boostId);
    if (!boost) throw new ApiError('boost-not-found', `No boost ${boostId}.`);
    return boost;
  }

  list(filter: { subscriptionId?: string; period?: string; inForce?: boolean; limit: number }): Promise<BoostRow[]> {
    return listBoosts(this.ctx.store.db, filter);
  }

  quota(subscriptionId: string, period = periodOf(this.ctx.clock.now()).id): Promise<QuotaView> {
    return this.quotaIn(this.ctx.store.db, subscriptionId, period);
  }

  fairUse(subscriptionId: string, period = periodOf(this.ctx.clock.now()).id): Promise<FairUseStatus> {
    return this.fairUseIn(this.ctx.store.db, subscriptionId, period);
  }

  private async quotaIn(db: Db, subscriptionId: string, period: string): Promise<QuotaView> {
    const limit = this.ctx.config.selfServiceBoostsPerMonth;
    const used = (await usedSlots(db, subscriptionId, period)).length;
    return { period, limit, used, remaining: Math.max(0, limit - used) };
  }

  private async fairUseIn(db: Db, subscriptionId: string, period: string): Promise<FairUseStatus> {
    return fairUseStatus(await subscriptionUsedBytes(db, subscriptionId, period), this.fairUsePolicy);
  }

  /**
   * Runs `work` with the subscription locked, after ending its boosts whose time is up. A refusal
   * is thrown after commit (the expiries stay done); a unique-key race runs the work again,
   * where it sees the winner's boost.
   */
  private async inLockedTransaction(
    subscriptionId: string,
    work: (trx: Db, now: number) => Promise<Granted | { refusal: ApiError }>,
  ): Promise<Granted> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await writeTransaction(this.ctx.store, async (trx): Promise<Outcome> => {
          if (!(await lockSubscription(trx, this.ctx.store.dialect, subscriptionId))) {
            return { refusal: new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`), changed: [] };
          }
          const now = this.ctx.clock.now();
          const expired = await endDueIn(trx, this.ctx, subscriptionId, now);
          const expiryChanges = expired > 0 ? await recomputeDesired(trx, subscriptionId, now) : [];
          const result = await work(trx, now);
          if ('refusal' in result) return { refusal: result.refusal, changed: expiryChanges };
          return { ...result, changed: [...new Set([...expiryChanges, ...result.changed])] };
        });
        this.ctx.effects.desiredChanged(outcome.changed);
        if ('refusal' in outcome) throw outcome.refusal;
        if (outcome.created) this.ctx.effects.boostScheduled(outcome.boost.id, outcome.boost.ends_at);
        return outcome;
      } catch (error) {
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }
}

function newBoost(
  clock: ServiceContext['clock'],
  fields: { subscriptionId: string; kind: BoostRow['kind']; now: number; endsAt: number; slot: number | null; email: string | null; by: Actor; reason: string | null },
): BoostRow {
  return {
    id: newId('bst', clock),
    subscription_id: fields.subscriptionId,
    kind: fields.kind,
    status: 'requested',
    period: periodOf(fields.now).id,
    slot: fields.slot,
    granted_at: fields.now,
    ends_at: fields.endsAt,
    applied_at: null,
    ended_at: null,
    end_reason: null,
    email: fields.email,
    requested_by: `${fields.by.kind}:${fields.by.id}`,
    reason: fields.reason,
  };
}

/** Ends the subscription's boosts whose time is up (R5), inside the caller's transaction. */
async function endDueIn(trx: Db, ctx: ServiceContext, subscriptionId: string, now: number): Promise<number> {
  const active = await boostInForce(trx, subscriptionId);
  if (!active || active.ends_at > now) return 0;
  const ended = await endBoost(trx, active.id, { status: 'ended', reason: 'expired', at: active.ends_at });
  if (ended) {
    await appendAudit(trx, ctx.clock, { actor: SYSTEM, action: 'boost.ended', subscriptionId, subjectId: active.id, details: { reason: 'expired' } });
  }
  return ended ? 1 : 0;
}
