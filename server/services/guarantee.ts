// R16 online guarantee: a claim for a subscription and a month is judged at once from what the
// server recorded (store/timeline.ts: presence, active path from status and failover/failback/
// outage events, recording gaps; out of service before delivery, while suspended, after the end)
// by the rules (server/rules/guarantee.ts). Eligible: the month's fee is refunded (R19), at most
// once per subscription and month (the refunds' primary key; a second claim is "already
// refunded"). Undecidable (missing data): the claim stays pending for the NOC, who may judge it
// again later or decide it by hand.
import { periodById, type PeriodId } from '../../shared/period.js';
import { MONTHLY_FEE_CENTS } from '../../shared/service.js';
import type { ClaimStatus, Db } from '../db/schema.js';
import { isUniqueViolation, lockSubscription, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor as RuleActor } from '../rules/actor.js';
import { RuleError } from '../rules/errors.js';
import type { OutOfService, TimelineRecord } from '../rules/guarantee-timeline.js';
import { decideGuaranteeClaim, guaranteeRecordRange, type GuaranteeDecision } from '../rules/guarantee.js';
import { appendAudit, type Actor } from '../store/audit.js';
import { contractOf, getContract } from '../store/contracts.js';
import { getClaim, insertClaim, insertRefund, listClaims, refundOf, refundOfClaim, refundsOf, updateClaim, type ClaimRow } from '../store/guarantee.js';
import { getSubscription } from '../store/subscriptions.js';
import { suspensionsBetween } from '../store/suspensions.js';
import { deviceIdsEver, gapsBetween, pathRecords, presenceRecords } from '../store/timeline.js';
import { ruleActor } from './actors.js';
import type { ServiceContext } from './context.js';
import { assessmentOf, claimView, type ClaimView } from './guarantee-views.js';

/** Far enough to stand for "before anything" and "after everything" (the Date range). */
const BEFORE_ALL = -8.64e15;
const AFTER_ALL = 8.64e15;
const AUTOMATIC: RuleActor = { role: 'system', id: 'guarantee' };

export class GuaranteeService {
  constructor(private readonly ctx: ServiceContext) {}

  /** R16: the customer's claim (or the helpdesk's on their behalf), judged at once. */
  async claim(subscriptionId: string, request: { period: PeriodId; statement?: string | undefined }, actor: Actor): Promise<ClaimView> {
    const { store, clock } = this.ctx;
    if (!(await getSubscription(store.db, subscriptionId))) throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
    const now = clock.now();
    if (periodById(request.period).start >= now) throw new RuleError('period-not-started', `${request.period} has not started yet`, { period: request.period });
    const judged = await this.inputs(subscriptionId, request.period, now);
    const by = ruleActor(actor);
    const id = newId('clm', clock);
    await this.retryingRace(() =>
      writeTransaction(store, async (trx) => {
        await lockSubscription(trx, store.dialect, subscriptionId);
        const decision = await this.decide(trx, subscriptionId, request.period, now, judged);
        await insertClaim(trx, {
          id,
          subscription_id: subscriptionId,
          period: request.period,
          statement: request.statement ?? null,
          claimed_at: now,
          claimed_by_role: by.role,
          claimed_by_id: by.id,
          ...outcomeColumns(decision, now),
          note: null,
        });
        await appendAudit(trx, clock, { actor, action: 'guarantee.claimed', subscriptionId, subjectId: id, details: { period: request.period, verdict: decision.verdict, reason: decision.reason } });
        await this.refundIfEligible(trx, decision, id);
      }),
    );
    return this.get(id);
  }

  /** Judges a pending claim again with what is recorded now (late data may have arrived). */
  async reassess(claimId: string, actor: Actor): Promise<ClaimView> {
    const { store, clock } = this.ctx;
    const claim = await this.pending(store.db, claimId);
    const now = clock.now();
    const judged = await this.inputs(claim.subscription_id, claim.period, now);
    await this.retryingRace(() =>
      writeTransaction(store, async (trx) => {
        await lockSubscription(trx, store.dialect, claim.subscription_id);
        await this.pending(trx, claimId);
        const decision = await this.decide(trx, claim.subscription_id, claim.period, now, judged);
        await updateClaim(trx, claimId, { ...outcomeColumns(decision, now), note: null });
        await appendAudit(trx, clock, { actor, action: 'guarantee.reassessed', subscriptionId: claim.subscription_id, subjectId: claimId, details: { verdict: decision.verdict, reason: decision.reason } });
        await this.refundIfEligible(trx, decision, claimId);
      }),
    );
    return this.get(claimId);
  }

