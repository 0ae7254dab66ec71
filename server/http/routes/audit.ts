// The audit log, newest first: who changed what, when.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAudit } from '../../store/audit.js';
import { errorResponses, Limit } from '../schemas.js';

const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ kind: z.string(), id: z.string() }),
  action: z.string(),
  subscriptionId: z.string().nullable(),
  subjectId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/audit',
    {
      config: { access: { operators: ['helpdesk', 'admin'] } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (pass `next` as `before` for older entries)',
        querystring: z.object({
          subscriptionId: z.string().max(64).optional(),
          action: z.string().max(64).optional(),
          before: z.string().max(64).optional(),
          limit: Limit(),
        }),
        response: { 200: z.object({ items: z.array(AuditEntrySchema), next: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await listAudit(app.services.store.db, request.query);
      return {
        items: rows.map((row) => ({
          id: row.id,
          at: new Date(row.at).toISOString(),
          actor: { kind: row.actor_kind, id: row.actor_id },
          action: row.action,
          subscriptionId: row.subscription_id,
          subjectId: row.subject_id,
          details: JSON.parse(row.details) as Record<string, unknown>,
        })),
        next: rows.length === request.query.limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  );
};
