// Customer login for the self-service page (R6): login name and password (scrypt), then a
// session token good for their own subscription only, stored as its SHA-256.
import type { Clock } from '../../shared/clock.js';
import type { DatabaseHandle } from '../db/database.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { deleteExpiredSessions, deleteSession, insertSession, sessionByHash } from '../store/credentials.js';
import { customerByLogin, customerById } from '../store/subscriptions.js';
import { hashToken, randomSecret, verifyAgainstNothing, verifyPassword } from './secrets.js';

export const SESSION_TOKEN_PREFIX = 'sps_';

export interface CustomerSession {
  readonly sessionId: string;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly expiresAt: number;
}

export class CustomerSessions {
  constructor(
    private readonly store: DatabaseHandle,
    private readonly clock: Clock,
    private readonly settings: { readonly sessionMinutes: number; readonly passwordHashCost: number },
  ) {}

  /** Checks the password; an unknown login costs the same time as a wrong password. */
  async login(login: string, password: string): Promise<{ token: string; session: CustomerSession; name: string }> {
    const customer = await customerByLogin(this.store.db, login);
    const ok = customer ? await verifyPassword(password, customer.password_hash) : await verifyAgainstNothing(password, this.settings.passwordHashCost);
    if (!customer || !ok) throw new ApiError('invalid-credentials', 'The login name or the password is wrong.');
    const token = randomSecret(32, SESSION_TOKEN_PREFIX);
    const now = this.clock.now();
    const session: CustomerSession = {
      sessionId: newId('ses', this.clock),
      customerId: customer.id,
      subscriptionId: customer.subscription_id,
      expiresAt: now + this.settings.sessionMinutes * 60_000,
    };
    await insertSession(this.store.db, {
      id: session.sessionId,
      customer_id: customer.id,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: session.expiresAt,
    });
    return { token, session, name: customer.name };
  }

  async resolve(token: string): Promise<CustomerSession | null> {
    if (!token.startsWith(SESSION_TOKEN_PREFIX)) return null;
    const row = await sessionByHash(this.store.db, hashToken(token), this.clock.now());
    if (!row) return null;
    const customer = await customerById(this.store.db, row.customer_id);
    if (!customer) return null;
    return { sessionId: row.id, customerId: customer.id, subscriptionId: customer.subscription_id, expiresAt: row.expires_at };
  }

  logout(sessionId: string): Promise<void> {
    return deleteSession(this.store.db, sessionId);
  }

  purgeExpired(): Promise<number> {
    return deleteExpiredSessions(this.store.db, this.clock.now());
  }
}