  /** The NOC decides a pending (undecidable) claim by hand; an eligible one is refunded once a month. */
  async decideByHand(claimId: string, request: { verdict: 'eligible' | 'not-eligible'; note: string }, actor: Actor): Promise<ClaimView> {
    const { store, clock } = this.ctx;
    const by = ruleActor(actor);
    try {
      await writeTransaction(store, async (trx) => {
        const claim = await this.pending(trx, claimId);
        await lockSubscription(trx, store.dialect, claim.subscription_id);
        const now = clock.now();
        const reason = request.verdict === 'eligible' ? 'decided eligible by an operator' : 'decided not eligible by an operator';
        await updateClaim(trx, claimId, {
          status: 'decided',
          verdict: request.verdict,
          reason,
          assessment: claim.assessment,
          decided_at: now,
          decided_by_role: by.role,
          decided_by_id: by.id,
          note: request.note,
        });
        await appendAudit(trx, clock, { actor, action: 'guarantee.decided', subscriptionId: claim.subscription_id, subjectId: claimId, details: { verdict: request.verdict, note: request.note } });
        if (request.verdict === 'eligible') {
          const refund = { subscriptionId: claim.subscription_id, period: claim.period, amountCents: MONTHLY_FEE_CENTS, outageStart: 0, outageEnd: 0, decidedAt: now };
          await insertRefund(trx, refund, claimId, { outageKnown: false });
          await appendAudit(trx, clock, { actor, action: 'guarantee.refunded', subscriptionId: claim.subscription_id, subjectId: claimId, details: { period: claim.period, amountCents: refund.amountCents } });
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('already-refunded', 'This month has already been refunded (R16: at most one refund per subscription per month).');
      throw error;
    }
    return this.get(claimId);
  }

  async get(claimId: string): Promise<ClaimView> {
    const db = this.ctx.store.db;
    const row = await getClaim(db, claimId);
    if (!row) throw new ApiError('claim-not-found', `No guarantee claim ${claimId}.`);
    const subscription = await getSubscription(db, row.subscription_id);
    return claimView({ ...row, reference: subscription?.reference ?? row.subscription_id }, await refundOfClaim(db, claimId));
  }

  async list(filter: { status?: ClaimStatus | undefined; subscriptionId?: string | undefined; limit: number }): Promise<ClaimView[]> {
    const db = this.ctx.store.db;
    const rows = await listClaims(db, filter);
    return Promise.all(rows.map(async (row) => claimView(row, await refundOfClaim(db, row.id))));
  }

  private async pending(db: Db, claimId: string): Promise<ClaimRow> {
    const claim = await getClaim(db, claimId);
    if (!claim) throw new ApiError('claim-not-found', `No guarantee claim ${claimId}.`);
    if (claim.status !== 'pending') throw new ApiError('claim-already-decided', `Claim ${claimId} was decided ${claim.verdict}.`, { verdict: claim.verdict });
    return claim;
  }

  private async decide(trx: Db, subscriptionId: string, period: PeriodId, now: number, judged: Inputs): Promise<GuaranteeDecision> {
    const refunds = (await refundsOf(trx, subscriptionId)).map(refundOf);
    return decideGuaranteeClaim({ subscriptionId, period, now, refunds, ...judged, silence: this.ctx.config.guarantee.silence });
  }

  private async refundIfEligible(trx: Db, decision: GuaranteeDecision, claimId: string): Promise<void> {
    if (decision.verdict !== 'eligible') return;
    await insertRefund(trx, decision.refund, claimId, { outageKnown: true });
    await appendAudit(trx, this.ctx.clock, {
      actor: { kind: 'system', id: 'guarantee' },
      action: 'guarantee.refunded',
      subscriptionId: decision.refund.subscriptionId,
      subjectId: claimId,
      details: { period: decision.refund.period, amountCents: decision.refund.amountCents },
    });
  }

  /** A concurrent claim that refunded the month first makes ours a unique violation: judge again, it is now "already refunded". */
  private async retryingRace(work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** What the rules judge from: the recorded timeline and the out-of-service spans. */
  private async inputs(subscriptionId: string, period: PeriodId, now: number): Promise<Inputs> {
    const db = this.ctx.store.db;
    const range = guaranteeRecordRange(period, now);
    const devices = await deviceIdsEver(db, subscriptionId);
    const [presence, paths, gaps] = await Promise.all([presenceRecords(db, devices, range.from, range.to), pathRecords(db, devices, range.from, range.to), gapsBetween(db, range.from, range.to)]);
    const records: TimelineRecord[] = [
      ...presence.map((p) => ({ kind: 'presence' as const, at: p.at, state: p.state, reason: (p.reason ?? null) as 'startup' | 'shutdown' | 'connection-lost' | null })),
      ...paths.map((p) => ({ kind: 'path' as const, at: p.at, path: p.path, source: p.source })),
      ...gaps.map((g) => ({ kind: 'gap' as const, from: g.from_at, to: g.to_at })),
    ];
    const outOfService: OutOfService[] = [];
    const contractRow = await getContract(db, subscriptionId);
    if (contractRow) {
      const contract = contractOf(contractRow);
      outOfService.push({ from: BEFORE_ALL, to: contract.deliveredAt ?? AFTER_ALL, reason: 'not-in-service' });
      if (contract.termination) outOfService.push({ from: contract.termination.endsAt, to: AFTER_ALL, reason: 'ended' });
    }
    for (const s of await suspensionsBetween(db, subscriptionId, range.from, range.to)) {
      outOfService.push({ from: s.since, to: s.restored_at ?? AFTER_ALL, reason: 'suspended' });
    }
    return { records, outOfService };
  }
}

interface Inputs {
  readonly records: readonly TimelineRecord[];
  readonly outOfService: readonly OutOfService[];
}

function outcomeColumns(decision: GuaranteeDecision, now: number) {
  const pending = decision.verdict === 'undecidable';
  return {
    status: (pending ? 'pending' : 'decided') as ClaimStatus,
    verdict: decision.verdict,
    reason: decision.reason,
    assessment: JSON.stringify(assessmentOf(decision)),
    decided_at: pending ? null : now,
    decided_by_role: pending ? null : AUTOMATIC.role,
    decided_by_id: pending ? null : AUTOMATIC.id,
  };
}
