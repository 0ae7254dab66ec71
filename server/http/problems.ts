// Every error leaves as an RFC 9457 problem document (application/problem+json) whose `type`
// comes from the ONE table in server/errors.ts: our own ApiErrors, schema validation, unreadable
// bodies, rate limits, unknown routes, the pure rules' RuleErrors (their codes are in that table)
// and anything unexpected (logged, shown as internal-error).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, isApiError, problemDocument, PROBLEM_CODES, type ProblemCode } from '../errors.js';
import { isStoreUnavailable } from '../db/unavailable.js';
import { isRuleError } from '../rules/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Retry-After (seconds) on a 503 while the store or the broker is out of reach. */
export const STORE_RETRY_AFTER_S = 5;

export const ProblemSchema = z
  .object({
    type: z.string().describe('Stable per cause: /api/v1/problems/<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(PROBLEM_CODES as [ProblemCode, ...ProblemCode[]]),
    instance: z.string().optional(),
  })
  .loose()
  .describe('RFC 9457 problem details');

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: ApiError): FastifyReply {
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(problemDocument(error, request.url));
}

export const problemsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toApiError(error);
      if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
      if (problem.code === 'rate-limited' && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
      if (problem.code === 'not-ready' && !reply.hasHeader('retry-after')) reply.header('retry-after', String(STORE_RETRY_AFTER_S));
      return sendProblem(reply, request, problem);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, request, new ApiError('not-found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
    );
  },
  { name: 'serviceplus-problems' },
);

/**
 * Fastify's `frameworkErrors`: a URL the router cannot read (a bad %-escape, a parameter over
 * the length limit) answers as a problem document too, instead of Fastify's own JSON (issue 11,
 * found by test/fuzz/server/api.test.ts). The detail does not repeat the URL (it may carry a token).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem =
    error.code === 'FST_ERR_BAD_URL'
      ? new ApiError('malformed-url', 'The URL holds a malformed %-escape.')
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new ApiError('malformed-url', 'A path segment of the URL is longer than any identifier.')
        : toApiError(error);
  return sendProblem(reply, request, problem);
}

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

/** A rule's facts as problem members; one named like a member of the document (`status`) becomes `ruleStatus`. */
function ruleDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [RESERVED.has(key) ? `rule${key[0]!.toUpperCase()}${key.slice(1)}` : key, value]),
  );
}

function toApiError(error: FastifyError): ApiError {
  if (isApiError(error)) return error;
  // A rule refused: its code is a problem type, its details join the document.
  if (isRuleError(error)) return new ApiError(error.code, error.message, ruleDetails(error.details));
  // The store is out of reach (issue 11): 503 with Retry-After; the next request reconnects.
  if (isStoreUnavailable(error)) return new ApiError('not-ready', 'The database is not reachable at the moment; try again shortly.');
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'request';
    const errors = error.validation.map((issue) => ({
      in: where,
      path: issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)',
      message: issue.message ?? 'invalid',
    }));
    return new ApiError('validation-failed', `The ${where} does not match the schema: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
  }
  if (isResponseSerializationError(error)) return new ApiError('internal-error', 'The response did not match its schema.');
  if (error.validation) return new ApiError('validation-failed', error.message, { errors: [] });
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported-media-type', error.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload-too-large', error.message);
    default:
      break;
  }
  if (error.statusCode === 429) return new ApiError('rate-limited', error.message || 'Too many requests.');
  if (error.statusCode === 400 || error.code?.startsWith('FST_ERR_CTP')) return new ApiError('malformed-body', error.message);
  if (error.statusCode === 404) return new ApiError('not-found', error.message);
  return new ApiError('internal-error', 'Something went wrong on our side; it has been logged.');
}
