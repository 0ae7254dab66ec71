// R21 coverage check: a subscription's verdict from the stick's registration and signal in its
// first 30 days, and the NOC's list of new subscriptions without usable coverage.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CoverageViewSchema } from '../../services/coverage.js';
import { ALL_OPERATORS } from '../access.js';
import { errorResponses, SubscriptionParams } from '../schemas.js';

export const coverageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { coverage } = app.services;

  app.get(
    '/api/v1/subscriptions/:subscriptionId/coverage',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['coverage'],
        summary: 'R21: covered, no usable coverage or unknown, from the stick’s reports of the first 30 days after delivery, with the evidence',
        params: SubscriptionParams,
        response: { 200: CoverageViewSchema, ...errorResponses },
      },
    },
    async (request) => coverage.view(request.params.subscriptionId),
  );

  app.get(
    '/api/v1/coverage/watchlist',
    {
      config: { access: { operators: ['noc', 'admin'] } },
      schema: {
        tags: ['coverage'],
        summary: 'R21: subscriptions delivered in the last `sinceDays` days without usable coverage (or whose 30 days ended with too few reports)',
        querystring: z.object({ sinceDays: z.coerce.number().int().min(1).max(366).default(60) }),
        response: { 200: z.object({ items: z.array(CoverageViewSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await coverage.watchlist(request.query) }),
  );
};
