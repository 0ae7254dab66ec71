// The texts of the mails the server sends. Short ASCII lines, so they read well in any client.
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../../shared/service.js';
import type { NewMail } from '../store/outbox.js';

function localTime(ms: number): string {
  return DateTime.fromMillis(ms, { zone: TIME_ZONE }).toFormat("cccc d LLLL yyyy 'at' HH:mm");
}

/** R6: sent when the router confirmed the boost, not when it was requested. */
export function boostAppliedMail(boost: { id: string; ends_at: number }, to: string, rates: { downKbps: number; upKbps: number }): NewMail {
  return {
    dedupeKey: `boost-applied:${boost.id}`,
    to,
    subject: 'ServicePlus: your mobile speed has been raised',
    body: [
      'Hello,',
      '',
      `Your router now uses the higher mobile speed (${(rates.downKbps / 1000).toFixed(1)} Mbit/s down,`,
      `${(rates.upKbps / 1000).toFixed(1)} Mbit/s up) until ${localTime(boost.ends_at)} (Amsterdam time).`,
      'After that it returns to the baseline speed by itself.',
      '',
      `Reference: ${boost.id}`,
      '',
      'ServicePlus',
    ].join('\n'),
  };
}

/** R9: the month's mobile data reached a threshold. */
export function fairUseMail(notice: { subscriptionId: string; period: string; threshold: number; usedBytes: number; capBytes: number; holds: boolean }, to: string): NewMail {
  const used = (notice.usedBytes / 1e9).toFixed(2);
  const cap = (notice.capBytes / 1e9).toFixed(0);
  const lines =
    notice.threshold >= 100
      ? [`You have used ${used} GB of mobile data this month, the ${cap} GB fair-use limit.`,
         notice.holds ? 'Until the end of the month the mobile line stays at the baseline speed; boosts are not available.' : 'Please keep mobile use low until the end of the month.']
      : [`You have used ${used} GB of mobile data this month (${notice.threshold} % of the ${cap} GB fair-use limit).`];
  return {
    dedupeKey: `fair-use:${notice.subscriptionId}:${notice.period}:${notice.threshold}`,
    to,
    subject: `ServicePlus: ${notice.threshold} % of this month's mobile data used`,
    body: ['Hello,', '', ...lines, '', 'ServicePlus'].join('\n'),
  };
}

/** R20: the automatic final invoice of EUR 0 after the contract ended. */
export function finalInvoiceMail(
  invoice: { subscriptionId: string; issuedOn: string; period: string },
  kit: { dueDate: string; returnAddress: string },
  to: string,
): NewMail {
  return {
    dedupeKey: `final-invoice:${invoice.subscriptionId}`,
    to,
    subject: 'ServicePlus: your final invoice (EUR 0.00)',
    body: [
      'Hello,',
      '',
      `Your ServicePlus subscription has ended. This is your final invoice, dated ${invoice.issuedOn}:`,
      `period ${invoice.period}, amount due EUR 0.00.`,
      '',
      `Please return the ServicePlus kit by ${kit.dueDate}, post-free, to:`,
      `  ${kit.returnAddress}`,
      '',
      `Reference: ${invoice.subscriptionId}`,
      '',
      'ServicePlus',
    ].join('\n'),
  };
}

/** R15: where the defective unit goes once the replacement is in. */
export function returnInstructionsMail(ticket: { id: string; equipment: 'router' | 'stick' }, returnAddress: string, to: string): NewMail {
  return {
    dedupeKey: `swap-return:${ticket.id}`,
    to,
    subject: `ServicePlus: returning your defective ${ticket.equipment === 'router' ? 'router' : 'UMTS stick'}`,
    body: [
      'Hello,',
      '',
      `Your ${ticket.equipment === 'router' ? 'router' : 'UMTS stick'} has been replaced. If the technician did not take the`,
      'defective unit with him, please post it, free of charge, to:',
      `  ${returnAddress}`,
      '',
      'If the defect turns out to have been caused by misuse, a one-off charge applies.',
      '',
      `Reference: ${ticket.id}`,
      '',
      'ServicePlus',
    ].join('\n'),
  };
}
