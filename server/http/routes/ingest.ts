// What the MQTT ingest did since start: stored per kind, ignored (duplicate, stale) and refused
// per reason.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../schemas.js';

export const ingestRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/ingest/stats',
    {
      config: { access: { operators: ['noc', 'admin'] } },
      schema: {
        tags: ['ingest'],
        summary: 'MQTT ingest counters since start',
        response: {
          200: z.object({
            received: z.number(),
            stored: z.record(z.string(), z.number()),
            ignored: z.record(z.string(), z.number()),
            refused: z.record(z.string(), z.number()),
          }),
          ...errorResponses,
        },
      },
    },
    async () => app.services.ingestCounts(),
  );
};
