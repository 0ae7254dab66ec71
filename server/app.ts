// The HTTP application as a plugin (the fastify/demo layout): problem documents, access
// checks, rate limits, OpenAPI, then one plugin per resource. `buildApp` makes a Fastify
// instance of it that tests drive with `inject()` and server/main.ts listens with.
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from '../shared/log.js';
import { ApiError } from './errors.js';
import { accessPlugin } from './http/access.js';
import { openApiPlugin } from './http/openapi.js';
import { pageRoutes } from './http/pages/index.js';
import { frameworkErrors, problemsPlugin } from './http/problems.js';
import { auditRoutes } from './http/routes/audit.js';
import { boostRoutes } from './http/routes/boosts.js';
import { brokerHookRoutes } from './http/routes/broker-hooks.js';
import { demoRoutes } from './http/routes/demo.js';
import { deviceRoutes } from './http/routes/devices.js';
import { healthRoutes } from './http/routes/health.js';
import { ingestRoutes } from './http/routes/ingest.js';
import { liveRoutes } from './http/routes/live.js';
import { operatorTokenRoutes } from './http/routes/operator-tokens.js';
import { problemRoutes } from './http/routes/problems.js';
import { sessionRoutes } from './http/routes/sessions.js';
import { subscriptionRoutes } from './http/routes/subscriptions.js';
import { usageRoutes } from './http/routes/usage.js';
import { contractRoutes } from './http/routes/contracts.js';
import { coverageRoutes } from './http/routes/coverage.js';
import { entitlementRoutes } from './http/routes/entitlements.js';
import { guaranteeClaimRoutes } from './http/routes/guarantee-claims.js';
import { helpdeskRoutes } from './http/routes/helpdesk.js';
import { swapTicketRoutes } from './http/routes/swap-tickets.js';
import { textGuardPlugin } from './http/text-guard.js';
import type { AppServices } from './http/services.js';
import { httpMetricsPlugin, metricsRoute, type ServerMetrics } from './metrics/index.js';

export interface AppOptions {
  readonly services: AppServices;
}

export const serviceApp = fp(
  async (app: FastifyInstance, { services }: AppOptions) => {
    app.decorate('services', services);
    await app.register(problemsPlugin);
    await app.register(accessPlugin, {
      resolveOperator: (token) => services.operators.resolve(token),
      resolveSession: (token) => services.customers.resolve(token),
      brokerHookToken: services.config.brokerHookToken,
    });
    // After the access check (its preValidation hook comes first), before the schemas.
    await app.register(textGuardPlugin);
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new ApiError('rate-limited', `Too many attempts; try again in ${context.after}.`, { retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
    });
    await app.register(openApiPlugin);
    // A write request may change any router's status view: the cached answers go (issue 9).
    app.addHook('onSend', async (request, _reply, payload) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') services.deviceViews.clear();
      return payload;
    });

    for (const routes of [
      healthRoutes,
      problemRoutes,
      sessionRoutes,
      subscriptionRoutes,
      deviceRoutes,
      boostRoutes,
      usageRoutes,
      auditRoutes,
      operatorTokenRoutes,
      ingestRoutes,
      brokerHookRoutes,
      // R12-R24 (issue 6)
      swapTicketRoutes,
      guaranteeClaimRoutes,
      contractRoutes,
      coverageRoutes,
      entitlementRoutes,
      helpdeskRoutes,
      demoRoutes,
      liveRoutes,
      pageRoutes,
    ]) {
      await app.register(routes);
    }
  },
  { name: 'serviceplus' },
);

export interface BuildOptions {
  /** Prometheus metrics (server/metrics): HTTP latency of every route, and GET /metrics. */
  readonly metrics?: ServerMetrics;
  /** Serve HTTPS with this certificate and key (issue 11); unset, plain HTTP. */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
}

export async function buildApp(services: AppServices, log: Logger, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    loggerInstance: log as FastifyBaseLogger,
    // Our own request log below: it names the route, never the query string (a broker hook
    // token may travel there).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // A URL the router cannot read answers as a problem document like every other refusal.
    frameworkErrors,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // One line per request, through a child without redaction: the line holds only the fields
  // below (nothing there can carry a secret), and redacting by key (shared/log.ts) costs ~70 µs
  // a line, more than a whole bare Fastify request (issue 9, bench/api.ts).
  const accessLog = log.child({}, { redact: [] });
  app.addHook('onResponse', async (request, reply) => {
    accessLog.info(
      { reqId: request.id, method: request.method, route: request.routeOptions.url ?? '(none)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  // The latency hook goes first so it times every route; /metrics after, inside the problem handling.
  if (options.metrics) await app.register(httpMetricsPlugin, { metrics: options.metrics });
  await app.register(serviceApp, { services });
  if (options.metrics) await app.register(metricsRoute, { metrics: options.metrics, token: services.config.metricsToken });
  return app as unknown as FastifyInstance;
}
