// R12, R13, R15: swap tickets, their SLA to "technician on site", the return of the defective
// unit with the one-off charge, and the router replacement's enrollment.
import fc from 'fast-check';
import t from 'tap';
import type { Actor } from '../../../server/rules/actor.js';
import { createBusinessCalendar } from '../../../server/rules/business-calendar.js';
import { isRuleError } from '../../../server/rules/errors.js';
import { slaStatus, slaWatchlist, SwapSlaConfigSchema } from '../../../server/rules/swap-sla.js';
import {
  applySwapEvent,
  assertNoOpenSwapTicket,
  openSwapTicket,
  SwapEventBodySchema,
  swapTicketAwaitingEnrollment,
  type SwapEvent,
  type SwapTicket,
} from '../../../server/rules/swap-ticket.js';
import { local, MINUTE_MS, show } from './local-time.js';

const calendar = createBusinessCalendar();
const helpdesk: Actor = { role: 'helpdesk', id: 'op-anna' };
const technician: Actor = { role: 'technician', id: 'tech-piet' };
const returns: Actor = { role: 'noc', id: 'returns-desk' };
const FAR_FUTURE = local('2030-01-01 00:00');

function open(reportedAt: string, equipment: 'router' | 'stick' = 'router'): SwapTicket {
  return openSwapTicket(
    {
      id: `t-${equipment}-${reportedAt}`,
      subscriptionId: 'sub-1',
      equipment,
      defectiveDeviceId: 'dev-old',
      description: 'power LED off',
      reportedAt: local(reportedAt),
      reportedBy: helpdesk,
    },
    calendar,
  ).ticket;
}

function apply(ticket: SwapTicket, ...events: SwapEvent[]): SwapTicket {
  return events.reduce((current, event) => applySwapEvent(current, event, FAR_FUTURE).ticket, ticket);
}

const dispatch = (at: string): SwapEvent => ({ type: 'dispatch', at: local(at), by: helpdesk, technicianId: 'tech-piet' });
const arrive = (at: string): SwapEvent => ({ type: 'arrive', at: local(at), by: technician });
const replace = (at: string, deviceId?: string): SwapEvent => ({ type: 'replace', at: local(at), by: technician, replacement: { serial: 'SN-NEW', ...(deviceId ? { deviceId } : {}) } });

t.test('R12/R14: a ticket opened Thursday 15:00 is due Thursday 19:00, with an SLA watch', async (t) => {
  const { ticket, actions } = openSwapTicket(
    { id: 't1', subscriptionId: 'sub-1', equipment: 'router', defectiveDeviceId: 'dev-old', description: 'dead', reportedAt: local('2026-01-15 15:00'), reportedBy: helpdesk },
    calendar,
  );
  t.equal(show(ticket.deadline), 'Thu 2026-01-15 19:00 +01:00');
  t.equal(ticket.reportedOutsideHours, false);
  t.equal(ticket.stage.status, 'reported');
  t.same(actions, [{ type: 'watch-sla', ticketId: 't1', atRiskFrom: local('2026-01-15 18:00'), deadline: local('2026-01-15 19:00') }]);
  t.same(ticket.history.map((h) => [h.event, h.from, h.to]), [['reported', null, 'reported']]);
});

t.test('R13: a report by API at 07:59 counts from 08:00', async (t) => {
  const ticket = open('2026-01-15 07:59');
  t.equal(ticket.reportedOutsideHours, true);
  t.equal(show(ticket.slaStartsAt), 'Thu 2026-01-15 08:00 +01:00');
  t.equal(show(ticket.deadline), 'Thu 2026-01-15 12:00 +01:00');
});

