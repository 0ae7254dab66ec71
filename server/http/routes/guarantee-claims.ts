// R16 online guarantee: a claim for a month, judged at once from what the server recorded; an
// eligible claim refunds that month's fee (EUR 10), once per subscription and month. The NOC
// lists pending claims (the data could not decide) and decided ones with their verdict, judges a
// pending one again or decides it by hand.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdSchema } from '../../../shared/contract/index.js';
import { GuaranteeClaimBodySchema } from '../../rules/guarantee.js';
import { ClaimViewSchema } from '../../services/guarantee-views.js';
import { actorOf, ALL_OPERATORS, assertSubscriptionAccess } from '../access.js';
import { errorResponses, Limit, SubscriptionParams } from '../schemas.js';

const ClaimParams = z.object({ claimId: IdSchema });
export const ClaimListSchema = z.object({ items: z.array(ClaimViewSchema) }).describe('Guarantee claims, newest first');

export const guaranteeClaimRoutes: FastifyPluginAsyncZod = async (app) => {
  const { guarantee, subscriptions } = app.services;

  app.post(
    '/api/v1/subscriptions/:subscriptionId/guarantee-claims',
    {
      config: { access: { operators: ['helpdesk', 'admin'], customer: 'own-subscription' } },
      schema: {
        tags: ['guarantee'],
        summary: 'R16: "I was not back online within 4 hours, I claim this month’s fee": judged at once from the recorded timeline',
        params: SubscriptionParams,
        body: GuaranteeClaimBodySchema,
        response: { 201: ClaimViewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const claim = await guarantee.claim(request.params.subscriptionId, request.body, actorOf(request.principal));
      reply.code(201);
      return claim;
    },
  );

  app.get(
    '/api/v1/subscriptions/:subscriptionId/guarantee-claims',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['guarantee'],
        summary: "A subscription's claims with their verdicts and refunds (also for its customer)",
        params: SubscriptionParams,
        querystring: z.object({ limit: Limit(500, 100) }),
        response: { 200: ClaimListSchema, ...errorResponses },
      },
    },
    async (request) => {
      await subscriptions.get(request.params.subscriptionId);
      return { items: await guarantee.list({ subscriptionId: request.params.subscriptionId, limit: request.query.limit }) };
    },
  );

  app.get(
    '/api/v1/guarantee-claims',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['guarantee'],
        summary: 'The NOC list: pending claims (undecidable from the data) or decided ones with their verdict',
        querystring: z.object({ status: z.enum(['pending', 'decided', 'all']).default('pending'), limit: Limit(500, 200) }),
        response: { 200: ClaimListSchema, ...errorResponses },
      },
    },
    async (request) => ({
      items: await guarantee.list({ ...(request.query.status === 'all' ? {} : { status: request.query.status }), limit: request.query.limit }),
    }),
  );

  app.get(
    '/api/v1/guarantee-claims/:claimId',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'session' } },
      schema: {
        tags: ['guarantee'],
        summary: 'One claim with its evidence (its customer may read it)',
        params: ClaimParams,
        response: { 200: ClaimViewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const claim = await guarantee.get(request.params.claimId);
      assertSubscriptionAccess(request.principal, claim.subscription.id);
      return claim;
    },
  );

  app.post(
    '/api/v1/guarantee-claims/:claimId/reassess',
    {
      config: { access: { operators: ['noc', 'admin'] } },
      schema: {
        tags: ['guarantee'],
        summary: 'Judge a pending claim again with what is recorded now (data delivered late)',
        params: ClaimParams,
        response: { 200: ClaimViewSchema, ...errorResponses },
      },
    },
    async (request) => guarantee.reassess(request.params.claimId, actorOf(request.principal)),
  );

  app.post(
    '/api/v1/guarantee-claims/:claimId/decision',
    {
      config: { access: { operators: ['noc', 'admin'] } },
      schema: {
        tags: ['guarantee'],
        summary: 'Decide a pending claim by hand (eligible refunds the month, at most once per month)',
        params: ClaimParams,
        body: z.object({ verdict: z.enum(['eligible', 'not-eligible']), note: z.string().trim().min(3).max(2000) }),
        response: { 200: ClaimViewSchema, ...errorResponses },
      },
    },
    async (request) => guarantee.decideByHand(request.params.claimId, request.body, actorOf(request.principal)),
  );
};
