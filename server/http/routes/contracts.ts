// R19-R21, R23, R24: a subscription's contract: its dates and phase, delivery, cancellation (by
// phone through the helpdesk, or by the customer in their account), annulment for no coverage
// within 30 days of delivery, the ISP ending it, and the kit's return. On the effective date the
// end job switches the service off and revokes the routers' credentials (R20).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AnnulmentBodySchema, CancellationChannelSchema, IspEndBodySchema } from '../../rules/contract.js';
import { InstantMsSchema } from '../../rules/time.js';
import { ContractViewSchema } from '../../services/contract-views.js';
import { actorOf, ALL_OPERATORS } from '../access.js';
import { errorResponses, SubscriptionParams } from '../schemas.js';
import type { Principal } from '../access.js';

const Cancellation = z.object({
  /** Operators record phone cancellations (the default for them); a customer's is always `account`. */
  channel: CancellationChannelSchema.optional(),
  /** When the customer asked, if earlier (a call taken before); operators only. */
  requestedAt: InstantMsSchema.optional(),
});

/** Customers act now, in their account; operators may record what a customer said earlier. */
function asCaller<T extends { requestedAt?: number | undefined }>(principal: Principal, body: T): T {
  return principal.kind === 'customer' ? { ...body, requestedAt: undefined } : body;
}

export const contractRoutes: FastifyPluginAsyncZod = async (app) => {
  const { contracts } = app.services;
  const response = { 200: ContractViewSchema, ...errorResponses };

  app.get(
    '/api/v1/subscriptions/:subscriptionId/contract',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['contracts'],
        summary: 'The contract: order and delivery, phase, minimum term, annulment right, termination, kit return, final invoice',
        params: SubscriptionParams,
        response,
      },
    },
    async (request) => contracts.view(request.params.subscriptionId),
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/contract/delivery',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['contracts'],
        summary: 'R24: the customer received the kit (the contract and the 30 days of R21 start); `deliveredAt` defaults to now',
        params: SubscriptionParams,
        body: z.object({ deliveredAt: InstantMsSchema.optional() }),
        response,
      },
    },
    async (request) => contracts.recordDelivery(request.params.subscriptionId, request.body, actorOf(request.principal)),
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/contract/cancellation',
    {
      config: { access: { operators: ['helpdesk', 'admin'], customer: 'own-subscription' } },
      schema: {
        tags: ['contracts'],
        summary: 'R19: cancel; effective at the end of the one-year term, or one month after the request once past it',
        params: SubscriptionParams,
        body: Cancellation,
        response,
      },
    },
    async (request) => {
      const customer = request.principal.kind === 'customer';
      const body = asCaller(request.principal, request.body);
      return contracts.cancel(request.params.subscriptionId, { channel: customer ? 'account' : (body.channel ?? 'phone'), requestedAt: body.requestedAt }, actorOf(request.principal));
    },
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/contract/annulment',
    {
      config: { access: { operators: ['helpdesk', 'admin'], customer: 'own-subscription' } },
      schema: {
        tags: ['contracts'],
        summary: 'R21: annul for no usable coverage, within 30 days of delivery; ends the service at once',
        params: SubscriptionParams,
        body: AnnulmentBodySchema,
        response,
      },
    },
    async (request) => contracts.annul(request.params.subscriptionId, asCaller(request.principal, request.body), actorOf(request.principal)),
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/contract/end',
    {
      config: { access: { operators: ['noc', 'admin'] } },
      schema: {
        tags: ['contracts'],
        summary: 'R23: the ISP ends the contract (misuse or not technically possible: at once; service discontinued: one month’s notice)',
        params: SubscriptionParams,
        body: IspEndBodySchema,
        response,
      },
    },
    async (request) => contracts.endByIsp(request.params.subscriptionId, request.body, actorOf(request.principal)),
  );

  app.post(
    '/api/v1/subscriptions/:subscriptionId/contract/kit-return',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['contracts'],
        summary: 'R20: the returns department received the kit; `returnedAt` defaults to now',
        params: SubscriptionParams,
        body: z.object({ returnedAt: InstantMsSchema.optional() }),
        response,
      },
    },
    async (request) => contracts.recordKitReturn(request.params.subscriptionId, request.body, actorOf(request.principal)),
  );
};