t.test('the lifecycle: reported → dispatched → on site → replaced → closed, each with time and actor', async (t) => {
  const ticket = apply(open('2026-01-15 15:00'), dispatch('2026-01-15 15:10'), arrive('2026-01-15 18:20'), replace('2026-01-15 18:50'), {
    type: 'close',
    at: local('2026-01-15 19:05'),
    by: helpdesk,
    note: 'customer online',
  });
  t.equal(ticket.stage.status, 'closed');
  t.same(
    ticket.history.map((h) => [h.event, h.from, h.to, h.by.id, show(h.at)]),
    [
      ['reported', null, 'reported', 'op-anna', 'Thu 2026-01-15 15:00 +01:00'],
      ['dispatch', 'reported', 'dispatched', 'op-anna', 'Thu 2026-01-15 15:10 +01:00'],
      ['arrive', 'dispatched', 'on-site', 'tech-piet', 'Thu 2026-01-15 18:20 +01:00'],
      ['replace', 'on-site', 'replaced', 'tech-piet', 'Thu 2026-01-15 18:50 +01:00'],
      ['close', 'replaced', 'closed', 'op-anna', 'Thu 2026-01-15 19:05 +01:00'],
    ],
  );
  t.equal(ticket.history[2]?.details['deadlineMet'], true);
  const sla = slaStatus(ticket, local('2026-01-16 12:00'), calendar);
  t.same([sla.status, sla.settled, sla.businessTimeLeftMs], ['ok', true, 40 * MINUTE_MS], 'met with 40 minutes to spare, measured at arrival');
});

t.test('refused transitions name the state and the event', async (t) => {
  const reported = open('2026-01-15 15:00');
  t.throws(() => apply(reported, arrive('2026-01-15 16:00')), { code: 'invalid-transition', details: { status: 'reported', event: 'arrive' } });
  const dispatched = apply(reported, dispatch('2026-01-15 15:10'));
  t.throws(() => apply(dispatched, replace('2026-01-15 16:00')), { code: 'invalid-transition' });
  const onSite = apply(dispatched, arrive('2026-01-15 16:00'));
  t.throws(() => apply(onSite, { type: 'close', at: local('2026-01-15 16:30'), by: helpdesk }), { code: 'invalid-transition' }, 'not closed before the replacement');
  const replaced = apply(onSite, replace('2026-01-15 16:30'));
  t.throws(() => apply(replaced, { type: 'cancel', at: local('2026-01-15 17:00'), by: helpdesk, reason: 'x' }), { code: 'invalid-transition' }, 'nothing to cancel after the replacement');
  const closed = apply(replaced, { type: 'close', at: local('2026-01-15 17:00'), by: helpdesk });
  t.throws(() => apply(closed, dispatch('2026-01-15 17:10')), { code: 'invalid-transition' });
  t.throws(() => apply(dispatched, { ...arrive('2026-01-15 15:05') }), { code: 'out-of-order' }, 'dated before the dispatch');
  t.throws(() => applySwapEvent(dispatched, arrive('2026-01-15 16:00'), local('2026-01-15 15:30')), { code: 'invalid-input' }, 'dated after now');
});

t.test('cancelled from reported, dispatched or on site; then nothing more', async (t) => {
  const cancel = (at: string): SwapEvent => ({ type: 'cancel', at: local(at), by: helpdesk, reason: 'customer found the plug' });
  for (const ticket of [
    open('2026-01-15 15:00'),
    apply(open('2026-01-15 15:00'), dispatch('2026-01-15 15:10')),
    apply(open('2026-01-15 15:00'), dispatch('2026-01-15 15:10'), arrive('2026-01-15 16:00')),
  ]) {
    const cancelled = apply(ticket, cancel('2026-01-15 16:30'));
    t.equal(cancelled.stage.status, 'cancelled');
    t.ok(cancelled.stage.status === 'cancelled' && cancelled.stage.cancelledFrom === ticket.stage.status);
    t.throws(() => apply(cancelled, dispatch('2026-01-15 17:00')), { code: 'invalid-transition' });
    t.throws(() => apply(cancelled, { type: 'return-posted', at: local('2026-01-15 17:00'), by: helpdesk }), { code: 'invalid-transition' }, 'no unit to return');
  }
});

