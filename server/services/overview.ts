// One subscription at a glance, for the helpdesk and for the customer's self-service page:
// connection path, current speed and until when, boosts left this month, mobile data against
// the cap, and what does not work while on mobile (R10).
import { z } from 'zod';
import { PathSchema, ProfileNameSchema } from '../../shared/contract/index.js';
import { periodOf } from '../../shared/period.js';
import { UNAVAILABLE_ON_MOBILE } from '../../shared/service.js';
import type { DatabaseHandle } from '../db/database.js';
import { boostInForce } from '../store/boosts.js';
import { getDesired } from '../store/desired-states.js';
import { activeDevicesOf } from '../store/devices.js';
import { customerOfSubscription, type SubscriptionRow } from '../store/subscriptions.js';
import type { BoostService } from './boosts.js';
import { boostView, BoostViewSchema, storedStatus } from './views.js';

const Instant = z.string();

export const SubscriptionSummarySchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(['active', 'suspended']),
  suspendedReason: z.string().nullable(),
  suspendedAt: Instant.nullable(),
  createdAt: Instant,
});

export function subscriptionSummary(row: SubscriptionRow): z.infer<typeof SubscriptionSummarySchema> {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    suspendedReason: row.suspended_reason,
    suspendedAt: row.suspended_at === null ? null : new Date(row.suspended_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export const SubscriptionOverviewSchema = SubscriptionSummarySchema.extend({
  customer: z.object({ id: z.string(), name: z.string(), login: z.string(), email: z.string().nullable() }).nullable(),
  connection: z.object({
    /** The path of the router (the first online one when there are several). */
    path: PathSchema.nullable(),
    since: Instant.nullable(),
    online: z.boolean(),
  }),
  speed: z
    .object({ profile: ProfileNameSchema, downKbps: z.number(), upKbps: z.number(), until: Instant.nullable(), suspended: z.boolean() })
    .nullable(),
  devices: z.array(z.object({ deviceId: z.string(), presence: z.enum(['online', 'offline']).nullable(), path: PathSchema.nullable() })),
  boost: BoostViewSchema.nullable(),
  quota: z.object({ period: z.string(), limit: z.number(), used: z.number(), remaining: z.number() }),
  fairUse: z.object({
    period: z.string(),
    usedBytes: z.number(),
    capBytes: z.number(),
    percent: z.number(),
    level: z.enum(['normal', 'warning', 'capped']),
    boostAllowed: z.boolean(),
  }),
  unavailableOnMobile: z.array(z.string()),
});
export type SubscriptionOverview = z.infer<typeof SubscriptionOverviewSchema>;

export async function subscriptionOverview(
  store: DatabaseHandle,
  boosts: BoostService,
  row: SubscriptionRow,
  now: number,
): Promise<SubscriptionOverview> {
  const period = periodOf(now).id;
  const customer = await customerOfSubscription(store.db, row.id);
  const devices = await activeDevicesOf(store.db, row.id);
  const statuses = devices.map((device) => ({ device, status: storedStatus(device) }));
  const primary = statuses.find((s) => s.device.presence === 'online') ?? statuses[0];
  const desired = primary ? await getDesired(store.db, primary.device.id) : undefined;
  const active = await boostInForce(store.db, row.id);
  const fairUse = await boosts.fairUse(row.id, period);
  const path = primary?.status?.activePath ?? null;
  return {
    ...subscriptionSummary(row),
    customer: customer ? { id: customer.id, name: customer.name, login: customer.login, email: customer.email } : null,
    connection: { path, since: primary?.status?.pathSince ?? null, online: primary?.device.presence === 'online' },
    speed: desired
      ? {
          profile: desired.profile,
          downKbps: desired.down_kbps,
          upKbps: desired.up_kbps,
          until: desired.until_at === null ? null : new Date(desired.until_at).toISOString(),
          suspended: desired.suspended === 1,
        }
      : null,
    devices: statuses.map(({ device, status }) => ({ deviceId: device.id, presence: device.presence, path: status?.activePath ?? null })),
    boost: active ? boostView(active, now) : null,
    quota: await boosts.quota(row.id, period),
    fairUse: { period, ...fairUse },
    unavailableOnMobile: path === 'mobile' ? [...UNAVAILABLE_ON_MOBILE] : [],
  };
}
