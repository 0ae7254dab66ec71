// R17, R18, R22: what a subscription entitles its customer to now (licence seats, business
// helpdesk, modem swap, online guarantee, mobile data, boosts), from its contract phase and
// suspension (server/rules/entitlements.ts), and the seats agreed for it.
import { z } from 'zod';
import { writeTransaction, lockSubscription } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { contractPhase } from '../rules/contract.js';
import { entitlementsOf } from '../rules/entitlements.js';
import { appendAudit, type Actor } from '../store/audit.js';
import { contractOf, getContract } from '../store/contracts.js';
import { getSubscription, setLicenceSeats } from '../store/subscriptions.js';
import { openSuspension, suspensionStateOf } from '../store/suspensions.js';
import { ActorViewSchema } from './contract-views.js';
import type { ServiceContext } from './context.js';

export const EntitlementsViewSchema = z.object({
  licenceSeats: z.number().int(),
  /** True when the seats were agreed for this subscription rather than the configured default. */
  licenceSeatsAgreed: z.boolean(),
  businessHelpdesk: z.boolean(),
  modemSwap: z.boolean(),
  onlineGuarantee: z.boolean(),
  mobileData: z.boolean(),
  boosts: z.boolean(),
});

/** What the subscription overview adds for R17-R24. */
export const ServiceStatusSchema = z.object({
  /** R18: registered at sign-up, E.164. */
  phone: z.string().nullable(),
  contractPhase: z.enum(['ordered', 'minimum-term', 'continued', 'ending', 'ended']),
  suspension: z
    .object({ reason: z.enum(['equipment-lost', 'equipment-stolen', 'credentials-compromised', 'misuse']), note: z.string().nullable(), since: z.string(), by: ActorViewSchema })
    .nullable(),
  entitlements: EntitlementsViewSchema,
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export class EntitlementService {
  constructor(private readonly ctx: ServiceContext) {}

  async status(subscriptionId: string): Promise<ServiceStatus> {
    const { store, clock, config } = this.ctx;
    const subscription = await getSubscription(store.db, subscriptionId);
    const contract = await getContract(store.db, subscriptionId);
    if (!subscription || !contract) throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
    const phase = contractPhase(contractOf(contract), clock.now(), config.contract);
    const suspension = suspensionStateOf(await openSuspension(store.db, subscriptionId));
    const entitlements = entitlementsOf({ phase, suspension, licenceSeatsOverride: subscription.licence_seats }, config.entitlements);
    return {
      phone: subscription.phone,
      contractPhase: phase,
      suspension:
        suspension.status === 'suspended'
          ? { reason: suspension.reason, note: suspension.note, since: new Date(suspension.since).toISOString(), by: suspension.by }
          : null,
      entitlements: { ...entitlements, licenceSeatsAgreed: subscription.licence_seats !== null },
    };
  }

  /** R17: the seats agreed for this subscription; null returns to the configured default. */
  async setLicenceSeats(subscriptionId: string, seats: number | null, actor: Actor): Promise<ServiceStatus> {
    const { store, clock } = this.ctx;
    await writeTransaction(store, async (trx) => {
      if (!(await lockSubscription(trx, store.dialect, subscriptionId))) throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
      await setLicenceSeats(trx, subscriptionId, seats);
      await appendAudit(trx, clock, { actor, action: 'subscription.licence-seats', subscriptionId, details: { licenceSeats: seats } });
    });
    return this.status(subscriptionId);
  }
}
