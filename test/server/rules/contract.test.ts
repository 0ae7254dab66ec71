// R19-R21, R23, R24: the contract's term, cancellation in month 3, 12 and 20, annulment on
// day 29, 30 and 31 after delivery, the ISP's termination, the end actions, the EUR 0 final
// invoice and the kit-return window.
import fc from 'fast-check';
import t from 'tap';
import type { Actor } from '../../../server/rules/actor.js';
import { ContractConfigSchema } from '../../../server/rules/contract-config.js';
import { contractEndActions, finalInvoice, kitReturnDueDate, kitReturnStatus } from '../../../server/rules/contract-end.js';
import {
  annulContract,
  annulmentLastDay,
  cancelContract,
  CancellationBodySchema,
  contractPhase,
  deliveryDueDate,
  endContractByIsp,
  isDeliveryLate,
  minimumTermEnd,
  newContract,
  recordDelivery,
  type Contract,
} from '../../../server/rules/contract.js';
import { localDateOf, startOfLocalDate } from '../../../server/rules/time.js';
import { local, show } from './local-time.js';

const customer: Actor = { role: 'customer', id: 'cust-1' };
const helpdesk: Actor = { role: 'helpdesk', id: 'op-anna' };

/** Ordered 10 January 2026, delivered Thursday 15 January 2026 10:00: month 1 is 15 Jan - 14 Feb. */
function delivered(at = '2026-01-15 10:00', ordered = '2026-01-10 12:00'): Contract {
  return recordDelivery(newContract('sub-1', local(ordered)), local(at));
}
const cancel = (contract: Contract, at: string) => cancelContract(contract, { at: local(at), by: customer, channel: 'account' });

t.test('R19: the one-year term, then continuation', async (t) => {
  const contract = delivered();
  t.equal(minimumTermEnd(contract), '2027-01-15', 'the first day after the minimum term');
  t.equal(contractPhase(newContract('sub-1', local('2026-01-10 12:00')), local('2026-01-12 12:00')), 'ordered');
  t.equal(contractPhase(contract, local('2026-06-01 12:00')), 'minimum-term');
  t.equal(contractPhase(contract, local('2027-01-14 23:59')), 'minimum-term');
  t.equal(contractPhase(contract, local('2027-01-15 00:00')), 'continued', 'continues indefinitely');
  t.equal(contractPhase(contract, local('2031-01-15 00:00')), 'continued');
});

t.test('R19: cancellation in month 3 ends at the end of the minimum term', async (t) => {
  const cancelled = cancel(delivered(), '2026-03-20 14:00');
  t.same(
    [cancelled.termination?.kind, cancelled.termination?.effectiveDate, show(cancelled.termination!.endsAt)],
    ['cancellation', '2027-01-15', 'Fri 2027-01-15 00:00 +01:00'],
  );
  t.equal(cancelled.termination?.kind === 'cancellation' && cancelled.termination.rule, 'end-of-minimum-term');
  t.equal(contractPhase(cancelled, local('2026-12-01 12:00')), 'ending', 'the service runs on until then');
  t.equal(contractPhase(cancelled, local('2027-01-15 00:00')), 'ended');
});

t.test('R19: cancellation in month 12 ends at the end of the minimum term too, even days before it', async (t) => {
  const month12 = cancel(delivered(), '2026-12-20 14:00');
  t.equal(month12.termination?.effectiveDate, '2027-01-15');
  const lastDay = cancel(delivered(), '2027-01-14 23:30');
  t.equal(lastDay.termination?.effectiveDate, '2027-01-15', 'the last evening of the first year: still the end of the term');
  t.equal(lastDay.termination?.kind === 'cancellation' && lastDay.termination.rule, 'end-of-minimum-term');
});

t.test('R19: cancellation in month 20 takes one month’s notice: the same day next month', async (t) => {
  const month20 = cancel(delivered(), '2027-08-20 14:00');
  t.same([month20.termination?.effectiveDate, show(month20.termination!.endsAt)], ['2027-09-20', 'Mon 2027-09-20 00:00 +02:00']);
  t.equal(month20.termination?.kind === 'cancellation' && month20.termination.rule, 'notice');
  t.equal(cancel(delivered(), '2027-01-15 09:00').termination?.effectiveDate, '2027-02-15', 'the first day after the term');
  t.equal(cancel(delivered('2026-01-31 10:00'), '2028-01-31 12:00').termination?.effectiveDate, '2028-02-29', '31 January + 1 month = the last day of February');
  t.equal(cancel(delivered(), '2027-10-25 01:30').termination?.effectiveDate, '2027-11-25', 'a request in the night of the clock change');
});

