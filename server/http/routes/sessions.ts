// Customer login for the self-service page (R6): login name and password, rate-limited per
// address and login name; the session token comes back in the body and as an HttpOnly cookie.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { SESSION_COOKIE } from '../access.js';
import { errorResponses } from '../schemas.js';

const LoginBody = z.object({
  login: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
});

const SessionSchema = z.object({
  token: z.string().describe('Send as Authorization: Bearer <token>; also set as the sp_session cookie'),
  expiresAt: z.string(),
  subscriptionId: z.string(),
  customer: z.object({ id: z.string(), name: z.string() }),
});

export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app.services;

  app.post(
    '/api/v1/sessions',
    {
      config: {
        access: { public: true },
        rateLimit: {
          max: config.loginRateLimitMax,
          timeWindow: config.loginRateLimitWindowSeconds * 1000,
          hook: 'preHandler',
          keyGenerator: (request) => `${request.ip}|${String((request.body as { login?: unknown } | undefined)?.login ?? '').trim().toLowerCase()}`,
        },
      },
      schema: {
        tags: ['sessions'],
        summary: 'Customer login (rate-limited)',
        security: [],
        body: LoginBody,
        response: { 201: SessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { token, session, name } = await app.services.customers.login(request.body.login, request.body.password);
      const maxAge = Math.max(0, Math.floor((session.expiresAt - app.services.clock.now()) / 1000));
      // Served over HTTPS, the cookie is Secure: a browser never sends it over plain HTTP (issue 11).
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`);
      reply.code(201);
      return {
        token,
        expiresAt: new Date(session.expiresAt).toISOString(),
        subscriptionId: session.subscriptionId,
        customer: { id: session.customerId, name },
      };
    },
  );

  app.get(
    '/api/v1/sessions/current',
    {
      config: { access: { operators: [], customer: 'session' } },
      schema: {
        tags: ['sessions'],
        summary: 'The customer session in use',
        response: { 200: z.object({ subscriptionId: z.string(), customerId: z.string(), expiresAt: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal.kind !== 'customer') throw new ApiError('forbidden-role', 'Only customers have sessions.');
      return { subscriptionId: principal.subscriptionId, customerId: principal.customerId, expiresAt: new Date(principal.expiresAt).toISOString() };
    },
  );

  app.delete(
    '/api/v1/sessions/current',
    {
      config: { access: { operators: [], customer: 'session' } },
      schema: { tags: ['sessions'], summary: 'Log out', response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal.kind === 'customer') await app.services.customers.logout(principal.sessionId);
      reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      return reply.code(204).send(null);
    },
  );
};
