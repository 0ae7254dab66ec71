// Every error leaves as an RFC 9457 problem document (application/problem+json) whose `type`
// comes from the ONE table in server/errors.ts: our own ApiErrors, schema validation, unreadable
// bodies, rate limits, unknown routes, the pure rules' RuleErrors (their codes are in that table)
// and anything unexpected (logged, shown as internal-error).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, isApiError, problemDocument, PROBLEM_CODES, type ProblemCode } from '../errors.js';
import { isRuleError } from '../rules/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

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
      return sendProblem(reply, request, problem);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, request, new ApiError('not-found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
    );
  },
  { name: 'serviceplus-problems' },
);

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
