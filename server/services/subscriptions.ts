// Subscriptions and their customer: create (with the contract, R19/R24, and the phone number
// registered at sign-up, R18) and read. Suspension is in suspensions.ts (R22).
import { hashPassword } from '../auth/secrets.js';
import { isUniqueViolation, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { newContract, recordDelivery } from '../rules/contract.js';
import { RuleError } from '../rules/errors.js';
import { normalisePhoneNumber } from '../rules/phone-number.js';
import { appendAudit, type Actor } from '../store/audit.js';
import { insertContract } from '../store/contracts.js';
import {
  customerByLogin,
  getSubscription,
  insertCustomer,
  insertSubscription,
  listSubscriptions,
  subscriptionByReference,
  type CustomerRow,
  type SubscriptionRow,
} from '../store/subscriptions.js';
import type { ServiceContext } from './context.js';

export interface NewSubscription {
  /** The ISP's contract number; defaults to the subscription id. */
  readonly reference?: string | undefined;
  readonly customer: {
    readonly name: string;
    readonly login: string;
    readonly password: string;
    readonly email?: string | undefined;
    /** R18: registered at sign-up; any form parsePhoneNumber reads, stored as E.164. */
    readonly phone?: string | undefined;
  };
  /** R17: licence seats agreed for this subscription (default: the configured number). */
  readonly licenceSeats?: number | undefined;
  /** R24: when the kit was ordered (default: the delivery, else now) and, if already, delivered. */
  readonly contract?: { readonly orderedAt?: number | undefined; readonly deliveredAt?: number | undefined } | undefined;
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
    const phone = request.customer.phone === undefined ? null : normalisePhoneNumber(request.customer.phone);
    const now = clock.now();
    const id = newId('sub', clock);
    // A kit already delivered was ordered by then at the latest.
    const orderedAt = request.contract?.orderedAt ?? request.contract?.deliveredAt ?? now;
    const deliveredAt = request.contract?.deliveredAt;
    for (const [name, at] of [['orderedAt', orderedAt], ['deliveredAt', deliveredAt]] as const) {
      if (at !== undefined && at > now) throw new RuleError('invalid-input', `${name} is in the future`, { [name]: new Date(at).toISOString() });
    }
    const contract = deliveredAt === undefined ? newContract(id, orderedAt) : recordDelivery(newContract(id, orderedAt), deliveredAt);
    const passwordHash = await hashPassword(request.customer.password, config.passwordHashCost);
    const subscription: SubscriptionRow = {
      id,
      reference: request.reference ?? id,
      status: 'active',
      suspended_reason: null,
      suspended_at: null,
      created_at: now,
      phone,
      licence_seats: request.licenceSeats ?? null,
    };
    const customer: CustomerRow = {
      id: newId('cus', clock),
      subscription_id: id,
      name: request.customer.name,
      login,
      password_hash: passwordHash,
      email: request.customer.email ?? null,
      phone,
      created_at: now,
    };
    try {
      await writeTransaction(store, async (trx) => {
        await insertSubscription(trx, subscription);
        await insertCustomer(trx, customer);
        await insertContract(trx, { subscriptionId: id, orderedAt: contract.orderedAt, deliveredAt: contract.deliveredAt, at: now });
        await appendAudit(trx, clock, { actor, action: 'subscription.created', subscriptionId: id, details: { reference: subscription.reference, login, phone } });
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
}
