// Subscriptions and their customer: create, read, and suspend or restore the service (R22).
import { hashPassword } from '../auth/secrets.js';
import type { Db } from '../db/schema.js';
import { lockSubscription, isUniqueViolation, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { appendAudit, type Actor } from '../store/audit.js';
import { boostInForce, endBoost } from '../store/boosts.js';
import {
  customerByLogin,
  getSubscription,
  insertCustomer,
  insertSubscription,
  listSubscriptions,
  setSubscriptionStatus,
  subscriptionByReference,
  type CustomerRow,
  type SubscriptionRow,
} from '../store/subscriptions.js';
import type { ServiceContext } from './context.js';
import { recomputeDesired } from './desired-state.js';

export interface NewSubscription {
  /** The ISP's contract number; defaults to the subscription id. */
  readonly reference?: string | undefined;
  readonly customer: {
    readonly name: string;
    readonly login: string;
    readonly password: string;
    readonly email?: string | undefined;
    readonly phone?: string | undefined;
  };
}

export class SubscriptionService {
  constructor(private readonly ctx: ServiceContext) {}

  async create(request: NewSubscription, actor: Actor): Promise<{ subscription: SubscriptionRow; customer: CustomerRow }> {
    const { clock, store, config } = this.ctx;
    const login = request.customer.login.trim().toLowerCase();
    // Checked first for a clear answer; the unique keys still decide a race.
    if (await customerByLogin(store.db, login)) throw new ApiError('login-taken', `The login name ${login} is taken.`);
    if (request.reference && (await subscriptionByReference(store.db, request.reference))) {
      throw new ApiError('reference-taken', `A subscription with reference ${request.reference} exists.`);
    }
    const passwordHash = await hashPassword(request.customer.password, config.passwordHashCost);
    const now = clock.now();
    const id = newId('sub', clock);
    const subscription: SubscriptionRow = {
      id,
      reference: request.reference ?? id,
      status: 'active',
      suspended_reason: null,
      suspended_at: null,
      created_at: now,
    };
    const customer: CustomerRow = {
      id: newId('cus', clock),
      subscription_id: id,
      name: request.customer.name,
      login,
      password_hash: passwordHash,
      email: request.customer.email ?? null,
      phone: request.customer.phone ?? null,
      created_at: now,
    };
    try {
      await writeTransaction(store, async (trx) => {
        await insertSubscription(trx, subscription);
        await insertCustomer(trx, customer);
        await appendAudit(trx, clock, { actor, action: 'subscription.created', subscriptionId: id, details: { reference: subscription.reference, login } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('login-taken', `The login name ${login} or the reference is taken.`);
      throw error;
    }
    return { subscription, customer };
  }

  async get(id: string): Promise<SubscriptionRow> {
    const row = await getSubscription(this.ctx.store.db, id);
    if (!row) throw new ApiError('subscription-not-found', `No subscription ${id}.`);
    return row;
  }

  list(page: { limit: number; after?: string | undefined }): Promise<SubscriptionRow[]> {
    return listSubscriptions(this.ctx.store.db, page);
  }

  /** R22: mobile data off and no boosts until restored; a boost in force ends now. */
  suspend(id: string, reason: string, actor: Actor): Promise<SubscriptionRow> {
    return this.changeStatus(id, async (trx, row, now) => {
      if (row.status === 'suspended') throw new ApiError('already-suspended', `Subscription ${id} is already suspended.`);
      const active = await boostInForce(trx, id);
      if (active) await endBoost(trx, active.id, { status: 'cancelled', reason: 'suspended', at: now });
      await setSubscriptionStatus(trx, id, { status: 'suspended', reason, at: now });
      await appendAudit(trx, this.ctx.clock, { actor, action: 'subscription.suspended', subscriptionId: id, details: { reason, endedBoost: active?.id ?? null } });
    });
  }

  restore(id: string, actor: Actor): Promise<SubscriptionRow> {
    return this.changeStatus(id, async (trx, row) => {
      if (row.status !== 'suspended') throw new ApiError('not-suspended', `Subscription ${id} is not suspended.`);
      await setSubscriptionStatus(trx, id, { status: 'active', reason: null, at: null });
      await appendAudit(trx, this.ctx.clock, { actor, action: 'subscription.restored', subscriptionId: id });
    });
  }

  private async changeStatus(
    id: string,
    change: (trx: Db, row: SubscriptionRow, now: number) => Promise<void>,
  ): Promise<SubscriptionRow> {
    const { store, clock, effects } = this.ctx;
    const { row, changed } = await writeTransaction(store, async (trx) => {
      if (!(await lockSubscription(trx, store.dialect, id))) throw new ApiError('subscription-not-found', `No subscription ${id}.`);
      const now = clock.now();
      await change(trx, (await getSubscription(trx, id))!, now);
      return { row: (await getSubscription(trx, id))!, changed: await recomputeDesired(trx, id, now) };
    });
    effects.desiredChanged(changed);
    return row;
  }
}
