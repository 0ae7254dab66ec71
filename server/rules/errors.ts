// The rules' typed errors: one class, a code per cause, so the API round maps `code` to a
// problem+json `type` and an HTTP status without parsing messages. Every code is in the table
// below with a title and the status it suggests; the table is the documentation.

export const RULE_ERRORS = {
  'invalid-config': { status: 500, title: 'A rules setting is invalid' },
  'invalid-input': { status: 400, title: 'An input to a rule is invalid (not a valid instant, a negative duration, …)' },
  'calendar-never-opens': { status: 500, title: 'The business calendar has no opening within the search horizon' },
  'invalid-transition': { status: 409, title: 'The event is not allowed in the current state' },
  'out-of-order': { status: 409, title: 'The event is dated before the last recorded change' },
  'swap-ticket-already-open': { status: 409, title: 'An open swap ticket already exists for this equipment' },
  'period-not-started': { status: 422, title: 'The claimed month has not started yet' },
  'not-delivered': { status: 409, title: 'The kit has not been delivered yet' },
  'annulment-window-closed': { status: 409, title: 'The 30-day coverage annulment right has lapsed (R21)' },
  'contract-terminated': { status: 409, title: 'The contract has already been cancelled, annulled or ended' },
  'already-suspended': { status: 409, title: 'The subscription is already suspended' },
  'not-suspended': { status: 409, title: 'The subscription is not suspended' },
  'invalid-phone-number': { status: 400, title: 'Not a phone number we can normalise to E.164' },
} as const satisfies Record<string, { status: number; title: string }>;

export type RuleErrorCode = keyof typeof RULE_ERRORS;
export const RULE_ERROR_CODES = Object.keys(RULE_ERRORS) as RuleErrorCode[];

export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(
    readonly code: RuleErrorCode,
    message: string,
    /** Facts for the problem document (`{ from: 'closed', event: 'dispatch' }`); never secrets. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function isRuleError(error: unknown, code?: RuleErrorCode): error is RuleError {
  return error instanceof RuleError && (code === undefined || error.code === code);
}
