// The embedded broker: Aedes on a TCP port (TLS when given a certificate: mqtts://), enforcing device logins and topic rights itself
// (authenticate, authorizePublish, authorizeSubscribe) through BrokerAuth. Every socket gets
// TCP_NODELAY: Nagle would add about 40 ms to each QoS 1 exchange.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../../shared/log.js';
import type { CertificateAndKey } from '../../shared/tls.js';
import type { BrokerPrincipal } from '../core/broker-policy.js';
import type { BrokerAuth } from './broker-auth.js';
import { indexedMemoryPersistence } from './retained-index.js';

export interface EmbeddedBroker {
  readonly port: number;
  readonly url: string;
  /** Drops a device's connection (its credentials changed). */
  disconnectDevice(deviceId: string): void;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly variable: string,
    what: string,
  ) {
    super(`${what} port ${port} is already in use; set ${variable} to a free port`);
  }
}

// Aedes' AuthErrorCode is a const enum, which isolated modules cannot read.
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export async function startEmbeddedBroker(options: {
  readonly host: string;
  readonly port: number;
  readonly auth: BrokerAuth;
  readonly log: Logger;
  /** Serve mqtts:// with this certificate and key (issue 11); unset, plain mqtt://. */
  readonly tls?: CertificateAndKey | undefined;
}): Promise<EmbeddedBroker> {
  const { auth, log } = options;
  const principals = new WeakMap<Client, BrokerPrincipal>();
  const devices = new Map<string, Client>();

  const aedes = await Aedes.createBroker({
    // Retained messages looked up by topic on SUBSCRIBE, not scanned (see retained-index.ts).
    persistence: indexedMemoryPersistence() as AedesOptions['persistence'],
    authenticate(client, username, password, done) {
      auth
        .login({ username, password, clientId: client.id })
        .then((result) => {
          if (!result.ok) {
            log.warn({ clientId: client.id, username, reason: result.reason }, 'broker login refused');
            const error = Object.assign(new Error(result.reason), {
              returnCode: result.reason.startsWith('client id') ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD,
            }) as AuthenticateError;
            return done(error, false);
          }
          principals.set(client, result.principal);
          if (result.principal.kind === 'device') devices.set(result.principal.deviceId, client);
          done(null, true);
        })
        .catch((error: unknown) => {
          log.error({ err: error }, 'broker login check failed');
          done(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError, false);
        });
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null); // the broker's own messages
      const principal = principals.get(client);
      const decision = principal ? auth.authorize(principal, 'publish', packet.topic) : { allow: false as const, reason: 'not logged in' };
      if (decision.allow) return done(null);
      log.warn({ clientId: client.id, topic: packet.topic, reason: decision.reason }, 'broker publish refused');
      done(new Error(decision.reason));
    },
    authorizeSubscribe(client, subscription, done) {
      const principal = principals.get(client);
      const decision = principal ? auth.authorize(principal, 'subscribe', subscription.topic) : { allow: false as const, reason: 'not logged in' };
      if (decision.allow) return done(null, subscription);
      log.warn({ clientId: client.id, topic: subscription.topic, reason: decision.reason }, 'broker subscribe refused');
      done(null, null); // SUBACK 0x80 for this filter; the connection stays
    },
  });
  aedes.on('clientDisconnect', (client) => {
    const principal = principals.get(client);
    if (principal?.kind === 'device' && devices.get(principal.deviceId) === client) devices.delete(principal.deviceId);
  });

  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a peer that resets is not our problem
    aedes.handle(socket);
  };
  const server: Server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, accept) : createServer(accept);
  // A client that fails the handshake (plain MQTT on the TLS port, a wrong certificate) never reaches Aedes.
  server.on('tlsClientError', (error: Error) => log.debug({ err: error.message }, 'broker TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      aedes.close();
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, 'SP_MQTT_PORT', 'MQTT') : error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const scheme = options.tls ? 'mqtts' : 'mqtt';
  log.info({ host: options.host, port, tls: options.tls !== undefined }, 'embedded MQTT broker listening');

  return {
    port,
    url: `${scheme}://${host}:${port}`,
    disconnectDevice(deviceId) {
      devices.get(deviceId)?.close();
      devices.delete(deviceId);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