t.test('cancellation refused before delivery and when already terminated', async (t) => {
  t.throws(() => cancel(newContract('sub-1', local('2026-01-10 12:00')), '2026-01-12 12:00'), { code: 'not-delivered' });
  t.throws(() => cancel(cancel(delivered(), '2026-03-20 14:00'), '2026-03-21 14:00'), { code: 'contract-terminated' });
  t.throws(() => recordDelivery(delivered(), local('2026-01-16 10:00')), { code: 'invalid-transition' });
  t.throws(() => recordDelivery(newContract('sub-1', local('2026-01-10 12:00')), local('2026-01-09 12:00')), { code: 'out-of-order' });
  t.same(CancellationBodySchema.parse({ channel: 'phone' }), { channel: 'phone' });
  t.notOk(CancellationBodySchema.safeParse({ channel: 'fax' }).success);
});

t.test('R21: annulment on day 29 and day 30 after delivery is granted, at once; day 31 is refused', async (t) => {
  const contract = delivered('2026-01-15 23:30'); // late in the evening: still day 0 = 15 January
  t.equal(annulmentLastDay(contract), '2026-02-14');
  const day29 = annulContract(contract, { at: local('2026-02-13 12:00'), by: helpdesk, coverageVerdict: 'no-usable-coverage' });
  t.same(
    [day29.termination?.kind, day29.termination?.kind === 'annulment' && day29.termination.dayAfterDelivery, day29.termination?.effectiveDate, day29.termination?.endsAt],
    ['annulment', 29, '2026-02-13', local('2026-02-13 12:00')],
  );
  t.equal(contractPhase(day29, local('2026-02-13 12:00')), 'ended', 'an annulment takes effect at once');
  const day30 = annulContract(contract, { at: local('2026-02-14 23:59'), by: helpdesk });
  t.equal(day30.termination?.kind === 'annulment' && day30.termination.dayAfterDelivery, 30, 'day 30, to its last minute');
  t.throws(() => annulContract(contract, { at: local('2026-02-15 00:00'), by: helpdesk }), { code: 'annulment-window-closed', details: { day: 31, lastDay: '2026-02-14' } });
  // Across the March clock change: delivered 10 March, day 30 = 9 April.
  const spring = delivered('2026-03-10 09:00', '2026-03-05 09:00');
  t.ok(annulContract(spring, { at: local('2026-04-09 23:00'), by: helpdesk }));
  t.throws(() => annulContract(spring, { at: local('2026-04-10 00:01'), by: helpdesk }), { code: 'annulment-window-closed' });
  t.throws(() => annulContract(newContract('sub-1', local('2026-01-10 12:00')), { at: local('2026-01-12 12:00'), by: helpdesk }), { code: 'not-delivered' });
});

t.test('R21: an annulment replaces a pending cancellation, but nothing replaces an annulment', async (t) => {
  const cancelled = cancel(delivered(), '2026-01-20 12:00');
  const annulled = annulContract(cancelled, { at: local('2026-01-25 12:00'), by: helpdesk });
  t.equal(annulled.termination?.kind, 'annulment');
  t.throws(() => annulContract(annulled, { at: local('2026-01-26 12:00'), by: helpdesk }), { code: 'contract-terminated' });
  t.throws(() => cancel(annulled, '2026-01-26 12:00'), { code: 'contract-terminated' });
});

t.test('R23: the ISP ends a contract at once for misuse, with a month’s notice when discontinuing', async (t) => {
  const misuse = endContractByIsp(delivered(), { at: local('2026-05-05 15:00'), by: { role: 'noc', id: 'op-noc' }, reason: 'misuse' });
  t.same([misuse.termination?.effectiveDate, misuse.termination?.endsAt], ['2026-05-05', local('2026-05-05 15:00')]);
  const discontinued = endContractByIsp(delivered(), { at: local('2026-05-05 15:00'), by: { role: 'admin', id: 'op-admin' }, reason: 'service-discontinued' });
  t.equal(discontinued.termination?.effectiveDate, '2026-06-05');
});

t.test('R20: on the effective date, the end actions in order, with the EUR 0 final invoice', async (t) => {
  const cancelled = cancel(delivered(), '2026-03-20 14:00');
  t.same(contractEndActions(cancelled, local('2027-01-14 23:59')), [], 'nothing before the effective date');
  t.same(contractEndActions(delivered(), local('2027-01-14 23:59')), [], 'nothing without a termination');
  const actions = contractEndActions(cancelled, local('2027-01-15 00:00'));
  t.same(actions.map((a) => a.type), ['set-desired-suspended', 'cancel-active-boosts', 'revoke-device-credentials', 'issue-final-invoice', 'open-kit-return']);
  t.same(finalInvoice(cancelled), { subscriptionId: 'sub-1', kind: 'final', amountCents: 0, issuedOn: '2027-01-15', period: '2027-01', termination: 'cancellation' });
  const kit = actions.find((a) => a.type === 'open-kit-return');
  t.match(kit, { dueDate: '2027-01-29', returnAddress: /Antwoordnummer 10119/ });
  const annulled = annulContract(delivered(), { at: local('2026-01-20 16:00'), by: helpdesk });
  t.equal(contractEndActions(annulled, local('2026-01-20 16:00')).length, 5, 'an annulment’s actions are due at once');
});

