// The error table, readable: every problem `type` the API answers with resolves here.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, isProblemCode, PROBLEMS, PROBLEM_CODES, problemType } from '../../errors.js';
import { errorResponses } from '../schemas.js';

const ProblemTypeSchema = z.object({ code: z.string(), type: z.string(), status: z.number(), title: z.string() });

export const problemRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/problems',
    {
      config: { access: { public: true } },
      schema: { tags: ['problems'], summary: 'Every problem type the API uses', response: { 200: z.object({ items: z.array(ProblemTypeSchema) }) } },
    },
    async () => ({ items: PROBLEM_CODES.map((code) => ({ code, type: problemType(code), ...PROBLEMS[code] })) }),
  );

  app.get(
    '/api/v1/problems/:code',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['problems'],
        summary: 'One problem type',
        params: z.object({ code: z.string().max(64) }),
        response: { 200: ProblemTypeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { code } = request.params;
      if (!isProblemCode(code)) throw new ApiError('not-found', `No problem type ${code}.`);
      return { code, type: problemType(code), ...PROBLEMS[code] };
    },
  );
};
