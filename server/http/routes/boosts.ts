// Boosts: a customer's self-service request (R6, R7), an operator's boost of a chosen duration
// (R8), cancel, and reading them. The page polls GET /boosts/:id until `status` is `applied`.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { boostView, BoostViewSchema } from '../../services/views.js';
import { actorOf, ALL_OPERATORS, assertSubscriptionAccess } from '../access.js';
import { BoostParams, Email, errorResponses, Limit, PeriodQuery, SubscriptionParams } from '../schemas.js';

const QuotaSchema = z.object({ period: z.string(), limit: z.number(), used: z.number(), remaining: z.number() });

const SelfServiceResponse = z.object({
  boost: BoostViewSchema,
  /** False when a boost was already in force: it is returned and nothing is counted (R7). */
  created: z.boolean(),
  quota: QuotaSchema,
});

export const boostRoutes: FastifyPluginAsyncZod = async (app) => {
  const { boosts, clock } = app.services;

  app.post(
    '/api/v1/subscriptions/:subscriptionId/boosts',
    {
      config: { access: { operators: [], customer: 'own-subscription' } },
      schema: {
        tags: ['boosts'],
        summary: 'R6/R7: the customer asks for a 24-hour boost; the confirmation goes to `email` once the router applied it',
        params: SubscriptionParams,
        body: z.object({ email: Email }),
        response: { 201: SelfServiceResponse, 200: SelfServiceResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await boosts.requestSelfService(request.params.subscriptionId, actorOf(request.principal), request.body.email);
      reply.code(result.created ? 201 : 200);
      return { boost: boostView(result.boost, clock.now()), created: result.created, quota: result.quota };
    },
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/operator-boosts',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['boosts'],
        summary: 'R8: an operator boost of a chosen duration, outside the monthly quota; replaces a boost in force',
        params: SubscriptionParams,
        body: z.object({
          durationMinutes: z.number().int().min(1).max(366 * 24 * 60),
          reason: z.string().trim().min(3).max(500),
          email: Email.optional(),
        }),
        response: { 201: BoostViewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const boost = await boosts.grantOperator(request.params.subscriptionId, actorOf(request.principal), request.body);
      reply.code(201);
      return boostView(boost, clock.now());
    },
  );

  app.get(
    '/api/v1/subscriptions/:subscriptionId/boosts',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['boosts'],
        summary: "A subscription's boosts of a month (default: this month) and its quota",
        params: SubscriptionParams,
        querystring: PeriodQuery,
        response: { 200: z.object({ items: z.array(BoostViewSchema), quota: QuotaSchema }), ...errorResponses },
      },
    },
    async (request) => {
      const { subscriptionId } = request.params;
      await app.services.subscriptions.get(subscriptionId);
      const quota = await boosts.quota(subscriptionId, request.query.period);
      const rows = await boosts.list({ subscriptionId, period: quota.period, limit: 100 });
      const now = clock.now();
      return { items: rows.map((row) => boostView(row, now)), quota };
    },
  );

  app.get(
    '/api/v1/boosts',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['boosts'],
        summary: 'Boosts across the fleet, newest first',
        querystring: z.object({ inForce: z.stringbool().optional(), limit: Limit() }),
        response: { 200: z.object({ items: z.array(BoostViewSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await boosts.list({ limit: request.query.limit, ...(request.query.inForce ? { inForce: true } : {}) });
      const now = clock.now();
      return { items: rows.map((row) => boostView(row, now)) };
    },
  );

  app.get(
    '/api/v1/boosts/:boostId',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'session' } },
      schema: {
        tags: ['boosts'],
        summary: 'One boost (its status turns `applied` when the router confirmed it)',
        params: BoostParams,
        response: { 200: BoostViewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const boost = await boosts.get(request.params.boostId);
      assertSubscriptionAccess(request.principal, boost.subscription_id);
      return boostView(boost, clock.now());
    },
  );

  app.post(
    '/api/v1/boosts/:boostId/cancel',
    {
      config: { access: { operators: ['helpdesk', 'admin'], customer: 'session' } },
      schema: {
        tags: ['boosts'],
        summary: 'End a boost now (the router returns to the baseline)',
        params: BoostParams,
        response: { 200: BoostViewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const existing = await boosts.get(request.params.boostId);
      assertSubscriptionAccess(request.principal, existing.subscription_id);
      return boostView(await boosts.cancel(existing.id, actorOf(request.principal)), clock.now());
    },
  );
};
