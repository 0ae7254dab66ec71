// Who is asking, and may they. Every route under /api/v1 declares `config.access`; a route
// without one stops start-up, so no route can forget its role check. Operators send a bearer
// token (`spo_…`) with a role; customers a session token (`sps_…`, bearer or the `sp_session`
// cookie) good for their own subscription only.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { CustomerSession } from '../auth/customers.js';
import type { Operator } from '../auth/operators.js';
import type { OperatorRole } from '../db/schema.js';
import { ApiError } from '../errors.js';
import type { Actor } from '../store/audit.js';

export type Principal =
  | { readonly kind: 'anonymous'; readonly problem?: string }
  | ({ readonly kind: 'operator' } & Operator)
  | ({ readonly kind: 'customer' } & CustomerSession);

export type Access =
  /** Anyone (health, docs, login). */
  | { readonly public: true }
  /** An external broker's auth hook, with the broker hook token. */
  | { readonly broker: true }
  /**
   * Operators of these roles; and customers when `customer` is set: `own-subscription` checks the
   * `subscriptionId` route parameter, `session` lets any customer in (the handler checks the rest).
   */
  | { readonly operators: readonly OperatorRole[]; readonly customer?: 'own-subscription' | 'session' };

export const ALL_OPERATORS: readonly OperatorRole[] = ['noc', 'helpdesk', 'admin'];
export const SESSION_COOKIE = 'sp_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface PrincipalResolvers {
  resolveOperator(token: string): Promise<Operator | null>;
  resolveSession(token: string): Promise<CustomerSession | null>;
  /** The broker hook's token; undefined turns the hook off. */
  readonly brokerHookToken: string | undefined;
}

export const API_PREFIX = '/api/v1';

export const accessPlugin = fp(
  async (app: FastifyInstance, resolvers: PrincipalResolvers) => {
    app.decorateRequest('principal', null as never);

    app.addHook('onRoute', (route) => {
      if (route.url.startsWith(API_PREFIX) && !route.config?.access) {
        throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
      }
    });

    // preValidation: after the body is read, before it is validated, so an unauthenticated
    // caller learns nothing about the schema.
    app.addHook('preValidation', async (request) => {
      const access = request.routeOptions.config.access;
      request.principal = { kind: 'anonymous' };
      if (!access || 'public' in access) return;
      const token = bearerToken(request);
      if ('broker' in access) {
        // mosquitto-go-auth cannot send headers; it may put the token in the URI (?token=…),
        // which the request logger strips.
        const fromQuery = (request.query as { token?: unknown } | undefined)?.token;
        const given = token ?? (typeof fromQuery === 'string' ? fromQuery : null);
        if (!resolvers.brokerHookToken) throw new ApiError('broker-hook-disabled', 'The broker auth hook is off on this server.');
        if (given === null || !sameSecret(given, resolvers.brokerHookToken)) {
          throw new ApiError('unauthenticated', 'The broker hook token is missing or wrong.');
        }
        return;
      }
      request.principal = await resolve(request, token, resolvers);
      enforce(request, access);
    });
  },
  { name: 'serviceplus-access' },
);

async function resolve(request: FastifyRequest, bearer: string | null, resolvers: PrincipalResolvers): Promise<Principal> {
  const token = bearer ?? cookie(request, SESSION_COOKIE);
  if (!token) return { kind: 'anonymous', problem: 'No credentials: send Authorization: Bearer <token>.' };
  const operator = await resolvers.resolveOperator(token);
  if (operator) return { kind: 'operator', ...operator };
  const session = await resolvers.resolveSession(token);
  if (session) return { kind: 'customer', ...session };
  return { kind: 'anonymous', problem: 'The token is unknown, revoked or expired.' };
}

function enforce(request: FastifyRequest, access: { readonly operators: readonly OperatorRole[]; readonly customer?: 'own-subscription' | 'session' }): void {
  const principal = request.principal;
  switch (principal.kind) {
    case 'anonymous':
      throw new ApiError('unauthenticated', principal.problem ?? 'Credentials are required.');
    case 'operator':
      if (!access.operators.includes(principal.role)) {
        throw new ApiError('forbidden-role', `The ${principal.role} role may not do this; it needs ${describeRoles(access)}.`, {
          role: principal.role,
          allowed: access.operators,
        });
      }
      return;
    case 'customer': {
      if (!access.customer) throw new ApiError('forbidden-role', `Customers may not do this; it needs ${describeRoles(access)}.`, { role: 'customer' });
      if (access.customer === 'own-subscription') {
        const subscriptionId = (request.params as { subscriptionId?: unknown } | undefined)?.subscriptionId;
        if (subscriptionId !== principal.subscriptionId) {
          throw new ApiError('wrong-customer', 'This subscription is not yours.');
        }
      }
      return;
    }
  }
}

function describeRoles(access: { readonly operators: readonly OperatorRole[] }): string {
  return access.operators.length > 0 ? `an operator token with role ${access.operators.join(' or ')}` : 'a customer session';
}

/** For handlers of `customer: 'session'` routes: a customer may touch only their own subscription. */
export function assertSubscriptionAccess(principal: Principal, subscriptionId: string): void {
  if (principal.kind === 'customer' && principal.subscriptionId !== subscriptionId) {
    throw new ApiError('wrong-customer', 'This belongs to another customer.');
  }
}

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'operator':
      return { kind: 'operator', id: principal.name, role: principal.role };
    case 'customer':
      return { kind: 'customer', id: principal.customerId };
    case 'anonymous':
      return { kind: 'system', id: 'anonymous' };
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function cookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeCookieValue(rest.join('='));
  }
  return null;
}

/** A cookie value with %-escapes read; a malformed escape (`%zz`) is no token, not a 500 (issue 11, fuzzing). */
function decodeCookieValue(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
