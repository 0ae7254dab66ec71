// The two ways an actor is written: the audit log's (`operator:alice`, with the operator's role)
// and the rules' (`{ role: 'helpdesk', id: 'alice' }`, server/rules/actor.ts). Services take the
// first, as every service does, and hand the rules the second.
import type { Actor as RuleActor } from '../rules/actor.js';
import type { Actor } from '../store/audit.js';

export function ruleActor(actor: Actor): RuleActor {
  switch (actor.kind) {
    case 'operator':
      // An operator whose role is not known counts as the least trusted one that acts on customers.
      return { role: actor.role === 'noc' || actor.role === 'admin' || actor.role === 'helpdesk' ? actor.role : 'helpdesk', id: actor.id };
    case 'customer':
      return { role: 'customer', id: actor.id };
    case 'system':
    case 'device':
      return { role: 'system', id: actor.id };
  }
}

/** The rules' actor as the API shows it. */
export function actorView(actor: RuleActor): { role: string; id: string } {
  return { role: actor.role, id: actor.id };
}
