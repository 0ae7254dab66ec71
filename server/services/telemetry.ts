// What the server does with each validated message from a device. Every handler is idempotent:
// a repeated, replayed or reordered message changes nothing (see core/telemetry-order.ts), and
// says so in its outcome so the ingest can count it. Besides the latest state, the timeline the
// service rules look back on is kept (store/timeline.ts): every presence message (R16), each
// active path a status reported (R16), and the stick's registration and signal while the
// coverage check may need them (R21); a late or repeated message still adds what it knows.
import type { Ack, AgentEvent, Presence, Status, Usage } from '../../shared/contract/index.js';
import { periodOf } from '../../shared/period.js';
import { thresholdsReached } from '../core/fair-use.js';
import { presenceWins, statusWins } from '../core/telemetry-order.js';
import { lockSubscription, writeTransaction } from '../db/transaction.js';
import { boostAppliedMail, fairUseMail } from '../mail/templates.js';
import { appendAudit, SYSTEM, type Actor } from '../store/audit.js';
import { boostInForce, endBoost, getBoost, markApplied } from '../store/boosts.js';
import { getDesired, recordAck } from '../store/desired-states.js';
import { setPresence, setStatusIfNewer, touchLastSeen, type DeviceRow } from '../store/devices.js';
import { insertFairUseNotice } from '../store/jobs.js';
import { enqueueMail } from '../store/outbox.js';
import { customerOfSubscription } from '../store/subscriptions.js';
import { deviceUsage, insertEvent, subscriptionUsedBytes, upsertUsage } from '../store/telemetry.js';
import { insertCoverageReport, insertPathChange, insertPresenceLog } from '../store/timeline.js';
import { presenceRecord } from '../rules/guarantee-timeline.js';
import type { Db } from '../db/schema.js';
import type { BoostService } from './boosts.js';
import type { ServiceContext } from './context.js';
import { recomputeDesired } from './desired-state.js';

/** How fresh `last_seen_at` is kept (a view shows it to the second). */
const LAST_SEEN_RESOLUTION_MS = 1_000;

/** `stored`: it changed something; `duplicate`: seen before; `stale`: older than what is known. */
export type IngestOutcome = 'stored' | 'duplicate' | 'stale';

