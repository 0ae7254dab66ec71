// R15: the defective unit goes back, to the technician or by post to the free return address,
// and once received it is assessed: if the defect was the customer's fault, a one-off charge
// applies (contract article 7.4: "Indien na ontvangst van de defecte CPE en/of USB-stick blijkt
// dat het defect aan de Klant is toe te rekenen, is de Klant aan XS4ALL een eenmalig bedrag
// verschuldigd"). A sub-machine of the swap ticket: the unit is due once the replacement is in.
// The amount is the costs incurred (not a fixed figure in the source), so billing sets it.
import { z } from 'zod';
import type { Actor } from './actor.js';
import { RuleError } from './errors.js';
import type { Instant } from './time.js';

/** R15, article 7.4: where a posted unit goes, free of charge. */
export const FREE_RETURN_ADDRESS = 'XS4ALL Retouren, Antwoordnummer 10119, 2400 VB Alphen aan den Rijn';

export const ReturnMethodSchema = z.enum(['technician', 'post']);
export type ReturnMethod = z.infer<typeof ReturnMethodSchema>;

export type DefectiveReturn =
  /** The replacement is not in yet: the customer keeps the defective unit. */
  | { readonly status: 'not-due' }
  | { readonly status: 'due'; readonly since: Instant }
  | { readonly status: 'posted'; readonly since: Instant; readonly postedAt: Instant; readonly reference: string | null }
  | { readonly status: 'received'; readonly since: Instant; readonly method: ReturnMethod; readonly receivedAt: Instant };

export type FaultAssessment =
  | { readonly status: 'unassessed' }
  | {
      readonly status: 'assessed';
      readonly at: Instant;
      readonly by: Actor;
      readonly customerFault: boolean;
      readonly note: string | null;
    };

export type ReturnEvent =
  /** The technician took the unit with him (article 7.4: "aan de monteur"). */
  | { readonly type: 'return-handed-to-technician'; readonly at: Instant; readonly by: Actor }
  /** The customer says he posted it to the free return address. */
  | { readonly type: 'return-posted'; readonly at: Instant; readonly by: Actor; readonly reference?: string | null }
  /** The returns department has it (posted or not announced). */
  | { readonly type: 'return-received'; readonly at: Instant; readonly by: Actor }
  | { readonly type: 'fault-assessed'; readonly at: Instant; readonly by: Actor; readonly customerFault: boolean; readonly note?: string | null };

export const RETURN_EVENT_TYPES = ['return-handed-to-technician', 'return-posted', 'return-received', 'fault-assessed'] as const;

export interface ReturnState {
  readonly defectiveReturn: DefectiveReturn;
  readonly fault: FaultAssessment;
}

function refuse(event: ReturnEvent, state: ReturnState, why: string): never {
  throw new RuleError('invalid-transition', `${event.type}: ${why}`, {
    event: event.type,
    returnStatus: state.defectiveReturn.status,
    fault: state.fault.status,
  });
}

/** The next return state; refuses what the unit's whereabouts do not allow. */
export function applyReturnEvent(state: ReturnState, event: ReturnEvent): ReturnState {
  const unit = state.defectiveReturn;
  switch (event.type) {
    case 'return-handed-to-technician':
      if (unit.status !== 'due') refuse(event, state, `the unit is ${unit.status}, not due`);
      return { ...state, defectiveReturn: { status: 'received', since: unit.since, method: 'technician', receivedAt: event.at } };
    case 'return-posted':
      if (unit.status !== 'due') refuse(event, state, `the unit is ${unit.status}, not due`);
      return {
        ...state,
        defectiveReturn: { status: 'posted', since: unit.since, postedAt: event.at, reference: event.reference ?? null },
      };
    case 'return-received':
      if (unit.status !== 'due' && unit.status !== 'posted') refuse(event, state, `the unit is ${unit.status}`);
      return { ...state, defectiveReturn: { status: 'received', since: unit.since, method: 'post', receivedAt: event.at } };
    case 'fault-assessed':
      // Article 7.4: the fault is judged after receipt of the defective unit.
      if (unit.status !== 'received') refuse(event, state, 'the unit has not been received yet');
      if (state.fault.status === 'assessed') refuse(event, state, 'the fault has already been assessed');
      return {
        ...state,
        fault: { status: 'assessed', at: event.at, by: event.by, customerFault: event.customerFault, note: event.note ?? null },
      };
  }
}

/** R15: the one-off charge applies when the assessed defect was the customer's fault. */
export function oneOffChargeApplies(fault: FaultAssessment): boolean {
  return fault.status === 'assessed' && fault.customerFault;
}
