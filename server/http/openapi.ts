// The OpenAPI document at /docs/json and its UI at /docs, generated from the routes' zod schemas.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'ServicePlus control plane',
          version: '1',
          description:
            'Devices, desired state, boosts and fair use. Operators authenticate with a bearer token (`spo_…`); ' +
            'customers log in at POST /api/v1/sessions and send the session token (`sps_…`). ' +
            'Errors are application/problem+json; their types are listed at GET /api/v1/problems.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'An operator token (spo_…) or a customer session token (sps_…)' },
          },
        },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'serviceplus-openapi' },
);
