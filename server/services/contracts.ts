// Contracts (R19-R21, R23, R24) through the rules of server/rules/contract*.ts: delivery,
// cancellation with its effective date, annulment for no coverage within 30 days of delivery,
// the ISP ending it, and the kit's return. When a termination is recorded the end is scheduled;
// on its effective date the end job (jobs/contract-ends.ts) calls `endService` (mobile data off
// through the desired state, boosts ended, EUR 0 final invoice) and then `revokeCredentials`.
// Both are idempotent: each is recorded in the contract row in the transaction that does it.
import type { Db } from '../db/schema.js';
import { lockSubscription, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { contractEndActions, kitReturnDueDate } from '../rules/contract-end.js';
import {
  annulContract,
  cancelContract,
  endContractByIsp,
  recordDelivery,
  type CancellationChannel,
  type Contract,
  type IspEndReason,
} from '../rules/contract.js';
import type { CoverageVerdictName } from '../rules/coverage.js';
import { RuleError } from '../rules/errors.js';
import { FREE_RETURN_ADDRESS } from '../rules/swap-return.js';
import { appendAudit, SYSTEM, type Actor } from '../store/audit.js';
import { boostInForce, endBoost } from '../store/boosts.js';
import {
  contractOf,
  dueContractEnds,
  getContract,
  insertFinalInvoice,
  markContractEnded,
  markCredentialsRevoked,
  saveContract,
  setKitReturned,
  type ContractRow,
} from '../store/contracts.js';
import { activeDevicesOf, revokeDevice } from '../store/devices.js';
import { enqueueMail } from '../store/outbox.js';
import { recordRevokedOffline } from '../store/timeline.js';
import { customerOfSubscription } from '../store/subscriptions.js';
import { finalInvoiceMail } from '../mail/templates.js';
import { ruleActor } from './actors.js';
import type { ServiceContext } from './context.js';
import { contractView, type ContractView } from './contract-views.js';
import { recomputeDesired } from './desired-state.js';

export interface CoverageVerdicts {
  verdictName(subscriptionId: string): Promise<CoverageVerdictName | null>;
}

export class ContractService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly coverage: CoverageVerdicts,
  ) {}

  async row(subscriptionId: string, db: Db = this.ctx.store.db): Promise<ContractRow> {
    const row = await getContract(db, subscriptionId);
    if (!row) throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
    return row;
  }

  async view(subscriptionId: string): Promise<ContractView> {
    return contractView(this.ctx.store.db, await this.row(subscriptionId), this.ctx.clock.now(), this.ctx.config.contract);
  }

  /** R24: the customer received the kit (the contract starts, R19; the 30 days of R21 run). */
  recordDelivery(subscriptionId: string, request: { deliveredAt?: number | undefined }, actor: Actor): Promise<ContractView> {
    return this.change(subscriptionId, actor, 'contract.delivered', (contract, now) => recordDelivery(contract, past(request.deliveredAt ?? now, now, 'deliveredAt')));
  }

  /** R19: by phone (recorded by the helpdesk) or in the customer's account. */
  cancel(subscriptionId: string, request: { channel: CancellationChannel; requestedAt?: number | undefined }, actor: Actor): Promise<ContractView> {
    return this.change(subscriptionId, actor, 'contract.cancelled', (contract, now) =>
      cancelContract(contract, { at: past(request.requestedAt ?? now, now, 'requestedAt'), by: ruleActor(actor), channel: request.channel }, this.ctx.config.contract),
    );
  }

  /** R21: no usable coverage; on request within 30 days of delivery; ends the contract at once. */
  async annul(subscriptionId: string, request: { requestedAt?: number | undefined; note?: string | undefined }, actor: Actor): Promise<ContractView> {
    const coverageVerdict = await this.coverage.verdictName(subscriptionId);
    return this.change(
      subscriptionId,
      actor,
      'contract.annulled',
      (contract, now) =>
        annulContract(contract, { at: past(request.requestedAt ?? now, now, 'requestedAt'), by: ruleActor(actor), coverageVerdict }, this.ctx.config.contract),
      { note: request.note ?? null },
    );
  }

  /** R23: the ISP ends the contract (misuse: at once). */
  endByIsp(subscriptionId: string, request: { reason: IspEndReason; note?: string | undefined }, actor: Actor): Promise<ContractView> {
    return this.change(
      subscriptionId,
      actor,
      'contract.ended-by-isp',
      (contract, now) => endContractByIsp(contract, { at: now, by: ruleActor(actor), reason: request.reason }, this.ctx.config.contract),
      { note: request.note ?? null },
    );
  }

  /** R20: the returns department received the kit. */
  async recordKitReturn(subscriptionId: string, request: { returnedAt?: number | undefined }, actor: Actor): Promise<ContractView> {
    const { store, clock } = this.ctx;
    await writeTransaction(store, async (trx) => {
      const now = clock.now();
      const row = await this.lockedRow(trx, subscriptionId);
      if (row.termination === null) throw new RuleError('invalid-transition', 'the contract has not been cancelled, annulled or ended: no kit is due back');
      if (row.kit_returned_at !== null) {
        throw new RuleError('invalid-transition', 'the kit has already been returned', { returnedAt: new Date(row.kit_returned_at).toISOString() });
      }
      const returnedAt = past(request.returnedAt ?? now, now, 'returnedAt');
      await setKitReturned(trx, subscriptionId, returnedAt);
      await appendAudit(trx, clock, { actor, action: 'contract.kit-returned', subscriptionId, details: { returnedAt: new Date(returnedAt).toISOString() } });
    });
    return this.view(subscriptionId);
  }

  /** Contracts whose end has come and whose end actions are not done (the end job's list). */
  async dueEnds(): Promise<string[]> {
    return (await dueContractEnds(this.ctx.store.db, this.ctx.clock.now())).map((row) => row.subscription_id);
  }

  /**
   * R20, first step on the effective date: mobile data off (desired state suspended), the boost in
   * force ends, the EUR 0 final invoice is issued and mailed. Returns false when already done.
   */
  async endService(subscriptionId: string): Promise<boolean> {
    const { store, clock, effects } = this.ctx;
    const outcome = await writeTransaction(store, async (trx) => {
      const row = await this.lockedRow(trx, subscriptionId);
      const now = clock.now();
      if (row.ended_at !== null || row.ends_at === null || row.ends_at > now) return null;
      const contract = contractOf(row);
      let mail = false;
      const done: string[] = [];
      for (const action of contractEndActions(contract, now, this.ctx.config.contract)) {
        switch (action.type) {
          case 'set-desired-suspended':
            await markContractEnded(trx, subscriptionId, now); // recomputeDesired reads it below
            break;
          case 'cancel-active-boosts': {
            const active = await boostInForce(trx, subscriptionId);
            if (active && (await endBoost(trx, active.id, { status: 'cancelled', reason: 'contract-ended', at: now }))) done.push(`boost ${active.id} ended`);
            break;
          }
          case 'revoke-device-credentials':
            break; // revokeCredentials, once the suspended desired state is out
          case 'issue-final-invoice': {
            const invoice = action.invoice;
            const fresh = await insertFinalInvoice(trx, {
              subscription_id: subscriptionId,
              amount_cents: invoice.amountCents,
              issued_on: invoice.issuedOn,
              period: invoice.period,
              termination: invoice.termination,
              created_at: now,
            });
            const customer = await customerOfSubscription(trx, subscriptionId);
            const kit = { dueDate: kitReturnDueDate(contract, this.ctx.config.contract) ?? invoice.issuedOn, returnAddress: FREE_RETURN_ADDRESS };
            if (fresh && customer?.email) mail = await enqueueMail(trx, clock, finalInvoiceMail(invoice, kit, customer.email));
            break;
          }
          case 'open-kit-return':
            done.push(`kit due back by ${action.dueDate}`);
            break;
        }
      }
      await appendAudit(trx, clock, { actor: SYSTEM, action: 'contract.ended', subscriptionId, details: { effectiveDate: contract.termination?.effectiveDate ?? null, done } });
      return { changed: await recomputeDesired(trx, subscriptionId, now), mail };
    });
    if (!outcome) return false;
    effects.desiredChanged(outcome.changed);
    if (outcome.mail) effects.mailQueued();
    return true;
  }

  /** R20, second step: every router of the subscription loses its MQTT credentials. */
  async revokeCredentials(subscriptionId: string): Promise<string[]> {
    const { store, clock, effects } = this.ctx;
    const revoked = await writeTransaction(store, async (trx) => {
      const row = await this.lockedRow(trx, subscriptionId);
      const now = clock.now();
      if (row.ended_at === null || row.credentials_revoked_at !== null) return [];
      const ids: string[] = [];
      for (const device of await activeDevicesOf(trx, subscriptionId)) {
        if (await revokeDevice(trx, device.id, now)) {
          ids.push(device.id);
          await recordRevokedOffline(trx, device.id, now);
        }
      }
      await markCredentialsRevoked(trx, subscriptionId, now);
      for (const id of ids) await appendAudit(trx, clock, { actor: SYSTEM, action: 'device.revoked', subscriptionId, subjectId: id, details: { cause: 'contract-ended' } });
      return ids;
    });
    for (const id of revoked) effects.credentialsChanged(id);
    return revoked;
  }

  private async lockedRow(trx: Db, subscriptionId: string): Promise<ContractRow> {
    if (!(await lockSubscription(trx, this.ctx.store.dialect, subscriptionId))) throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
    return this.row(subscriptionId, trx);
  }

  /** Applies a rule to the contract and stores it; a termination schedules the end. */
  private async change(
    subscriptionId: string,
    actor: Actor,
    action: string,
    apply: (contract: Contract, now: number) => Contract,
    extra: Readonly<Record<string, unknown>> = {},
  ): Promise<ContractView> {
    const { store, clock, effects } = this.ctx;
    const contract = await writeTransaction(store, async (trx) => {
      const before = contractOf(await this.lockedRow(trx, subscriptionId));
      const after = apply(before, clock.now());
      await saveContract(trx, after);
      const termination = after.termination;
      await appendAudit(trx, clock, {
        actor,
        action,
        subscriptionId,
        details: {
          ...extra,
          ...(after.deliveredAt !== before.deliveredAt && after.deliveredAt !== null ? { deliveredAt: new Date(after.deliveredAt).toISOString() } : {}),
          ...(termination && termination !== before.termination ? { kind: termination.kind, effectiveDate: termination.effectiveDate } : {}),
        },
      });
      return after;
    });
    if (contract.termination) effects.contractEndScheduled(subscriptionId, contract.termination.endsAt);
    return this.view(subscriptionId);
  }
}

/** An instant the caller gives for something that happened: never in the future. */
function past(at: number, now: number, name: string): number {
  if (at > now) throw new RuleError('invalid-input', `${name} is in the future`, { [name]: new Date(at).toISOString() });
  return at;
}
