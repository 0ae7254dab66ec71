// Subscriptions: create one with its customer, list them, one at a glance (also for its own
// customer), and suspend or restore the service (R22).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { subscriptionOverview, SubscriptionOverviewSchema, subscriptionSummary, SubscriptionSummarySchema } from '../../services/overview.js';
import { actorOf, ALL_OPERATORS } from '../access.js';
import { Email, errorResponses, Limit, SubscriptionParams } from '../schemas.js';

const CreateBody = z.object({
  reference: z.string().trim().min(1).max(64).optional(),
  customer: z.object({
    name: z.string().trim().min(1).max(200),
    login: z
      .string()
      .trim()
      .min(3)
      .max(64)
      .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ -'),
    password: z.string().min(8, 'at least 8 characters').max(200),
    email: Email.optional(),
    phone: z.string().trim().min(3).max(32).optional(),
  }),
});

const CustomerSchema = z.object({ id: z.string(), name: z.string(), login: z.string(), email: z.string().nullable() });

export const subscriptionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { subscriptions, boosts, store, clock } = app.services;

  app.post(
    '/api/v1/subscriptions',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['subscriptions'],
        summary: 'Create a subscription and its customer login',
        body: CreateBody,
        response: { 201: z.object({ subscription: SubscriptionSummarySchema, customer: CustomerSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { subscription, customer } = await subscriptions.create(request.body, actorOf(request.principal));
      reply.code(201);
      return {
        subscription: subscriptionSummary(subscription),
        customer: { id: customer.id, name: customer.name, login: customer.login, email: customer.email },
      };
    },
  );

  app.get(
    '/api/v1/subscriptions',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['subscriptions'],
        summary: 'List subscriptions (by id; pass `next` as `after` for the next page)',
        querystring: z.object({ limit: Limit(), after: z.string().max(64).optional() }),
        response: { 200: z.object({ items: z.array(SubscriptionSummarySchema), next: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await subscriptions.list(request.query);
      return { items: rows.map(subscriptionSummary), next: rows.length === request.query.limit ? (rows.at(-1)?.id ?? null) : null };
    },
  );

  app.get(
    '/api/v1/subscriptions/:subscriptionId',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['subscriptions'],
        summary: 'A subscription at a glance: path, speed, boost, quota, fair use (also for its customer)',
        params: SubscriptionParams,
        response: { 200: SubscriptionOverviewSchema, ...errorResponses },
      },
    },
    async (request) => subscriptionOverview(store, boosts, await subscriptions.get(request.params.subscriptionId), clock.now()),
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/suspend',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['subscriptions'],
        summary: 'R22: suspend the service (mobile data off, no boosts)',
        params: SubscriptionParams,
        body: z.object({ reason: z.string().trim().min(3).max(500) }),
        response: { 200: SubscriptionSummarySchema, ...errorResponses },
      },
    },
    async (request) => subscriptionSummary(await subscriptions.suspend(request.params.subscriptionId, request.body.reason, actorOf(request.principal))),
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/restore',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['subscriptions'],
        summary: 'R22: restore a suspended service',
        params: SubscriptionParams,
        response: { 200: SubscriptionSummarySchema, ...errorResponses },
      },
    },
    async (request) => subscriptionSummary(await subscriptions.restore(request.params.subscriptionId, actorOf(request.principal))),
  );
};
