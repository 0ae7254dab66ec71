// Operator bearer tokens with a role (noc, helpdesk, admin). A token is shown once when created
// (by the CLI or an admin) and stored as its SHA-256.
//
// A token that resolved is remembered for OPERATOR_TOKEN_CACHE_MS (issue 9: the lookup was a
// query on every API request). Revoking it through this instance (the API) forgets it at once;
// revoked elsewhere — another server instance, or the CLI on the store — it keeps working here
// for at most that long. Unknown and revoked tokens are never remembered, so guessing fills nothing.
import type { Clock } from '../../shared/clock.js';
import type { DatabaseHandle } from '../db/database.js';
import { writeTransaction } from '../db/transaction.js';
import type { OperatorRole } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { appendAudit, type Actor } from '../store/audit.js';
import {
  insertOperatorToken,
  listOperatorTokens,
  operatorTokenByHash,
  revokeOperatorToken,
  touchOperatorToken,
  type OperatorTokenRow,
} from '../store/credentials.js';
import { hashToken, randomSecret } from './secrets.js';

export { OPERATOR_ROLES } from './roles.js';
export const OPERATOR_TOKEN_PREFIX = 'spo_';
/** How long a resolved token is trusted without asking the store again (see above). */
export const OPERATOR_TOKEN_CACHE_MS = 2_000;

export interface Operator {
  readonly tokenId: string;
  readonly name: string;
  readonly role: OperatorRole;
}

export class OperatorTokens {
  /** last_used_at is written at most once a minute per token. */
  private readonly touched = new Map<string, number>();
  /** By token hash: tokens that resolved, and until when that holds without asking the store. */
  private readonly resolved = new Map<string, { readonly operator: Operator; readonly until: number }>();

  constructor(
    private readonly store: DatabaseHandle,
    private readonly clock: Clock,
  ) {}

  async create(request: { name: string; role: OperatorRole }, actor: Actor): Promise<{ row: OperatorTokenRow; token: string }> {
    const token = randomSecret(32, OPERATOR_TOKEN_PREFIX);
    const row: OperatorTokenRow = {
      id: newId('tok', this.clock),
      name: request.name,
      role: request.role,
      token_hash: hashToken(token),
      created_at: this.clock.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await writeTransaction(this.store, async (trx) => {
      await insertOperatorToken(trx, row);
      await appendAudit(trx, this.clock, { actor, action: 'operator-token.created', subjectId: row.id, details: { name: row.name, role: row.role } });
    });
    return { row, token };
  }

  /** The operator a bearer token belongs to, or null. */
  async resolve(token: string): Promise<Operator | null> {
    if (!token.startsWith(OPERATOR_TOKEN_PREFIX)) return null;
    const hash = hashToken(token);
    const now = this.clock.now();
    const known = this.resolved.get(hash);
    let operator: Operator;
    if (known && now < known.until) {
      operator = known.operator;
    } else {
      const row = await operatorTokenByHash(this.store.db, hash);
      if (!row) {
        this.resolved.delete(hash);
        return null;
      }
      operator = { tokenId: row.id, name: row.name, role: row.role };
      this.remember(hash, operator, now);
    }
    if ((this.touched.get(operator.tokenId) ?? -Infinity) < now - 60_000) {
      this.touched.set(operator.tokenId, now);
      await touchOperatorToken(this.store.db, operator.tokenId, now);
    }
    return operator;
  }

  private remember(hash: string, operator: Operator, now: number): void {
    if (this.resolved.size >= 1_000) {
      for (const [key, entry] of this.resolved) if (entry.until <= now) this.resolved.delete(key);
      if (this.resolved.size >= 1_000) this.resolved.clear();
    }
    this.resolved.set(hash, { operator, until: now + OPERATOR_TOKEN_CACHE_MS });
  }

  list(): Promise<OperatorTokenRow[]> {
    return listOperatorTokens(this.store.db);
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    const revoked = await revokeOperatorToken(this.store.db, id, this.clock.now());
    for (const [hash, entry] of this.resolved) if (entry.operator.tokenId === id) this.resolved.delete(hash);
    if (!revoked) throw new ApiError('token-not-found', `No active operator token ${id}.`);
    await appendAudit(this.store.db, this.clock, { actor, action: 'operator-token.revoked', subjectId: id });
  }
}
