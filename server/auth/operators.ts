// Operator bearer tokens with a role (noc, helpdesk, admin). A token is shown once when created
// (by the CLI or an admin) and stored as its SHA-256.
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

export interface Operator {
  readonly tokenId: string;
  readonly name: string;
  readonly role: OperatorRole;
}

export class OperatorTokens {
  /** last_used_at is written at most once a minute per token. */
  private readonly touched = new Map<string, number>();

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
    const row = await operatorTokenByHash(this.store.db, hashToken(token));
    if (!row) return null;
    const now = this.clock.now();
    if ((this.touched.get(row.id) ?? -Infinity) < now - 60_000) {
      this.touched.set(row.id, now);
      await touchOperatorToken(this.store.db, row.id, now);
    }
    return { tokenId: row.id, name: row.name, role: row.role };
  }

  list(): Promise<OperatorTokenRow[]> {
    return listOperatorTokens(this.store.db);
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    const revoked = await revokeOperatorToken(this.store.db, id, this.clock.now());
    if (!revoked) throw new ApiError('token-not-found', `No active operator token ${id}.`);
    await appendAudit(this.store.db, this.clock, { actor, action: 'operator-token.revoked', subjectId: id });
  }
}
