// Request pieces several routes share, and the error responses every route documents.
import { z } from 'zod';
import { DeviceIdSchema, IdSchema } from '../../shared/contract/index.js';
import { PeriodIdSchema } from '../../shared/period.js';
import { ProblemSchema } from './problems.js';

export const SubscriptionParams = z.object({ subscriptionId: IdSchema });
export const DeviceParams = z.object({ deviceId: DeviceIdSchema });
export const BoostParams = z.object({ boostId: IdSchema });

export const Limit = (max = 500, fallback = 100) => z.coerce.number().int().min(1).max(max).default(fallback);
export const PeriodQuery = z.object({ period: PeriodIdSchema.optional() });

/** Documented on every route; the body is always a problem document. */
export const errorResponses = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
  500: ProblemSchema,
} as const;

export const Email = z.email().max(254);
