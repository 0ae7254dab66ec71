// R12-R15 modem swap tickets: the helpdesk opens one for a subscription's router or stick; its
// lifecycle and the defective unit's return are events; the NOC lists open tickets with their
// SLA state and business time left (GET /api/v1/swap-tickets?status=open, most urgent first).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeviceIdSchema, IdSchema } from '../../../shared/contract/index.js';
import { OpenSwapTicketBodySchema, SwapEventBodySchema } from '../../rules/swap-ticket.js';
import { SwapTicketSummarySchema, SwapTicketViewSchema } from '../../services/swap-views.js';
import { actorOf, ALL_OPERATORS } from '../access.js';
import { errorResponses, Limit, SubscriptionParams } from '../schemas.js';

const TicketParams = z.object({ ticketId: IdSchema });
/** `open`: reported, dispatched, on site or replaced (not yet closed). */
const StatusFilter = z.enum(['open', 'closed', 'cancelled', 'all']);
const ListQuery = z.object({
  status: StatusFilter.default('open'),
  sla: z.enum(['ok', 'at-risk', 'breached']).optional(),
  limit: Limit(500, 200),
});
const OpenBody = OpenSwapTicketBodySchema.extend({
  /** The router the equipment belongs to; default the subscription's (first) enrolled router. */
  deviceId: DeviceIdSchema.optional(),
});

export const SwapTicketListSchema = z.object({ items: z.array(SwapTicketSummarySchema) }).describe('Swap tickets, soonest deadline first');

export const swapTicketRoutes: FastifyPluginAsyncZod = async (app) => {
  const { swapTickets, subscriptions } = app.services;

  app.post(
    '/api/v1/subscriptions/:subscriptionId/swap-tickets',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['swap tickets'],
        summary: 'R12: open a swap ticket for the router or the stick; the deadline is 4 business hours after the report (R13/R14)',
        params: SubscriptionParams,
        body: OpenBody,
        response: { 201: SwapTicketViewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ticket = await swapTickets.open(request.params.subscriptionId, request.body, actorOf(request.principal));
      reply.code(201);
      return ticket;
    },
  );

  app.get(
    '/api/v1/subscriptions/:subscriptionId/swap-tickets',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['swap tickets'],
        summary: "A subscription's swap tickets (also for its customer)",
        params: SubscriptionParams,
        querystring: z.object({ status: StatusFilter.default('all'), limit: Limit(500, 200) }),
        response: { 200: SwapTicketListSchema, ...errorResponses },
      },
    },
    async (request) => {
      await subscriptions.get(request.params.subscriptionId);
      return { items: await swapTickets.list({ ...request.query, subscriptionId: request.params.subscriptionId }) };
    },
  );

  app.get(
    '/api/v1/swap-tickets',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['swap tickets'],
        summary: 'The NOC list: tickets with stage, deadline, SLA state (ok, at-risk, breached) and business time left, soonest deadline first',
        querystring: ListQuery,
        response: { 200: SwapTicketListSchema, ...errorResponses },
      },
    },
    async (request) => ({ items: await swapTickets.list(request.query) }),
  );

  app.get(
    '/api/v1/swap-tickets/:ticketId',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['swap tickets'],
        summary: 'One ticket: stage details, SLA, the defective unit’s return, the fault assessment and the history',
        params: TicketParams,
        response: { 200: SwapTicketViewSchema, ...errorResponses },
      },
    },
    async (request) => swapTickets.view(request.params.ticketId),
  );

  app.post(
    '/api/v1/swap-tickets/:ticketId/events',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['swap tickets'],
        summary:
          'R12/R15: dispatch, arrive, replace, close, cancel; return-handed-to-technician, return-posted, return-received, fault-assessed (customerFault: the one-off charge). `at` defaults to now',
        params: TicketParams,
        body: SwapEventBodySchema,
        response: { 200: SwapTicketViewSchema, ...errorResponses },
      },
    },
    async (request) => swapTickets.applyEvent(request.params.ticketId, request.body, actorOf(request.principal)),
  );
};
