// Broker logins and topic rights, the same for the embedded Aedes and for an external broker's
// HTTP hook: devices log in with their own id and secret (client id = device id) and get the
// rights of core/broker-policy.ts; the server's principal logs in with its own username.
import { timingSafeEqual } from 'node:crypto';
import { authorizeTopic, clientIdAllowed, isDeviceUsername, type BrokerAction, type BrokerDecision, type BrokerPrincipal } from '../core/broker-policy.js';
import type { DatabaseHandle } from '../db/database.js';
import { verifyDeviceSecret } from '../auth/secrets.js';
import { deviceCredentials, getDevice } from '../store/devices.js';

export type LoginResult = { readonly ok: true; readonly principal: BrokerPrincipal } | { readonly ok: false; readonly reason: string };

export interface ServerPrincipalCredentials {
  readonly username: string;
  /** Unset: the server principal cannot log in through this check (an external broker's own config). */
  readonly password: string | undefined;
}

export class BrokerAuth {
  constructor(
    private readonly store: DatabaseHandle,
    private readonly server: ServerPrincipalCredentials,
  ) {}

  async login(credentials: { username?: string | undefined; password?: string | Buffer | undefined; clientId: string }): Promise<LoginResult> {
    const username = credentials.username ?? '';
    const password = credentials.password === undefined ? '' : credentials.password.toString();
    if (username === '' || password === '') return { ok: false, reason: 'username and password are required' };

    if (username === this.server.username) {
      if (this.server.password === undefined || !sameText(password, this.server.password)) return { ok: false, reason: 'bad server credentials' };
      return { ok: true, principal: { kind: 'server' } };
    }
    if (!isDeviceUsername(username)) return { ok: false, reason: 'not a device id' };
    const stored = await deviceCredentials(this.store.db, username);
    if (!stored || !verifyDeviceSecret(password, stored.secret_salt, stored.secret_hash)) {
      return { ok: false, reason: 'unknown device, revoked, or wrong secret' };
    }
    const principal: BrokerPrincipal = { kind: 'device', deviceId: username };
    if (!clientIdAllowed(principal, credentials.clientId)) return { ok: false, reason: `client id must be the device id (${username})` };
    return { ok: true, principal };
  }

  /** The principal behind an already-authenticated username (ACL checks of an external broker). */
  async principalOf(username: string): Promise<BrokerPrincipal | null> {
    if (username === this.server.username) return { kind: 'server' };
    if (!isDeviceUsername(username)) return null;
    const device = await getDevice(this.store.db, username);
    return device && device.revoked_at === null ? { kind: 'device', deviceId: username } : null;
  }

  authorize(principal: BrokerPrincipal, action: BrokerAction, topic: string): BrokerDecision {
    return authorizeTopic(principal, action, topic);
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