t.test('R20: the kit-return window: 14 days after the effective date, day 14 included', async (t) => {
  const cancelled = cancel(delivered(), '2026-03-20 14:00'); // effective 15 January 2027
  t.equal(kitReturnDueDate(cancelled), '2027-01-29');
  t.same(kitReturnStatus(delivered(), null, local('2027-02-01 12:00')), { status: 'not-due' });
  t.same(kitReturnStatus(cancelled, null, local('2026-12-01 12:00')), { status: 'not-due' }, 'the kit is still in use');
  t.same(kitReturnStatus(cancelled, null, local('2027-01-15 12:00')), { status: 'pending', dueDate: '2027-01-29', daysLeft: 14 });
  t.same(kitReturnStatus(cancelled, null, local('2027-01-29 23:59')), { status: 'pending', dueDate: '2027-01-29', daysLeft: 0 });
  t.same(kitReturnStatus(cancelled, null, local('2027-01-30 00:00')), { status: 'overdue', dueDate: '2027-01-29', daysOverdue: 1 });
  t.same(kitReturnStatus(cancelled, local('2027-01-20 10:00'), local('2027-02-10 12:00')), { status: 'returned', returnedAt: local('2027-01-20 10:00'), late: false });
  t.same(kitReturnStatus(cancelled, local('2027-02-02 10:00'), local('2027-02-10 12:00')), { status: 'returned', returnedAt: local('2027-02-02 10:00'), late: true });
  // Across the October clock change: effective 20 October 2026 → due 3 November.
  const autumn = cancel(delivered('2025-10-20 10:00', '2025-10-15 10:00'), '2026-09-01 10:00');
  t.equal(autumn.termination?.effectiveDate, '2026-10-20');
  t.equal(kitReturnDueDate(autumn), '2026-11-03');
  t.equal(kitReturnStatus(autumn, null, local('2026-11-03 23:30')).status, 'pending');
});

t.test('R24: delivery within a week of ordering', async (t) => {
  const ordered = newContract('sub-1', local('2026-01-10 12:00'));
  t.equal(deliveryDueDate(ordered), '2026-01-17');
  t.notOk(isDeliveryLate(ordered, local('2026-01-17 20:00')));
  t.ok(isDeliveryLate(ordered, local('2026-01-18 08:00')), 'still not delivered on the 8th day');
  t.notOk(isDeliveryLate(delivered('2026-01-15 10:00'), local('2026-03-01 08:00')));
  t.ok(isDeliveryLate(delivered('2026-01-19 10:00'), local('2026-03-01 08:00')));
});

t.test('the contract figures are configuration', async (t) => {
  const config = ContractConfigSchema.parse({ minimumTermMonths: 24, noticeMonths: 2 });
  const contract = delivered();
  t.equal(minimumTermEnd(contract, config), '2028-01-15');
  t.equal(cancelContract(contract, { at: local('2028-03-10 12:00'), by: customer, channel: 'phone' }, config).termination?.effectiveDate, '2028-05-10');
  t.notOk(ContractConfigSchema.safeParse({ noticeMonths: -1 }).success);
});

t.test('property: a cancellation never ends before the term, nor with less than a month’s notice after it', async (t) => {
  const day = fc.integer({ min: 0, max: 4 * 366 });
  fc.assert(
    fc.property(day, day, fc.integer({ min: 0, max: 24 * 60 - 1 }), (deliveryOffset, requestOffset, minute) => {
      const deliveredAt = startOfLocalDate('2025-01-01') + deliveryOffset * 86_400_000 + 12 * 3_600_000;
      const requestedAt = deliveredAt + requestOffset * 86_400_000 + minute * 60_000;
      const contract = recordDelivery(newContract('sub-p', deliveredAt - 86_400_000), deliveredAt);
      const termination = cancelContract(contract, { at: requestedAt, by: customer, channel: 'account' }).termination!;
      const termEnd = minimumTermEnd(contract)!;
      const requestDate = localDateOf(requestedAt);
      if (termination.effectiveDate < termEnd || termination.effectiveDate <= requestDate) return false;
      if (requestDate < termEnd) return termination.effectiveDate === termEnd;
      const noticeDays = (Date.parse(termination.effectiveDate) - Date.parse(requestDate)) / 86_400_000;
      return noticeDays >= 28 && noticeDays <= 31 && termination.endsAt === startOfLocalDate(termination.effectiveDate);
    }),
    { numRuns: 500 },
  );
  t.pass();
});
