// The auth/ACL hook for an external broker, in the two dialects brokers speak: the
// mosquitto-go-auth HTTP backend (user, superuser, acl; JSON or form; a non-200 status denies)
// and EMQX's HTTP authenticator and authorizer (JSON `result`). Both answer with the ONE policy
// of core/broker-policy.ts through BrokerAuth, as the embedded broker does. The broker must send
// the brokerHookToken (Authorization: Bearer, or `?token=` where it cannot set headers).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientIdAllowed, type BrokerAction } from '../../core/broker-policy.js';
import { errorResponses } from '../schemas.js';

const HookQuery = z.object({ token: z.string().max(200).optional() });
const GoAuthResult = z.object({ Ok: z.boolean(), Error: z.string() });
const EmqxResult = z.object({ result: z.enum(['allow', 'deny', 'ignore']), is_superuser: z.boolean().optional() });

const UserBody = z.object({ username: z.string().max(200), password: z.string().max(500), clientid: z.string().max(200).default('') });
const AclBody = z.object({
  username: z.string().max(200),
  clientid: z.string().max(200).default(''),
  topic: z.string().min(1).max(1000),
  /** mosquitto: 1 read, 2 write, 3 read and write, 4 subscribe. */
  acc: z.coerce.number().int().min(1).max(4),
});
const EmqxAuthzBody = z.object({
  username: z.string().max(200),
  clientid: z.string().max(200).default(''),
  topic: z.string().min(1).max(1000),
  action: z.enum(['publish', 'subscribe', 'all']),
});

const ACC_ACTIONS: Record<number, BrokerAction[]> = { 1: ['read'], 2: ['publish'], 3: ['read', 'publish'], 4: ['subscribe'] };

export const brokerHookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { brokerAuth } = app.services;
  const access = { broker: true } as const;

  // mosquitto-go-auth posts form data when http_params_mode is `form`.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  /** Whether `username` (with `clientid`) may do every one of `actions` on `topic`. */
  async function check(username: string, clientid: string, topic: string, actions: readonly BrokerAction[]): Promise<string | null> {
    const principal = await brokerAuth.principalOf(username);
    if (!principal) return `unknown user ${username}`;
    if (clientid !== '' && !clientIdAllowed(principal, clientid)) return `client id ${clientid} is not allowed for ${username}`;
    for (const action of actions) {
      const decision = brokerAuth.authorize(principal, action, topic);
      if (!decision.allow) return decision.reason;
    }
    return null;
  }

  const goAuth = { ...errorResponses, 200: GoAuthResult, 403: GoAuthResult };

  app.post(
    '/api/v1/broker/mosquitto/user',
    { config: { access }, schema: { tags: ['broker hook'], summary: 'mosquitto-go-auth: check a login', querystring: HookQuery, body: UserBody, response: goAuth } },
    async (request, reply) => {
      const result = await brokerAuth.login({ username: request.body.username, password: request.body.password, clientId: request.body.clientid });
      return result.ok ? { Ok: true, Error: '' } : reply.code(403).send({ Ok: false, Error: result.reason });
    },
  );

  app.post(
    '/api/v1/broker/mosquitto/superuser',
    {
      config: { access },
      schema: { tags: ['broker hook'], summary: 'mosquitto-go-auth: nobody is a superuser (the server principal has its own ACL)', querystring: HookQuery, body: z.object({ username: z.string().max(200) }), response: goAuth },
    },
    async (_request, reply) => reply.code(403).send({ Ok: false, Error: 'no superusers' }),
  );

  app.post(
    '/api/v1/broker/mosquitto/acl',
    { config: { access }, schema: { tags: ['broker hook'], summary: 'mosquitto-go-auth: check a topic right', querystring: HookQuery, body: AclBody, response: goAuth } },
    async (request, reply) => {
      const refusal = await check(request.body.username, request.body.clientid, request.body.topic, ACC_ACTIONS[request.body.acc] ?? []);
      return refusal === null ? { Ok: true, Error: '' } : reply.code(403).send({ Ok: false, Error: refusal });
    },
  );

  app.post(
    '/api/v1/broker/emqx/authn',
    { config: { access }, schema: { tags: ['broker hook'], summary: 'EMQX HTTP authentication', querystring: HookQuery, body: UserBody, response: { 200: EmqxResult, ...errorResponses } } },
    async (request) => {
      const result = await brokerAuth.login({ username: request.body.username, password: request.body.password, clientId: request.body.clientid });
      return { result: result.ok ? ('allow' as const) : ('deny' as const), is_superuser: false };
    },
  );

  app.post(
    '/api/v1/broker/emqx/authz',
    { config: { access }, schema: { tags: ['broker hook'], summary: 'EMQX HTTP authorization', querystring: HookQuery, body: EmqxAuthzBody, response: { 200: EmqxResult, ...errorResponses } } },
    async (request) => {
      const actions: BrokerAction[] = request.body.action === 'all' ? ['publish', 'subscribe'] : [request.body.action];
      const refusal = await check(request.body.username, request.body.clientid, request.body.topic, actions);
      return { result: refusal === null ? ('allow' as const) : ('deny' as const) };
    },
  );
};
