// Seeding for the demo and for tests: a subscription with its customer login and, optionally,
// an enrolled router, through the same services the API uses (audited as the `system` actor).
import type { OperatorRole } from './auth/roles.js';
import type { RunningServer } from './main.js';
import type { DeviceCredentials } from './services/devices.js';

export interface SeedRequest {
  readonly reference?: string;
  readonly customer: { readonly name: string; readonly login: string; readonly password: string; readonly email?: string; readonly phone?: string };
  /** R24: when the kit was ordered and delivered (ms); without `deliveredAt` the contract waits for delivery. */
  readonly contract?: { readonly orderedAt?: number; readonly deliveredAt?: number };
  /** Enroll a router of this model (e.g. "FRITZ!Box 7490"); omit for none. */
  readonly routerModel?: string;
  readonly deviceId?: string;
}

export interface Seeded {
  readonly subscriptionId: string;
  readonly customerId: string;
  readonly login: string;
  /** Present when a router was enrolled: what the agent needs (the password is shown only here). */
  readonly device: DeviceCredentials | null;
}

export async function seedSubscription(server: Pick<RunningServer, 'services'>, request: SeedRequest): Promise<Seeded> {
  const actor = { kind: 'system' as const, id: 'seed' };
  const { subscription, customer } = await server.services.subscriptions.create(request, actor);
  const device = request.routerModel
    ? (await server.services.devices.enroll(subscription.id, { model: request.routerModel, deviceId: request.deviceId }, actor)).credentials
    : null;
  return { subscriptionId: subscription.id, customerId: customer.id, login: customer.login, device };
}

/** An operator bearer token, shown once (the CLI's `token create` does the same). */
export async function createOperatorToken(
  server: Pick<RunningServer, 'services'>,
  request: { name: string; role: OperatorRole },
): Promise<string> {
  return (await server.services.operators.create(request, { kind: 'system', id: 'seed' })).token;
}
