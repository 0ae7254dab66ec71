// Swap tickets (R12, R15): the rules' `SwapTicket` as JSON, with the columns the NOC list and the
// "one open ticket per subscription and equipment" key (migration 0002) work on.
import type { Selectable } from 'kysely';
import type { Db, SwapTicketsTable } from '../db/schema.js';
import type { SlaState } from '../rules/swap-sla.js';
import { OPEN_SWAP_STATUSES, type SwapStatus, type SwapTicket } from '../rules/swap-ticket.js';

export type SwapTicketRow = Selectable<SwapTicketsTable>;

export function ticketOf(row: SwapTicketRow): SwapTicket {
  return JSON.parse(row.ticket) as SwapTicket;
}

function columnsOf(ticket: SwapTicket, at: number) {
  return {
    subscription_id: ticket.subscriptionId,
    equipment: ticket.equipment,
    defective_device_id: ticket.defectiveDeviceId,
    status: ticket.stage.status,
    reported_at: ticket.reportedAt,
    deadline: ticket.deadline,
    return_status: ticket.defectiveReturn.status,
    ticket: JSON.stringify(ticket),
    updated_at: at,
  };
}

export async function insertSwapTicket(db: Db, ticket: SwapTicket, extra: { atRiskFrom: number; at: number }): Promise<void> {
  await db
    .insertInto('swap_tickets')
    .values({ id: ticket.id, ...columnsOf(ticket, extra.at), at_risk_from: extra.atRiskFrom, sla_state: 'ok', one_off_charge: 0 })
    .execute();
}

export async function saveSwapTicket(db: Db, ticket: SwapTicket, at: number): Promise<void> {
  await db.updateTable('swap_tickets').set(columnsOf(ticket, at)).where('id', '=', ticket.id).execute();
}

export async function flagOneOffCharge(db: Db, ticketId: string): Promise<void> {
  await db.updateTable('swap_tickets').set({ one_off_charge: 1 }).where('id', '=', ticketId).execute();
}

/** Records the SLA state the watch saw; false when it was already recorded. */
export async function setSlaState(db: Db, ticketId: string, state: SlaState): Promise<boolean> {
  const result = await db.updateTable('swap_tickets').set({ sla_state: state }).where('id', '=', ticketId).where('sla_state', '!=', state).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export function getSwapTicket(db: Db, id: string): Promise<SwapTicketRow | undefined> {
  return db.selectFrom('swap_tickets').selectAll().where('id', '=', id).executeTakeFirst();
}

export function openSwapTicketsOf(db: Db, subscriptionId: string): Promise<SwapTicketRow[]> {
  return db
    .selectFrom('swap_tickets')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('status', 'in', OPEN_SWAP_STATUSES)
    .orderBy('reported_at')
    .execute();
}

export type SwapListStatus = 'open' | 'closed' | 'cancelled' | 'all';

export interface SwapTicketListRow extends SwapTicketRow {
  readonly reference: string;
}

/** Tickets with their subscription's reference, soonest deadline first. */
export function listSwapTickets(db: Db, filter: { status: SwapListStatus; subscriptionId?: string | undefined; limit: number }): Promise<SwapTicketListRow[]> {
  let query = db
    .selectFrom('swap_tickets')
    .innerJoin('subscriptions', 'subscriptions.id', 'swap_tickets.subscription_id')
    .selectAll('swap_tickets')
    .select('subscriptions.reference')
    .orderBy('swap_tickets.deadline')
    .orderBy('swap_tickets.id')
    .limit(filter.limit);
  const statuses: readonly SwapStatus[] | null =
    filter.status === 'open' ? OPEN_SWAP_STATUSES : filter.status === 'all' ? null : [filter.status];
  if (statuses) query = query.where('swap_tickets.status', 'in', statuses);
  if (filter.subscriptionId) query = query.where('swap_tickets.subscription_id', '=', filter.subscriptionId);
  return query.execute();
}

/** Open tickets whose technician is not on site yet: the SLA watch's work list. */
export function unsettledSwapTickets(db: Db): Promise<SwapTicketRow[]> {
  return db.selectFrom('swap_tickets').selectAll().where('status', 'in', ['reported', 'dispatched']).execute();
}
