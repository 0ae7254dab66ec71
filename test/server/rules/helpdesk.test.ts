// R18: phone numbers to E.164 and the answer to the telephony system.
import fc from 'fast-check';
import t from 'tap';
import { createBusinessCalendar } from '../../../server/rules/business-calendar.js';
import { helpdeskAnswer, PhoneLookupQuerySchema } from '../../../server/rules/helpdesk-routing.js';
import { normalisePhoneNumber, parsePhoneNumber, PhoneNumberSchema } from '../../../server/rules/phone-number.js';
import { local } from './local-time.js';

t.test('Dutch numbers in the forms people type all become +31203987656', async (t) => {
  for (const form of ['020-3987656', '020 398 76 56', '(020) 3987656', '020-398 7656', '+31 20 398 7656', '+31 (0)20 398 7656', '+31-20-3987656', '0031203987656', '0031 20 398 76 56', '31203987656', '+31 020 398 7656', ' 020.398.76.56 ']) {
    t.equal(normalisePhoneNumber(form), '+31203987656', form);
  }
  t.equal(normalisePhoneNumber('06-12345678'), '+31612345678', 'mobile');
  t.equal(normalisePhoneNumber('0031612345678'), '+31612345678');
});

t.test('foreign numbers keep their country code', async (t) => {
  t.equal(normalisePhoneNumber('+32 2 123 45 67'), '+3221234567');
  t.equal(normalisePhoneNumber('0049 30 1234567'), '+49301234567');
});

t.test('what is not a phone number is refused with a reason', async (t) => {
  for (const bad of ['', 'abc', '020-398765', '020-39876567', '+31 0800 1234', '0800-1234', '3987656', '+0 123456789', '020-3987656 ext 3', '+'.padEnd(45, '1')]) {
    const result = parsePhoneNumber(bad);
    t.notOk(result.ok, JSON.stringify(bad));
  }
  t.throws(() => normalisePhoneNumber('020-398765'), { code: 'invalid-phone-number', details: { reason: /9 digits/ } });
  t.same(PhoneLookupQuerySchema.parse({ number: '020-3987656' }), { number: '+31203987656' });
  t.notOk(PhoneNumberSchema.safeParse('not a number').success);
});

t.test('property: normalising is idempotent, and spacing does not matter', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 100_000_000, max: 999_999_999 }), fc.array(fc.constantFrom(' ', '-', ''), { minLength: 9, maxLength: 9 }), (nsn, separators) => {
      const digits = String(nsn);
      const typed = '0' + [...digits].map((d, i) => d + separators[i]!).join('');
      const e164 = normalisePhoneNumber(typed);
      return e164 === `+31${digits}` && normalisePhoneNumber(e164) === e164;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

const businessHelpdesk = createBusinessCalendar(); // R18: daily 08:00-22:00

t.test('R18: a customer calling while the business helpdesk is open goes there', async (t) => {
  const answer = helpdeskAnswer('+31203987656', [{ subscriptionId: 'sub-1', phase: 'continued' }], local('2026-01-15 10:00'), businessHelpdesk);
  t.same(answer, {
    caller: '+31203987656',
    servicePlusCustomer: true,
    subscriptionId: 'sub-1',
    businessHelpdesk: { open: true, closesAt: local('2026-01-15 22:00'), nextOpening: local('2026-01-15 10:00') },
    route: 'business-helpdesk',
  });
});

t.test('R18: at 22:00 sharp it is closed: the regular queue, with the next opening', async (t) => {
  const answer = helpdeskAnswer('+31203987656', [{ subscriptionId: 'sub-1', phase: 'minimum-term' }], local('2026-01-15 22:00'), businessHelpdesk);
  t.same([answer.servicePlusCustomer, answer.route, answer.businessHelpdesk.open, answer.businessHelpdesk.closesAt, answer.businessHelpdesk.nextOpening], [true, 'regular', false, null, local('2026-01-16 08:00')]);
});

t.test('R18: registered at sign-up counts; an ended contract or an unknown number does not', async (t) => {
  const at = local('2026-01-15 10:00');
  t.equal(helpdeskAnswer('+31201111111', [{ subscriptionId: 'sub-2', phase: 'ordered' }], at, businessHelpdesk).route, 'business-helpdesk');
  const ended = helpdeskAnswer('+31201111111', [{ subscriptionId: 'sub-3', phase: 'ended' }], at, businessHelpdesk);
  t.same([ended.servicePlusCustomer, ended.subscriptionId, ended.route], [false, null, 'regular']);
  const stranger = helpdeskAnswer('+31202222222', [], at, businessHelpdesk);
  t.same([stranger.servicePlusCustomer, stranger.route], [false, 'regular']);
  const two = helpdeskAnswer('+31201111111', [{ subscriptionId: 'sub-b', phase: 'continued' }, { subscriptionId: 'sub-a', phase: 'ended' }, { subscriptionId: 'sub-c', phase: 'ending' }], at, businessHelpdesk);
  t.equal(two.subscriptionId, 'sub-b', 'the first current subscription by id');
});
