// A real server for a test: HTTP on an ephemeral port (driven with inject), the store from
// test/helpers/database.ts, and MQTT either on the server's own embedded broker (with device
// authentication) or, with `broker: 'env'` and SP_MQTT_URL set, on that external broker.
import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { TestClock, type Clock } from '../../../shared/clock.js';
import { silentLogger, type Logger } from '../../../shared/log.js';
import { serverConfig, type ServerConfig } from '../../../server/config.js';
import type { OperatorRole } from '../../../server/db/schema.js';
import type { Mailer } from '../../../server/mail/mailer.js';
import { startServer, type RunningServer } from '../../../server/main.js';
import type { TestDatabase } from '../../helpers/database.js';
import { clearRetained } from './device.js';

export interface TestServerOptions {
  /** `embedded` (default): the server's own Aedes; `env`: SP_MQTT_URL when set, else embedded. */
  readonly broker?: 'embedded' | 'env';
  readonly clock?: Clock;
  readonly config?: Partial<Parameters<typeof serverConfig>[0]>;
  readonly mailer?: Mailer;
  readonly log?: Logger;
}

export interface TestServer {
  readonly server: RunningServer;
  readonly clock: Clock;
  readonly config: ServerConfig;
  /** A bearer token per operator role. */
  readonly tokens: Readonly<Record<OperatorRole, string>>;
  /** inject() with `token` as the bearer (or none); JSON bodies. */
  /** Clears this device's retained messages on an external broker once the server stopped. */
  track(deviceId: string): void;
  call(method: InjectOptions['method'], url: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Stops the server; `keepRetained` leaves an external broker's retained messages for a successor. */
  close(options?: { keepRetained?: boolean }): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function testServerConfig(database: TestDatabase, options: TestServerOptions = {}): ServerConfig {
  const external = options.broker === 'env' ? process.env['SP_MQTT_URL'] : undefined;
  return serverConfig({
    httpHost: '127.0.0.1',
    httpPort: 0,
    mqttHost: '127.0.0.1',
    mqttPort: 0,
    ...(external ? { mqttUrl: external } : {}),
    mqttClientId: `serviceplus.test-${randomBytes(5).toString('hex')}`,
    mqttPersistentSession: false,
    dataDir: database.settings.dataDir,
    ...(database.settings.databaseUrl ? { databaseUrl: database.settings.databaseUrl } : {}),
    logLevel: 'silent',
    passwordHashCost: 10,
    ...options.config,
  });
}

export async function startTestServer(t: Teardown, database: TestDatabase, options: TestServerOptions = {}): Promise<TestServer> {
  const config = testServerConfig(database, options);
  const clock = options.clock ?? new TestClock(Date.parse('2026-03-10T09:00:00Z'));
  const server = await startServer(config, {
    clock,
    log: options.log ?? silentLogger(),
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
  let closed = false;
  const tracked: string[] = [];
  const close = async (closeOptions: { keepRetained?: boolean } = {}) => {
    if (closed) return;
    closed = true;
    await server.close();
    // Retained messages outlive the run on an external broker; clear what this server's devices left.
    if (!server.embeddedBroker && !closeOptions.keepRetained) await clearRetained(server.mqttUrl, tracked);
  };
  t.teardown(() => close());
  const operator = { kind: 'system' as const, id: 'test' };
  const tokens = {
    noc: (await server.services.operators.create({ name: 'noc-test', role: 'noc' }, operator)).token,
    helpdesk: (await server.services.operators.create({ name: 'helpdesk-test', role: 'helpdesk' }, operator)).token,
    admin: (await server.services.operators.create({ name: 'admin-test', role: 'admin' }, operator)).token,
    telephony: (await server.services.operators.create({ name: 'telephony-test', role: 'telephony' }, operator)).token,
  };
  return {
    server,
    clock,
    config,
    tokens,
    track(deviceId) {
      tracked.push(deviceId);
    },
    call(method, url, request = {}) {
      const headers: Record<string, string> = { ...request.headers };
      if (request.token) headers['authorization'] = `Bearer ${request.token}`;
      return server.app.inject({
        method,
        url,
        headers,
        ...(request.body === undefined ? {} : { payload: request.body as InjectOptions['payload'] }),
      });
    },
    close,
  };
}
