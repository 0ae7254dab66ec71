// Who did something, for the audit trail of tickets, suspensions and contracts.
import { z } from 'zod';
import { IdSchema } from '../../shared/contract/messages.js';

/** Operator roles are the API's (noc, helpdesk, admin); the others act through them or as themselves. */
export const ActorRoleSchema = z.enum(['noc', 'helpdesk', 'admin', 'technician', 'customer', 'system']);
export type ActorRole = z.infer<typeof ActorRoleSchema>;

export const ActorSchema = z.object({ role: ActorRoleSchema, id: IdSchema });
export type Actor = z.infer<typeof ActorSchema>;
