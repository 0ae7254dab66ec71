// R17, R18, R22: what a subscription entitles its customer to now (licence seats, business
// helpdesk, swap, guarantee, mobile data, boosts), and the licence seats agreed for it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ServiceStatusSchema } from '../../services/entitlements.js';
import { actorOf, ALL_OPERATORS } from '../access.js';
import { errorResponses, SubscriptionParams } from '../schemas.js';

export const entitlementRoutes: FastifyPluginAsyncZod = async (app) => {
  const { entitlements } = app.services;

  app.get(
    '/api/v1/subscriptions/:subscriptionId/entitlements',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['entitlements'],
        summary: 'R17/R18/R22: licence seats and what the service includes now, from the contract phase and any suspension',
        params: SubscriptionParams,
        response: { 200: ServiceStatusSchema, ...errorResponses },
      },
    },
    async (request) => entitlements.status(request.params.subscriptionId),
  );

  app.put(
    '/api/v1/subscriptions/:subscriptionId/entitlements/licence-seats',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['entitlements'],
        summary: 'R17: the licence seats agreed for this subscription; null returns to the configured default (10)',
        params: SubscriptionParams,
        body: z.object({ licenceSeats: z.number().int().min(0).max(1000).nullable() }),
        response: { 200: ServiceStatusSchema, ...errorResponses },
      },
    },
    async (request) => entitlements.setLicenceSeats(request.params.subscriptionId, request.body.licenceSeats, actorOf(request.principal)),
  );
};
