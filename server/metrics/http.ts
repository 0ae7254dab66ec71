// The HTTP side of the metrics: a hook timing every request by its route pattern (registered
// before the routes, so it sees all of them), and GET /metrics (registered after them, so its
// errors are problem documents like everywhere else).
//
// Who may scrape: with `metricsToken` set, whoever sends it as a bearer token; without it, only
// callers on the loopback interface (a Prometheus or an agent on the same host). The figures
// are not secret, but they tell the size and state of the fleet, so they are not public by
// default; a remote scraper needs the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';
import { UNMATCHED_ROUTE, type ServerMetrics } from './server-metrics.js';

export interface MetricsPluginOptions {
  readonly metrics: ServerMetrics;
}

export const httpMetricsPlugin = fp(
  async (app: FastifyInstance, { metrics }: MetricsPluginOptions) => {
    app.addHook('onResponse', async (request, reply) => {
      // The route pattern (`/api/v1/devices/:deviceId`), never the raw URL: bounded label values.
      metrics.observeHttp(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    });
  },
  { name: 'serviceplus-http-metrics' },
);

export async function metricsRoute(app: FastifyInstance, options: MetricsPluginOptions & { readonly token: string | undefined }): Promise<void> {
  const { metrics, token } = options;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus exposition (text format 0.0.4): fleet, boosts, ingest, MQTT publish and HTTP latency',
        description: 'Send Authorization: Bearer <metricsToken> when the server has one; without it only loopback callers are answered.',
      },
    },
    async (request, reply) => {
      authorizeScrape(request, token);
      const { contentType, body } = await metrics.scrape();
      return reply.type(contentType).header('cache-control', 'no-store').send(body);
    },
  );
}

function authorizeScrape(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    if (isLoopback(request.socket.remoteAddress)) return;
    throw new ApiError('unauthenticated', 'Metrics are served to loopback callers only; set metricsToken on the server and send it as a bearer token.');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1] || !sameSecret(match[1], token)) {
    throw new ApiError('unauthenticated', 'Send the metrics token: Authorization: Bearer <metricsToken>.');
  }
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function sameSecret(given: string, expected: string): boolean {
  // Hashes first: equal lengths for timingSafeEqual, and no early exit on the length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