export class TelemetryService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly boosts: BoostService,
    /** R21: whether the subscription's coverage check may still use a report at `at`. */
    private readonly coverage: { wantsReports(db: Db, subscriptionId: string, at: number): Promise<boolean> },
  ) {}

  async presence(device: DeviceRow, message: Presence): Promise<IngestOutcome> {
    const { db } = this.ctx.store;
    // R16: an offline presence (usually the Last Will) is dated when it arrived (rules: presenceRecord).
    const receivedAt = this.ctx.clock.now();
    const record = presenceRecord(message, receivedAt);
    await insertPresenceLog(db, {
      device_id: device.id,
      at: record.kind === 'presence' ? record.at : receivedAt,
      sent_at: Date.parse(message.at),
      received_at: receivedAt,
      state: message.state,
      reason: message.reason ?? null,
    });
    const stored = device.presence && device.presence_at !== null ? { state: device.presence, at: device.presence_at } : null;
    if (!presenceWins(stored, message)) return stored && stored.at === Date.parse(message.at) ? 'duplicate' : 'stale';
    await setPresence(db, device.id, { state: message.state, at: Date.parse(message.at), reason: message.reason ?? null });
    if (message.state === 'online') await touchLastSeen(db, device.id, this.ctx.clock.now());
    return 'stored';
  }

  async status(device: DeviceRow, message: Status): Promise<IngestOutcome> {
    const { db } = this.ctx.store;
    const at = Date.parse(message.at);
    const receivedAt = this.ctx.clock.now();
    await insertPathChange(db, { device_id: device.id, at: Date.parse(message.pathSince), path: message.activePath, received_at: receivedAt });
    if (await this.coverage.wantsReports(db, device.subscription_id, at)) {
      await insertCoverageReport(db, {
        device_id: device.id,
        subscription_id: device.subscription_id,
        at,
        modem_state: message.modem.state,
        registration: message.modem.registration,
        signal_dbm: message.modem.signalDbm,
        received_at: receivedAt,
      });
    }
    if (!statusWins(device.status_at, at)) return device.status_at === at ? 'duplicate' : 'stale';
    const stored = await setStatusIfNewer(db, device.id, { json: JSON.stringify(message), at, path: message.activePath });
    if (!stored) return 'stale';
    await this.seen(device);
    return 'stored';
  }

  async event(device: DeviceRow, message: AgentEvent): Promise<IngestOutcome> {
    const inserted = await insertEvent(this.ctx.store.db, {
      device_id: device.id,
      event_id: message.id,
      type: message.type,
      at: Date.parse(message.at),
      received_at: this.ctx.clock.now(),
      payload: JSON.stringify(message),
    });
    if (!inserted) return 'duplicate';
    await this.seen(device);
    return 'stored';
  }

  /** Cumulative usage (R9); crossing a threshold is recorded once and applies the policy. */
  async usage(device: DeviceRow, message: Usage): Promise<IngestOutcome> {
    const { store, clock, effects } = this.ctx;
    const stored = await upsertUsage(store.db, {
      device_id: device.id,
      period: message.period,
      seq: message.seq,
      up_bytes: message.upBytes,
      down_bytes: message.downBytes,
      at: Date.parse(message.at),
      received_at: clock.now(),
    });
    if (!stored) {
      const kept = await deviceUsage(store.db, device.id, message.period);
      return kept && kept.seq > message.seq ? 'stale' : 'duplicate';
    }
    await this.seen(device);

    const policy = this.boosts.fairUsePolicy;
    const subscriptionId = device.subscription_id;
    const usedBytes = await subscriptionUsedBytes(store.db, subscriptionId, message.period);
    if (thresholdsReached(usedBytes, policy).length === 0) return 'stored';

    const { changed, mails } = await writeTransaction(store, async (trx) => {
      await lockSubscription(trx, store.dialect, subscriptionId);
      const now = clock.now();
      const used = await subscriptionUsedBytes(trx, subscriptionId, message.period);
      const customer = await customerOfSubscription(trx, subscriptionId);
      const holds = policy.atCap === 'hold-baseline';
      let mails = 0;
      let changed: string[] = [];
      for (const threshold of thresholdsReached(used, policy)) {
        const fresh = await insertFairUseNotice(trx, { subscriptionId, period: message.period, threshold, at: now, usedBytes: used });
        if (!fresh) continue;
        await appendAudit(trx, clock, { actor: SYSTEM, action: 'fair-use.threshold', subscriptionId, details: { period: message.period, threshold, usedBytes: used } });
        if (customer?.email) {
          const mail = fairUseMail({ subscriptionId, period: message.period, threshold, usedBytes: used, capBytes: policy.capBytes, holds }, customer.email);
          if (await enqueueMail(trx, clock, mail)) mails++;
        }
        // R9 policy: at the cap, hold the line at the baseline (this month's self-service boost ends).
        if (threshold === 100 && holds && message.period === periodOf(now).id) {
          const active = await boostInForce(trx, subscriptionId);
          if (active?.kind === 'self-service' && (await endBoost(trx, active.id, { status: 'ended', reason: 'fair-use', at: now }))) {
            await appendAudit(trx, clock, { actor: SYSTEM, action: 'boost.ended', subscriptionId, subjectId: active.id, details: { reason: 'fair-use' } });
            changed = await recomputeDesired(trx, subscriptionId, now);
          }
        }
      }
      return { changed, mails };
    });
    effects.desiredChanged(changed);
    if (mails > 0) effects.mailQueued();
    return 'stored';
  }

  /** The agent's answer to a desired state. A boost is "applied" only now, and only now mailed (R6). */
  async ack(device: DeviceRow, message: Ack): Promise<IngestOutcome> {
    const { store, clock, effects } = this.ctx;
    const actor: Actor = { kind: 'device', id: device.id };
    const result = await writeTransaction(store, async (trx) => {
      const now = clock.now();
      const desired = await getDesired(trx, device.id);
      if (!desired || message.seq > desired.seq) return { outcome: 'stale' as const, changed: [] as string[], mail: false };
      const recorded = await recordAck(trx, device.id, { seq: message.seq, outcome: message.outcome, reason: message.reason ?? null, at: Date.parse(message.at) });
      if (!recorded) return { outcome: 'duplicate' as const, changed: [], mail: false };
      let mail = false;
      let changed: string[] = [];
      const boost = message.boostId ? await getBoost(trx, message.boostId) : undefined;
      if (boost && boost.subscription_id === device.subscription_id) {
        if (message.outcome === 'applied' && (await markApplied(trx, boost.id, now))) {
          await appendAudit(trx, clock, { actor, action: 'boost.applied', subscriptionId: boost.subscription_id, subjectId: boost.id, details: { seq: message.seq, rates: message.applied } });
          if (boost.email) {
            const rates = message.applied ?? { downKbps: desired.down_kbps, upKbps: desired.up_kbps };
            mail = await enqueueMail(trx, clock, boostAppliedMail(boost, boost.email, rates));
          }
        } else if (message.outcome === 'rejected' && boost.status === 'requested' && desired.boost_id === boost.id && message.seq === desired.seq) {
          // The router refused it: the boost did not happen, so it does not count (R7) and the
          // desired state returns to what it should be without it.
          await endBoost(trx, boost.id, { status: 'rejected', reason: 'rejected', at: now, freeSlot: true });
          await appendAudit(trx, clock, { actor, action: 'boost.rejected', subscriptionId: boost.subscription_id, subjectId: boost.id, details: { reason: message.reason ?? null } });
          changed = await recomputeDesired(trx, boost.subscription_id, now);
        }
      }
      return { outcome: 'stored' as const, changed, mail };
    });
    await this.seen(device);
    effects.desiredChanged(result.changed);
    if (result.mail) effects.mailQueued();
    return result.outcome;
  }

  private async seen(device: DeviceRow): Promise<void> {
    const now = this.ctx.clock.now();
    // One write a second per router at most: a boost's ack and its event arrive together, and
    // the row read for this message already says when the last one came.
    const since = device.last_seen_at === null ? Infinity : now - device.last_seen_at;
    if (since >= 0 && since < LAST_SEEN_RESOLUTION_MS) return;
    await touchLastSeen(this.ctx.store.db, device.id, now);
  }
}
