// Routers: enroll one for a subscription (R1), list and show them with presence, path, signal,
// profile, usage and recent events, and rotate a router's credentials.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeviceIdSchema, PathSchema } from '../../../shared/contract/index.js';
import { DeviceViewSchema, EventViewSchema } from '../../services/views.js';
import { actorOf, ALL_OPERATORS } from '../access.js';
import { periodOf } from '../../../shared/period.js';
import { compileSerializer } from '../fast-serializer.js';
import { DeviceParams, errorResponses, Limit, SubscriptionParams } from '../schemas.js';

const CredentialsSchema = z
  .object({
    deviceId: z.string(),
    mqttUrl: z.string(),
    username: z.string(),
    clientId: z.string(),
    password: z.string().describe('Shown once; only its hash is stored'),
  })
  .describe('What the agent needs to connect: MQTT username and client id are the device id');

const EnrollBody = z.object({
  model: z.string().trim().min(1).max(64).describe('As the router reports it over TR-064, e.g. "FRITZ!Box 7490"'),
  serialNumber: z.string().trim().min(1).max(64).optional(),
  deviceId: DeviceIdSchema.optional(),
});

export const deviceRoutes: FastifyPluginAsyncZod = async (app) => {
  const { devices, deviceViews } = app.services;

  app.post(
    '/api/v1/subscriptions/:subscriptionId/devices',
    {
      config: { access: { operators: ['noc', 'admin'] } },
      schema: {
        tags: ['devices'],
        summary: 'Enroll a router (R1: FRITZ!Box 7340, 7360, 7390, 7490); returns its MQTT credentials once',
        params: SubscriptionParams,
        body: EnrollBody,
        response: { 201: z.object({ device: DeviceViewSchema, credentials: CredentialsSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { device, credentials } = await devices.enroll(request.params.subscriptionId, request.body, actorOf(request.principal));
      reply.code(201);
      return { device: await devices.view(device), credentials };
    },
  );

  app.get(
    '/api/v1/devices',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['devices'],
        summary: 'The fleet: presence, path, signal, profile, usage (by id; pass `next` as `after`)',
        querystring: z.object({
          subscriptionId: z.string().max(64).optional(),
          presence: z.enum(['online', 'offline']).optional(),
          path: PathSchema.optional(),
          limit: Limit(1000, 100),
          after: z.string().max(64).optional(),
        }),
        response: { 200: z.object({ items: z.array(DeviceViewSchema), next: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const items = await devices.list(request.query);
      return { items, next: items.length === request.query.limit ? (items.at(-1)?.deviceId ?? null) : null };
    },
  );

  // The NOC's status route, the API's hottest (issue 9, bench/api.ts): its answer is serialized
  // by the compiled serializer and kept in the device view cache until the router changes.
  const DeviceStatusSchema = DeviceViewSchema.extend({ recentEvents: z.array(EventViewSchema) });
  const serializeStatus = compileSerializer(DeviceStatusSchema);
  app.get(
    '/api/v1/devices/:deviceId',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['devices'],
        summary: 'One router, with its 20 most recent events',
        params: DeviceParams,
        response: { 200: DeviceStatusSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { deviceId } = request.params;
      const period = periodOf(app.services.clock.now()).id;
      const json = await deviceViews.read(deviceId, period, async () => serializeStatus(await devices.show(deviceId, 20)));
      // A string with a JSON content type is sent as it is (the type provider expects the object).
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.get(
    '/api/v1/devices/:deviceId/events',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['devices'],
        summary: "A router's events, newest first (pass `before` for older ones)",
        params: DeviceParams,
        querystring: z.object({ limit: Limit(500, 50), before: z.iso.datetime().optional() }),
        response: { 200: z.object({ items: z.array(EventViewSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      await devices.get(request.params.deviceId);
      const before = request.query.before === undefined ? undefined : Date.parse(request.query.before);
      return { items: await devices.events(request.params.deviceId, { limit: request.query.limit, before }) };
    },
  );

  app.post(
    '/api/v1/devices/:deviceId/credentials',
    {
      config: { access: { operators: ['admin'] } },
      schema: {
        tags: ['devices'],
        summary: 'New MQTT credentials for a router (the old ones stop working; shown once)',
        params: DeviceParams,
        response: { 201: CredentialsSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const credentials = await devices.rotateCredentials(request.params.deviceId, actorOf(request.principal));
      reply.code(201);
      return credentials;
    },
  );
};