t.test('SLA: ok, at risk with at most 1 business hour left, breached after the deadline', async (t) => {
  const ticket = apply(open('2026-01-15 15:00'), dispatch('2026-01-15 15:10'));
  const at = (time: string) => slaStatus(ticket, local(time), calendar);
  t.same([at('2026-01-15 16:00').status, at('2026-01-15 16:00').businessTimeLeftMs], ['ok', 3 * 60 * MINUTE_MS]);
  t.same([at('2026-01-15 17:59').status], ['ok']);
  t.same([at('2026-01-15 18:00').status, at('2026-01-15 18:00').businessTimeLeftMs], ['at-risk', 60 * MINUTE_MS]);
  t.same([at('2026-01-15 19:00').status, at('2026-01-15 19:00').businessTimeLeftMs], ['at-risk', 0], 'the deadline itself is still in time');
  const late = slaStatus(ticket, local('2026-01-15 19:00') + 1, calendar);
  t.same([late.status, late.businessTimeLeftMs, late.settled], ['breached', -1, false]);
  t.equal(at('2026-01-16 09:00').businessTimeLeftMs, -4 * 60 * MINUTE_MS, 'late by 3 business hours that evening (19:00-22:00) and 1 the next morning');

  const lateArrival = apply(ticket, arrive('2026-01-15 19:30'));
  const settled = slaStatus(lateArrival, local('2026-01-20 12:00'), calendar);
  t.same([settled.status, settled.settled, settled.businessTimeLeftMs, settled.onSiteAt], ['breached', true, -30 * MINUTE_MS, local('2026-01-15 19:30')]);

  const wider = SwapSlaConfigSchema.parse({ atRiskMarginMinutes: 120 });
  t.equal(slaStatus(ticket, local('2026-01-15 17:00'), calendar, wider).status, 'at-risk', 'the margin is configurable');
});

t.test('SLA over a night: business time does not run while closed', async (t) => {
  const ticket = open('2026-01-18 20:00'); // Sunday 20:00 → Monday 10:00
  t.same([slaStatus(ticket, local('2026-01-18 23:30'), calendar).status, slaStatus(ticket, local('2026-01-18 23:30'), calendar).businessTimeLeftMs], ['ok', 2 * 60 * MINUTE_MS]);
  t.equal(slaStatus(ticket, local('2026-01-19 08:59'), calendar).status, 'ok');
  t.equal(slaStatus(ticket, local('2026-01-19 09:00'), calendar).status, 'at-risk');
  const cancelledEarly = apply(ticket, { type: 'cancel', at: local('2026-01-18 21:00'), by: helpdesk, reason: 'duplicate' });
  t.same([slaStatus(cancelledEarly, local('2026-01-19 12:00'), calendar).status, slaStatus(cancelledEarly, local('2026-01-19 12:00'), calendar).settled], ['ok', true]);
});

t.test('NOC watchlist: at-risk and breached tickets without a technician on site, most urgent first', async (t) => {
  const now = local('2026-01-15 18:30');
  const tickets = [
    open('2026-01-15 15:00'), // due 19:00: at risk
    open('2026-01-15 13:00', 'stick'), // due 17:00: breached
    open('2026-01-15 17:00'), // due 21:00: ok
    apply(open('2026-01-15 14:00'), dispatch('2026-01-15 14:10'), arrive('2026-01-15 17:50')), // on site: settled
  ];
  const list = slaWatchlist(tickets, now, calendar);
  t.same(
    list.map((e) => [e.equipment, e.sla.status, show(e.sla.deadline)]),
    [
      ['stick', 'breached', 'Thu 2026-01-15 17:00 +01:00'],
      ['router', 'at-risk', 'Thu 2026-01-15 19:00 +01:00'],
    ],
  );
});

