// Subscriptions: create one with its customer (phone number R18, licence seats R17, order and
// delivery R24), list them, one at a glance (also for its own customer, with its contract phase,
// suspension and entitlements), and suspend or restore the service (R22/R23, through the rules'
// state machine and its list of reasons).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ServiceStatusSchema } from '../../services/entitlements.js';
import { subscriptionOverview, SubscriptionOverviewSchema, subscriptionSummary, SubscriptionSummarySchema } from '../../services/overview.js';
import { PhoneNumberSchema } from '../../rules/phone-number.js';
import { RestoreBodySchema, SuspendBodySchema } from '../../rules/suspension.js';
import { InstantMsSchema } from '../../rules/time.js';
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
    /** R18: registered at sign-up for the business helpdesk; any usual form, stored as E.164. */
    phone: PhoneNumberSchema.optional(),
  }),
  /** R17: licence seats agreed for this subscription (default: the configured number, 10). */
  licenceSeats: z.number().int().min(0).max(1000).optional(),
  /** R24: when the kit was ordered (default: the delivery, else now) and, when already, delivered. */
  contract: z.object({ orderedAt: InstantMsSchema.optional(), deliveredAt: InstantMsSchema.optional() }).optional(),
});

const OverviewSchema = SubscriptionOverviewSchema.extend(ServiceStatusSchema.shape);

const CustomerSchema = z.object({ id: z.string(), name: z.string(), login: z.string(), email: z.string().nullable() });

export const subscriptionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { subscriptions, boosts, store, clock, suspensions, entitlements } = app.services;

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
        summary: 'A subscription at a glance: path, speed, boost, quota, fair use, contract phase, suspension, entitlements (also for its customer)',
        params: SubscriptionParams,
        response: { 200: OverviewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await subscriptions.get(request.params.subscriptionId);
      return { ...(await subscriptionOverview(store, boosts, row, clock.now())), ...(await entitlements.status(row.id)) };
    },
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/suspend',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['subscriptions'],
        summary: 'R22/R23: suspend the service at once for loss, theft or misuse (mobile data off, the boost in force ends, no boosts)',
        params: SubscriptionParams,
        body: SuspendBodySchema,
        response: { 200: SubscriptionSummarySchema, ...errorResponses },
      },
    },
    async (request) => subscriptionSummary(await suspensions.suspend(request.params.subscriptionId, request.body, actorOf(request.principal))),
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/restore',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['subscriptions'],
        summary: 'R22: restore a suspended service (a suspension for misuse: NOC or admin only)',
        params: SubscriptionParams,
        body: RestoreBodySchema.nullish(),
        response: { 200: SubscriptionSummarySchema, ...errorResponses },
      },
    },
    async (request) => subscriptionSummary(await suspensions.restore(request.params.subscriptionId, request.body ?? {}, actorOf(request.principal))),
  );
};
