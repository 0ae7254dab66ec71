// Every error the API answers with, in ONE table: a stable code (the last segment of the
// problem `type`), the HTTP status and a title. The table is the documentation: it is served at
// /api/v1/problems, listed in the OpenAPI document, and a test fails when code uses a code that
// is not here. Answers are RFC 9457 problem documents (application/problem+json). The pure
// rules' codes (RULE_ERRORS in server/rules/errors.ts) are part of the table, so a RuleError
// answers as a problem of its own type (server/http/problems.ts).
import { RULE_ERRORS } from './rules/errors.js';

export const PROBLEMS = {
  // First, so that an entry below with the same code (already-suspended, not-suspended) keeps its R-numbered title.
  ...RULE_ERRORS,
  'validation-failed': { status: 400, title: 'The request does not match its schema; `errors` names each field' },
  'malformed-body': { status: 400, title: 'The request body could not be read (not valid JSON or form data)' },
  'malformed-url': { status: 400, title: 'The URL could not be read (a malformed %-escape, or a path segment over 100 characters)' },
  unauthenticated: { status: 401, title: 'Credentials are missing, unknown, revoked or expired' },
  'invalid-credentials': { status: 401, title: 'Login name or password is wrong' },
  'forbidden-role': { status: 403, title: 'Your role may not do this' },
  'wrong-customer': { status: 403, title: 'This belongs to another customer' },
  'not-found': { status: 404, title: 'No such route' },
  'subscription-not-found': { status: 404, title: 'No such subscription' },
  'device-not-found': { status: 404, title: 'No such device' },
  'boost-not-found': { status: 404, title: 'No such boost' },
  'token-not-found': { status: 404, title: 'No such operator token' },
  'swap-ticket-not-found': { status: 404, title: 'No such swap ticket' },
  'claim-not-found': { status: 404, title: 'No such guarantee claim' },
  'broker-hook-disabled': { status: 404, title: 'The broker auth hook is off (set brokerHookToken to enable it)' },
  'not-acceptable': { status: 406, title: 'The route answers only in a format the request does not accept (see its Accept header)' },
  'login-taken': { status: 409, title: 'Another customer already has this login name' },
  'reference-taken': { status: 409, title: 'Another subscription already has this reference' },
  'device-id-taken': { status: 409, title: 'A device with this id is already enrolled' },
  'unsupported-model': { status: 422, title: 'R1: this router model is not supported (FRITZ!Box 7340, 7360, 7390, 7490 only)' },
  'boost-quota-exhausted': { status: 409, title: 'R7: both self-service boosts of this calendar month are used; call the helpdesk (R8)' },
  'boost-on-dsl': { status: 409, title: 'R7: the router is on DSL; a self-service boost is for an outage' },
  'fair-use-cap-reached': { status: 409, title: 'R9: this month’s mobile data has reached the fair-use cap; no boost until next month' },
  'subscription-suspended': { status: 409, title: 'R22: the service is suspended; no boosts until it is restored' },
  'no-device': { status: 409, title: 'The subscription has no enrolled router' },
  'boost-duration-too-long': { status: 422, title: 'R8: the boost is longer than an operator may grant' },
  'boost-not-active': { status: 409, title: 'The boost has already ended, was cancelled or was rejected' },
  'already-suspended': { status: 409, title: 'R22: the subscription is already suspended' },
  'not-suspended': { status: 409, title: 'R22: the subscription is not suspended' },
  'not-in-service': { status: 409, title: 'R19/R24: the service is not in force (the kit is not delivered yet, or the contract has ended)' },
  'claim-already-decided': { status: 409, title: 'R16: this guarantee claim has already been decided' },
  'already-refunded': { status: 409, title: 'R16: this month has already been refunded; at most one refund per subscription per month' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body has a content type this route does not read' },
  'rate-limited': { status: 429, title: 'Too many attempts; wait before trying again (see Retry-After)' },
  'not-ready': { status: 503, title: 'The server is not ready (database or broker unreachable)' },
  'internal-error': { status: 500, title: 'Something went wrong on our side; it has been logged' },
  'simulator-unavailable': { status: 502, title: 'Demo only: the firmware simulator did not answer or refused the command' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

/** Problem `type`s are URI references resolved against the API: they name a readable page. */
export const PROBLEM_TYPE_BASE = '/api/v1/problems/';

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_BASE + code;
}

export function isProblemCode(value: string): value is ProblemCode {
  return Object.hasOwn(PROBLEMS, value);
}

/** An error the API answers with; `extra` members join the problem document (never secrets). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.status = PROBLEMS[code].status;
  }
}

export function isApiError(error: unknown, code?: ProblemCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: ProblemCode;
  readonly [extra: string]: unknown;
}

export function problemDocument(error: ApiError, instance?: string): ProblemDocument {
  return {
    ...error.extra,
    type: problemType(error.code),
    title: PROBLEMS[error.code].title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(instance === undefined ? {} : { instance }),
  };
}