t.test('R15: the defective unit by post to the free address, then the fault: customer’s → one-off charge', async (t) => {
  const replaced = apply(open('2026-01-15 15:00'), dispatch('2026-01-15 15:10'), arrive('2026-01-15 16:00'));
  const { ticket: afterReplace, actions } = applySwapEvent(replaced, replace('2026-01-15 16:30'), FAR_FUTURE);
  t.same(afterReplace.defectiveReturn, { status: 'due', since: local('2026-01-15 16:30') });
  t.ok(actions.some((a) => a.type === 'send-return-instructions'));
  t.throws(
    () => apply(afterReplace, { type: 'fault-assessed', at: local('2026-01-16 10:00'), by: returns, customerFault: true }),
    { code: 'invalid-transition' },
    'the fault is judged after receipt only',
  );
  const closed = apply(
    afterReplace,
    { type: 'close', at: local('2026-01-15 17:00'), by: helpdesk },
    { type: 'return-posted', at: local('2026-01-16 10:00'), by: helpdesk, reference: 'RR123456789NL' },
    { type: 'return-received', at: local('2026-01-19 11:00'), by: returns },
  );
  t.same(closed.defectiveReturn, { status: 'received', since: local('2026-01-15 16:30'), method: 'post', receivedAt: local('2026-01-19 11:00') });
  t.equal(closed.stage.status, 'closed', 'the return runs on after the ticket is closed');
  const assessed = applySwapEvent(closed, { type: 'fault-assessed', at: local('2026-01-20 09:00'), by: returns, customerFault: true, note: 'water damage' }, FAR_FUTURE);
  t.same(assessed.actions, [{ type: 'record-one-off-charge', subscriptionId: 'sub-1', ticketId: closed.id, equipment: 'router' }]);
  t.throws(() => apply(assessed.ticket, { type: 'fault-assessed', at: local('2026-01-20 10:00'), by: returns, customerFault: false }), { code: 'invalid-transition' });
});

t.test('R15: the unit handed to the technician, not the customer’s fault: no charge', async (t) => {
  const ticket = apply(open('2026-01-15 15:00', 'stick'), dispatch('2026-01-15 15:10'), arrive('2026-01-15 16:00'), replace('2026-01-15 16:30'), {
    type: 'return-handed-to-technician',
    at: local('2026-01-15 16:31'),
    by: technician,
  });
  t.same(ticket.defectiveReturn, { status: 'received', since: local('2026-01-15 16:30'), method: 'technician', receivedAt: local('2026-01-15 16:31') });
  const { actions } = applySwapEvent(ticket, { type: 'fault-assessed', at: local('2026-01-16 09:00'), by: returns, customerFault: false }, FAR_FUTURE);
  t.same(actions, []);
  t.throws(() => apply(ticket, { type: 'return-posted', at: local('2026-01-16 10:00'), by: helpdesk }), { code: 'invalid-transition' }, 'already received');
});

t.test('a router replacement’s enrollment revokes the old device’s credentials; a stick has none', async (t) => {
  const onSite = apply(open('2026-01-15 15:00'), dispatch('2026-01-15 15:10'), arrive('2026-01-15 16:00'));
  t.equal(swapTicketAwaitingEnrollment([onSite], 'sub-1')?.id, onSite.id, 'the enrollment during the visit is the replacement');
  t.equal(swapTicketAwaitingEnrollment([onSite], 'sub-2'), null);
  const enrolled = applySwapEvent(onSite, { type: 'replacement-enrolled', at: local('2026-01-15 16:20'), by: technician, deviceId: 'dev-new' }, FAR_FUTURE);
  t.equal(enrolled.ticket.stage.status, 'replaced');
  t.same(enrolled.actions[0], { type: 'revoke-device-credentials', deviceId: 'dev-old', replacedBy: 'dev-new', ticketId: onSite.id });
  t.equal(swapTicketAwaitingEnrollment([enrolled.ticket], 'sub-1'), null, 'one enrollment per swap');
  t.throws(() => apply(enrolled.ticket, { type: 'replacement-enrolled', at: local('2026-01-15 16:30'), by: technician, deviceId: 'dev-3' }), { code: 'invalid-transition' });

  const replacedFirst = apply(onSite, replace('2026-01-15 16:30'));
  t.equal(swapTicketAwaitingEnrollment([replacedFirst], 'sub-1')?.id, onSite.id, 'replaced, enrollment still to come');
  const later = applySwapEvent(replacedFirst, { type: 'replacement-enrolled', at: local('2026-01-15 16:40'), by: technician, deviceId: 'dev-new' }, FAR_FUTURE);
  t.same(later.actions, [{ type: 'revoke-device-credentials', deviceId: 'dev-old', replacedBy: 'dev-new', ticketId: onSite.id }]);

  const directly = applySwapEvent(onSite, replace('2026-01-15 16:30', 'dev-new'), FAR_FUTURE);
  t.ok(directly.actions.some((a) => a.type === 'revoke-device-credentials'), 'or the technician names the new device at once');

  const stick = apply(open('2026-01-15 15:00', 'stick'), dispatch('2026-01-15 15:10'), arrive('2026-01-15 16:00'));
  t.equal(swapTicketAwaitingEnrollment([stick], 'sub-1'), null);
  t.throws(() => apply(stick, { type: 'replacement-enrolled', at: local('2026-01-15 16:20'), by: technician, deviceId: 'dev-new' }), { code: 'invalid-transition' });
});

