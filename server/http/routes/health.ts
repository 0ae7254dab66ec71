// Liveness and readiness, outside /api/v1 and without credentials.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ProblemSchema } from '../problems.js';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      config: { access: { public: true } },
      schema: { tags: ['health'], summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['health'],
        summary: 'The database and the broker connection work',
        response: { 200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }), 503: ProblemSchema },
      },
    },
    async () => {
      const readiness = await app.services.readiness();
      if (!readiness.ready) throw new ApiError('not-ready', 'Not ready: ' + JSON.stringify(readiness.checks), { checks: readiness.checks });
      return { status: 'ready' as const, checks: { ...readiness.checks } };
    },
  );
};
