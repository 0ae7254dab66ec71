// Building blocks the server tests share: a seeded subscription with a customer and a router,
// logging the customer in, and cleaning an external broker's retained messages afterwards.
import { randomBytes } from 'node:crypto';
import { seedSubscription, type Seeded } from '../../../server/seed.js';
import type { Desired } from '../../../shared/contract/index.js';
import { status as statusMessage } from '../../fixtures/messages.js';
import { connectDevice, type TestDevice } from './device.js';
import type { TestServer } from './server.js';
import { waitFor } from './wait.js';

export const PASSWORD = 'correct horse battery';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface SeedOptions {
  readonly routerModel?: string | null;
  readonly email?: string;
  readonly phone?: string;
  /** R24: the kit's delivery (ms); the contract is in service from then. */
  readonly deliveredAt?: number;
  readonly orderedAt?: number;
}

/** A subscription with a unique customer login and (by default) an enrolled FRITZ!Box 7490. */
export async function seed(ts: TestServer, options: SeedOptions = {}): Promise<Seeded & { password: string }> {
  const suffix = randomBytes(4).toString('hex');
  const model = options.routerModel === undefined ? 'FRITZ!Box 7490' : options.routerModel;
  const seeded = await seedSubscription(ts.server, {
    customer: {
      name: `Customer ${suffix}`,
      login: `cust-${suffix}`,
      password: PASSWORD,
      ...(options.email ? { email: options.email } : {}),
      ...(options.phone ? { phone: options.phone } : {}),
    },
    ...(options.deliveredAt !== undefined || options.orderedAt !== undefined
      ? { contract: { orderedAt: options.orderedAt ?? options.deliveredAt!, ...(options.deliveredAt !== undefined ? { deliveredAt: options.deliveredAt } : {}) } }
      : {}),
    ...(model ? { routerModel: model } : {}),
  });
  if (seeded.device) ts.track(seeded.device.deviceId);
  return { ...seeded, password: PASSWORD };
}

/** Logs the customer in through the API and returns the session token. */
export async function login(ts: TestServer, loginName: string, password = PASSWORD): Promise<string> {
  const response = await ts.call('POST', '/api/v1/sessions', { body: { login: loginName, password } });
  if (response.statusCode !== 201) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return (response.json() as { token: string }).token;
}

export function json<T = Record<string, unknown>>(response: { body: string }): T {
  return JSON.parse(response.body) as T;
}

/**
 * Connects the seeded router over MQTT and has it report `path` in a status message; resolves
 * once the server stored it.
 */
export async function connectedRouter(
  t: Teardown,
  ts: TestServer,
  seeded: Seeded,
  path: 'dsl' | 'mobile' | 'none' = 'mobile',
): Promise<TestDevice> {
  if (!seeded.device) throw new Error('seeded without a router');
  const device = await connectDevice(t, seeded.device);
  const at = new Date(ts.clock.now()).toISOString();
  await device.publish('presence', { v: 1, state: 'online', at, reason: 'startup' }, { retain: true });
  await device.publish('status', statusMessage({ at, activePath: path, pathSince: at, dsl: { state: path === 'dsl' ? 'up' : 'down', since: at, downKbps: null, upKbps: null } }), { retain: true });
  await waitFor(async () => {
    const view = await ts.call('GET', `/api/v1/devices/${device.deviceId}`, { token: ts.tokens.noc });
    return view.json().path === path;
  }, `router ${device.deviceId} on ${path}`);
  return device;
}

/** Acknowledges the latest desired state the router received that matches `match`. */
export async function ackDesired(device: TestDevice, match: (d: Desired) => boolean, outcome: 'applied' | 'rejected' = 'applied', at = new Date().toISOString()): Promise<Desired> {
  const desired = await device.nextDesired(match);
  await device.publish('acks', {
    v: 1,
    at,
    seq: desired.seq,
    outcome,
    ...(outcome === 'rejected' ? { reason: 'stick refused the rates' } : {}),
    boostId: desired.boostId,
    applied: outcome === 'applied' ? { downKbps: desired.downKbps === 3600 ? 3584 : desired.downKbps, upKbps: desired.upKbps === 1400 ? 1408 : desired.upKbps } : null,
  });
  return desired;
}