t.test('one open ticket per subscription and equipment', async (t) => {
  const router = open('2026-01-15 15:00');
  t.throws(() => assertNoOpenSwapTicket([router], 'sub-1', 'router'), { code: 'swap-ticket-already-open' });
  t.doesNotThrow(() => assertNoOpenSwapTicket([router], 'sub-1', 'stick'));
  const closed = apply(router, dispatch('2026-01-15 15:10'), arrive('2026-01-15 16:00'), replace('2026-01-15 16:30'), { type: 'close', at: local('2026-01-15 17:00'), by: helpdesk });
  t.doesNotThrow(() => assertNoOpenSwapTicket([closed], 'sub-1', 'router'));
});

t.test('HTTP bodies for events are checked by one schema', async (t) => {
  t.same(SwapEventBodySchema.parse({ type: 'arrive', at: '2026-01-15T17:20:00Z' }), { type: 'arrive', at: Date.parse('2026-01-15T17:20:00Z') });
  t.notOk(SwapEventBodySchema.safeParse({ type: 'dispatch' }).success, 'a dispatch names the technician');
  t.notOk(SwapEventBodySchema.safeParse({ type: 'teleport' }).success);
  t.notOk(SwapEventBodySchema.safeParse({ type: 'cancel', reason: '' }).success);
});

t.test('property: any sequence of events keeps the ticket consistent', async (t) => {
  const kinds = ['dispatch', 'arrive', 'replace', 'replacement-enrolled', 'close', 'cancel', 'return-handed-to-technician', 'return-posted', 'return-received', 'fault-assessed'] as const;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...kinds), fc.integer({ min: 0, max: 90 * MINUTE_MS })), { maxLength: 14 }), (steps) => {
      let ticket = open('2026-01-15 15:00');
      let at = ticket.reportedAt;
      let accepted = 0;
      for (const [kind, gap] of steps) {
        at += gap;
        const event = makeEvent(kind, at);
        try {
          ticket = applySwapEvent(ticket, event, FAR_FUTURE).ticket;
          accepted++;
        } catch (error) {
          if (!isRuleError(error, 'invalid-transition')) throw error;
        }
      }
      const stage = ticket.stage;
      const times = ticket.history.map((h) => h.at);
      return (
        ticket.history.length === accepted + 1 &&
        times.every((time, i) => i === 0 || time >= times[i - 1]!) &&
        (!('onSiteAt' in stage) || stage.onSiteAt >= stage.dispatchedAt) &&
        (ticket.defectiveReturn.status === 'not-due') === (stage.status !== 'replaced' && stage.status !== 'closed') &&
        (ticket.fault.status === 'unassessed' || ticket.defectiveReturn.status === 'received')
      );
    }),
    { numRuns: 400 },
  );
  t.pass();
});

function makeEvent(kind: string, at: number): SwapEvent {
  switch (kind) {
    case 'dispatch':
      return { type: 'dispatch', at, by: helpdesk, technicianId: 'tech-piet' };
    case 'replace':
      return { type: 'replace', at, by: technician, replacement: {} };
    case 'replacement-enrolled':
      return { type: 'replacement-enrolled', at, by: technician, deviceId: 'dev-new' };
    case 'cancel':
      return { type: 'cancel', at, by: helpdesk, reason: 'test' };
    case 'fault-assessed':
      return { type: 'fault-assessed', at, by: returns, customerFault: at % 2 === 0 };
    default:
      return { type: kind, at, by: helpdesk } as SwapEvent;
  }
}
