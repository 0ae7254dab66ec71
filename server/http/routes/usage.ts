// R9: a subscription's mobile data of a month (default: this month), per router and in total,
// against the fair-use cap.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { periodOf } from '../../../shared/period.js';
import { subscriptionUsageRows } from '../../store/telemetry.js';
import { usageView, UsageViewSchema } from '../../services/views.js';
import { ALL_OPERATORS } from '../access.js';
import { errorResponses, PeriodQuery, SubscriptionParams } from '../schemas.js';

const UsageResponse = z.object({
  period: z.string(),
  upBytes: z.number(),
  downBytes: z.number(),
  usedBytes: z.number(),
  capBytes: z.number(),
  percent: z.number(),
  level: z.enum(['normal', 'warning', 'capped']),
  boostAllowed: z.boolean(),
  devices: z.array(UsageViewSchema.extend({ deviceId: z.string() })),
});

export const usageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { boosts, clock, store, subscriptions } = app.services;

  app.get(
    '/api/v1/subscriptions/:subscriptionId/usage',
    {
      config: { access: { operators: ALL_OPERATORS, customer: 'own-subscription' } },
      schema: {
        tags: ['usage'],
        summary: 'R9: mobile data used in a month (up and down together) against the fair-use cap',
        params: SubscriptionParams,
        querystring: PeriodQuery,
        response: { 200: UsageResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { subscriptionId } = request.params;
      await subscriptions.get(subscriptionId);
      const period = request.query.period ?? periodOf(clock.now()).id;
      const rows = await subscriptionUsageRows(store.db, subscriptionId, period);
      const fairUse = await boosts.fairUse(subscriptionId, period);
      return {
        period,
        upBytes: rows.reduce((sum, row) => sum + row.up_bytes, 0),
        downBytes: rows.reduce((sum, row) => sum + row.down_bytes, 0),
        ...fairUse,
        devices: rows.map((row) => ({ deviceId: row.device_id, ...usageView(row) })),
      };
    },
  );
};
