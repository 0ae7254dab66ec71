// Operator tokens, for admins. (The first one comes from the CLI: `serviceplus server token create`.)
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdSchema } from '../../../shared/contract/index.js';
import { OPERATOR_ROLES } from '../../auth/operators.js';
import { actorOf } from '../access.js';
import { errorResponses } from '../schemas.js';

const TokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(OPERATOR_ROLES),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const operatorTokenRoutes: FastifyPluginAsyncZod = async (app) => {
  const { operators } = app.services;

  app.post(
    '/api/v1/operator-tokens',
    {
      config: { access: { operators: ['admin'] } },
      schema: {
        tags: ['operator tokens'],
        summary: 'Create an operator token (shown once)',
        body: z.object({ name: z.string().trim().min(1).max(100), role: z.enum(OPERATOR_ROLES) }),
        response: { 201: TokenSchema.extend({ token: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { row, token } = await operators.create(request.body, actorOf(request.principal));
      reply.code(201);
      return { id: row.id, name: row.name, role: row.role, createdAt: new Date(row.created_at).toISOString(), lastUsedAt: null, revokedAt: null, token };
    },
  );

  app.get(
    '/api/v1/operator-tokens',
    {
      config: { access: { operators: ['admin'] } },
      schema: { tags: ['operator tokens'], summary: 'List operator tokens (never the tokens themselves)', response: { 200: z.object({ items: z.array(TokenSchema) }), ...errorResponses } },
    },
    async () => ({
      items: (await operators.list()).map((row) => ({
        id: row.id,
        name: row.name,
        role: row.role,
        createdAt: new Date(row.created_at).toISOString(),
        lastUsedAt: isoOrNull(row.last_used_at),
        revokedAt: isoOrNull(row.revoked_at),
      })),
    }),
  );

  app.delete(
    '/api/v1/operator-tokens/:tokenId',
    {
      config: { access: { operators: ['admin'] } },
      schema: {
        tags: ['operator tokens'],
        summary: 'Revoke an operator token',
        // An id, not any text: a NUL in a free string reached PostgreSQL as a 500 (issue 11, test/fuzz/server/api.test.ts).
        params: z.object({ tokenId: IdSchema }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await operators.revoke(request.params.tokenId, actorOf(request.principal));
      return reply.code(204).send(null);
    },
  );
};
