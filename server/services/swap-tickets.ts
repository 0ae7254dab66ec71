// R12-R15 modem swap tickets through the rules' state machine (server/rules/swap-ticket.ts):
// opened by the helpdesk for a subscription's router or stick with the SLA deadline from the
// swap calendar; each event (dispatch, arrive, replace, close, cancel, the defective unit's
// return, the fault assessment) applied with who and when, kept in the ticket's history and the
// audit log. The replacement router's enrollment (DeviceService) revokes the old router's
// credentials. The SLA watch (jobs/swap-sla.ts) records when a ticket turns at risk or breached.
import type { Db } from '../db/schema.js';
import { isUniqueViolation, lockSubscription, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { returnInstructionsMail } from '../mail/templates.js';
import { contractPhase } from '../rules/contract.js';
import { RuleError } from '../rules/errors.js';
import { FREE_RETURN_ADDRESS } from '../rules/swap-return.js';
import { slaStatus } from '../rules/swap-sla.js';
import {
  applySwapEvent,
  assertNoOpenSwapTicket,
  openSwapTicket,
  swapTicketAwaitingEnrollment,
  type OpenSwapTicketBody,
  type SwapAction,
  type SwapEvent,
  type SwapEventBody,
  type SwapTicket,
} from '../rules/swap-ticket.js';
import { appendAudit, type Actor } from '../store/audit.js';
import { contractOf, getContract } from '../store/contracts.js';
import { activeDevicesOf, revokeDevice } from '../store/devices.js';
import { recordRevokedOffline } from '../store/timeline.js';
import { enqueueMail } from '../store/outbox.js';
import { customerOfSubscription, getSubscription } from '../store/subscriptions.js';
import {
  flagOneOffCharge,
  getSwapTicket,
  insertSwapTicket,
  listSwapTickets,
  openSwapTicketsOf,
  saveSwapTicket,
  setSlaState,
  ticketOf,
  unsettledSwapTickets,
  type SwapListStatus,
} from '../store/swap-tickets.js';
import { ruleActor } from './actors.js';
import type { ServiceContext } from './context.js';
import { calendarsOf } from './rules-config.js';
import { swapTicketSummary, swapTicketView, type SlaContext, type SwapTicketSummary, type SwapTicketView } from './swap-views.js';

/** What a change did besides the ticket: credentials revoked, mail queued (to act on after commit). */
export interface SwapEffects {
  revoked: string[];
  mail: boolean;
}

export class SwapTicketService {
  constructor(private readonly ctx: ServiceContext) {}

  /** R12: the helpdesk opens a ticket for the subscription's router or stick. */
  async open(subscriptionId: string, request: OpenSwapTicketBody & { deviceId?: string | undefined }, actor: Actor): Promise<SwapTicketView> {
    const { store, clock, config } = this.ctx;
    const now = clock.now();
    const reportedAt = request.reportedAt ?? now;
    if (reportedAt > now) throw new RuleError('invalid-input', 'reportedAt is in the future', { reportedAt: new Date(reportedAt).toISOString() });
    let opened: { ticket: SwapTicket; atRiskFrom: number };
    try {
      opened = await writeTransaction(store, async (trx) => {
        if (!(await lockSubscription(trx, store.dialect, subscriptionId))) throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
        const contract = await getContract(trx, subscriptionId);
        const phase = contract ? contractPhase(contractOf(contract), now, config.contract) : 'ordered';
        if (phase === 'ordered' || phase === 'ended') {
          throw new ApiError('not-in-service', phase === 'ordered' ? 'The kit has not been delivered yet: there is nothing to swap.' : 'The contract has ended.', { phase });
        }
        const devices = await activeDevicesOf(trx, subscriptionId);
        const device = request.deviceId ? devices.find((d) => d.id === request.deviceId) : devices[0];
        if (!device) throw new ApiError('no-device', request.deviceId ? `Device ${request.deviceId} is not an enrolled router of this subscription.` : 'The subscription has no enrolled router.');
        assertNoOpenSwapTicket((await openSwapTicketsOf(trx, subscriptionId)).map(ticketOf), subscriptionId, request.equipment);
        const { ticket, actions } = openSwapTicket(
          {
            id: newId('swp', clock),
            subscriptionId,
            equipment: request.equipment,
            defectiveDeviceId: device.id,
            defectiveSerial: request.defectiveSerial,
            description: request.description,
            reportedAt,
            reportedBy: ruleActor(actor),
          },
          calendarsOf(config).swap,
          config.swapSla,
        );
        const watch = actions.find((a) => a.type === 'watch-sla');
        const atRiskFrom = watch?.type === 'watch-sla' ? watch.atRiskFrom : ticket.deadline;
        await insertSwapTicket(trx, ticket, { atRiskFrom, at: now });
        await appendAudit(trx, clock, {
          actor,
          action: 'swap-ticket.opened',
          subscriptionId,
          subjectId: ticket.id,
          details: { equipment: ticket.equipment, deviceId: device.id, deadline: new Date(ticket.deadline).toISOString(), outsideHours: ticket.reportedOutsideHours },
        });
        return { ticket, atRiskFrom };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new RuleError('swap-ticket-already-open', `a ticket is already open for this ${request.equipment}`);
      throw error;
    }
    this.ctx.effects.swapSlaScheduled(opened.ticket.id, opened.atRiskFrom);
    this.ctx.effects.swapSlaScheduled(opened.ticket.id, opened.ticket.deadline + 1);
    return this.view(opened.ticket.id);
  }

  /** One event of the lifecycle or the return, by `actor`, at `body.at` or now. */
  async applyEvent(ticketId: string, body: SwapEventBody, actor: Actor): Promise<SwapTicketView> {
    const { store, clock } = this.ctx;
    const existing = await getSwapTicket(store.db, ticketId);
    if (!existing) throw new ApiError('swap-ticket-not-found', `No swap ticket ${ticketId}.`);
    const effects = await writeTransaction(store, async (trx) => {
      await lockSubscription(trx, store.dialect, existing.subscription_id);
      const row = (await getSwapTicket(trx, ticketId))!;
      const now = clock.now();
      const event = { ...body, at: body.at ?? now, by: ruleActor(actor) } as SwapEvent;
      return this.applyIn(trx, ticketOf(row), event, actor, now);
    });
    this.afterCommit(effects);
    return this.view(ticketId);
  }

  /**
   * Inside the enrollment's transaction: a new router for a subscription with a router swap
   * waiting for its replacement is that replacement; the old router's credentials are revoked.
   * The caller acts on the returned effects after commit (`afterCommit`).
   */
  async replacementEnrolledIn(trx: Db, enrollment: { subscriptionId: string; deviceId: string; actor: Actor; now: number }): Promise<SwapEffects> {
    const tickets = (await openSwapTicketsOf(trx, enrollment.subscriptionId)).map(ticketOf);
    const ticket = swapTicketAwaitingEnrollment(tickets, enrollment.subscriptionId);
    if (!ticket) return { revoked: [], mail: false };
    const event: SwapEvent = { type: 'replacement-enrolled', at: enrollment.now, by: ruleActor(enrollment.actor), deviceId: enrollment.deviceId };
    return this.applyIn(trx, ticket, event, enrollment.actor, enrollment.now);
  }

  async view(ticketId: string): Promise<SwapTicketView> {
    const db = this.ctx.store.db;
    const row = await getSwapTicket(db, ticketId);
    if (!row) throw new ApiError('swap-ticket-not-found', `No swap ticket ${ticketId}.`);
    const subscription = await getSubscription(db, row.subscription_id);
    return swapTicketView(ticketOf(row), { reference: subscription?.reference ?? row.subscription_id, oneOffCharge: row.one_off_charge === 1 }, this.sla());
  }

  /** The NOC list: by lifecycle status and, optionally, SLA state; soonest deadline first. */
  async list(filter: { status: SwapListStatus; sla?: 'ok' | 'at-risk' | 'breached' | undefined; subscriptionId?: string | undefined; limit: number }): Promise<SwapTicketSummary[]> {
    const rows = await listSwapTickets(this.ctx.store.db, filter);
    const sla = this.sla();
    const items = rows.map((row) => swapTicketSummary(ticketOf(row), { reference: row.reference, oneOffCharge: row.one_off_charge === 1 }, sla));
    return filter.sla ? items.filter((item) => item.slaStatus === filter.sla) : items;
  }

  /**
   * The SLA watch: records each unsettled ticket's change to at risk or breached once (in the
   * ticket row and the audit log). Idempotent; returns how many changed.
   */
  async watchSla(): Promise<number> {
    const { store, clock, config } = this.ctx;
    let changed = 0;
    for (const row of await unsettledSwapTickets(store.db)) {
      const ticket = ticketOf(row);
      const status = slaStatus(ticket, clock.now(), calendarsOf(config).swap, config.swapSla);
      if (status.status === row.sla_state) continue;
      const recorded = await writeTransaction(store, async (trx) => {
        if (!(await setSlaState(trx, ticket.id, status.status))) return false;
        await appendAudit(trx, clock, {
          actor: { kind: 'system', id: 'swap-sla' },
          action: `swap-ticket.sla-${status.status}`,
          subscriptionId: ticket.subscriptionId,
          subjectId: ticket.id,
          details: { deadline: new Date(ticket.deadline).toISOString(), businessTimeLeftMs: status.businessTimeLeftMs },
        });
        return true;
      });
      if (recorded) changed++;
    }
    return changed;
  }

  /** Unsettled tickets' next SLA instants, to arm the watch at start. */
  async slaInstants(): Promise<{ ticketId: string; at: number }[]> {
    const rows = await unsettledSwapTickets(this.ctx.store.db);
    return rows.flatMap((row) => [
      { ticketId: row.id, at: row.at_risk_from },
      { ticketId: row.id, at: row.deadline + 1 },
    ]);
  }

  private sla(): SlaContext {
    return { calendar: calendarsOf(this.ctx.config).swap, config: this.ctx.config.swapSla, now: this.ctx.clock.now() };
  }

  private async applyIn(trx: Db, ticket: SwapTicket, event: SwapEvent, actor: Actor, now: number): Promise<SwapEffects> {
    const { clock } = this.ctx;
    const result = applySwapEvent(ticket, event, now);
    await saveSwapTicket(trx, result.ticket, now);
    const last = result.ticket.history[result.ticket.history.length - 1]!;
    await appendAudit(trx, clock, {
      actor,
      action: `swap-ticket.${event.type}`,
      subscriptionId: ticket.subscriptionId,
      subjectId: ticket.id,
      details: { from: last.from, to: last.to, at: new Date(event.at).toISOString(), ...last.details },
    });
    const effects: SwapEffects = { revoked: [], mail: false };
    for (const action of result.actions) await this.carryOut(trx, action, actor, now, effects, ticket.subscriptionId);
    return effects;
  }

  private async carryOut(trx: Db, action: SwapAction, actor: Actor, now: number, effects: SwapEffects, subscriptionId: string): Promise<void> {
    const { clock } = this.ctx;
    switch (action.type) {
      case 'watch-sla':
        return; // only when a ticket opens
      case 'revoke-device-credentials':
        if (await revokeDevice(trx, action.deviceId, now)) {
          effects.revoked.push(action.deviceId);
          await recordRevokedOffline(trx, action.deviceId, now);
          await appendAudit(trx, clock, { actor, action: 'device.revoked', subscriptionId, subjectId: action.deviceId, details: { cause: 'replaced', replacedBy: action.replacedBy, ticketId: action.ticketId } });
        }
        return;
      case 'record-one-off-charge':
        await flagOneOffCharge(trx, action.ticketId);
        await appendAudit(trx, clock, { actor, action: 'swap-ticket.one-off-charge', subscriptionId: action.subscriptionId, subjectId: action.ticketId, details: { equipment: action.equipment } });
        return;
      case 'send-return-instructions': {
        const customer = await customerOfSubscription(trx, action.subscriptionId);
        const row = await getSwapTicket(trx, action.ticketId);
        if (customer?.email && row) effects.mail = (await enqueueMail(trx, clock, returnInstructionsMail({ id: row.id, equipment: row.equipment }, FREE_RETURN_ADDRESS, customer.email))) || effects.mail;
        return;
      }
    }
  }

  afterCommit(effects: SwapEffects): void {
    for (const id of effects.revoked) this.ctx.effects.credentialsChanged(id);
    if (effects.mail) this.ctx.effects.mailQueued();
  }
}
