// R18: phone numbers as people type them and as telephony systems send them, to E.164.
// Dutch forms: `020-3987656`, `020 398 76 56`, `(020) 3987656`, `+31 20 398 7656`,
// `+31 (0)20 398 7656`, `0031203987656`, `31203987656` (caller id without prefix), and the
// common slip `+31 020…`. A Dutch number has 9 digits after the trunk 0 (the national
// significant number, not starting with 0); service numbers (0800, 0900) are not accepted.
// Other countries: `+` or `00`, a country code and 7 to 14 more digits (E.164: 15 at most).
import { z } from 'zod';
import { RuleError } from './errors.js';

/** `+31203987656`. */
export type E164 = string;

export type PhoneNumberResult = { readonly ok: true; readonly e164: E164 } | { readonly ok: false; readonly reason: string };

export function parsePhoneNumber(text: string): PhoneNumberResult {
  if (typeof text !== 'string' || text.length > 40) return { ok: false, reason: 'not a phone number' };
  // "+31 (0)20 …": the bracketed trunk zero is dropped before anything else.
  const compact = text.trim().replace(/\(0\)/g, '').replace(/[\s\-./()]/g, '');
  if (!/^\+?\d+$/.test(compact)) return { ok: false, reason: 'only digits, spaces, dashes, dots, slashes, brackets and a leading + are allowed' };
  let international: string;
  if (compact.startsWith('+')) international = compact.slice(1);
  else if (compact.startsWith('00')) international = compact.slice(2);
  else if (compact.startsWith('0')) international = `31${compact.slice(1)}`;
  else if (compact.startsWith('31') && compact.length === 11) international = compact;
  else return { ok: false, reason: 'a national number starts with 0, an international one with + or 00' };

  if (international.startsWith('31')) {
    let national = international.slice(2);
    if (national.startsWith('0') && national.length === 10) national = national.slice(1); // "+31 020…"
    if (!/^[1-9]\d{8}$/.test(national)) return { ok: false, reason: 'a Dutch number has 9 digits after the 0 (area code and subscriber number)' };
    return { ok: true, e164: `+31${national}` };
  }
  if (!/^[1-9]\d{7,14}$/.test(international)) return { ok: false, reason: 'an international number has 8 to 15 digits after the +' };
  return { ok: true, e164: `+${international}` };
}

/** As parsePhoneNumber; throws RuleError 'invalid-phone-number'. */
export function normalisePhoneNumber(text: string): E164 {
  const result = parsePhoneNumber(text);
  if (!result.ok) throw new RuleError('invalid-phone-number', `${JSON.stringify(text)}: ${result.reason}`, { reason: result.reason });
  return result.e164;
}

/** For HTTP and config: any accepted form in, E.164 out. */
export const PhoneNumberSchema = z.string().transform((text, ctx) => {
  const result = parsePhoneNumber(text);
  if (result.ok) return result.e164;
  ctx.addIssue({ code: 'custom', message: result.reason });
  return z.NEVER;
});
