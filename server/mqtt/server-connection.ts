// The server's own MQTT session: it subscribes to every device's up topics and publishes desired
// states. Messages are acknowledged (PUBACK) only once stored, so a crash loses none; on every
// (re)connect the subscriptions are renewed and unpublished desired states go out.
import type { MqttClient } from 'mqtt';
import { allDevicesFilter, UPLINK_KINDS } from '../../shared/contract/index.js';
import type { Logger } from '../../shared/log.js';
import { connectNoDelay } from './tcp-client.js';

export interface ServerConnectionOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string | undefined;
  readonly clientId: string;
  readonly persistentSession: boolean;
  readonly log: Logger;
  /** Each message, in order; the next one waits until this resolves. Must not throw. */
  readonly onMessage: (topic: string, payload: Buffer) => Promise<void>;
  /** After each (re)connect, once subscribed. */
  readonly onConnected: () => void;
}

export class BrokerUnreachableError extends Error {
  override readonly name = 'BrokerUnreachableError';
}

export class ServerConnection {
  private readonly client: MqttClient;
  private lastError: string | null = null;

  constructor(private readonly options: ServerConnectionOptions) {
    const { log } = options;
    this.client = connectNoDelay(options.url, {
      clientId: options.clientId,
      username: options.username,
      ...(options.password === undefined ? {} : { password: options.password }),
      clean: !options.persistentSession,
      resubscribe: false,
    });
    this.client.handleMessage = (packet, done) => {
      options.onMessage(packet.topic, packet.payload as Buffer).then(
        () => done(),
        () => done(),
      );
    };
    this.client.on('connect', (connack) => {
      this.lastError = null;
      log.info({ url: options.url, sessionPresent: connack.sessionPresent }, 'connected to the MQTT broker');
      void this.subscribe();
    });
    this.client.on('error', (error) => {
      this.lastError = error.message;
      log.warn({ url: options.url, err: error.message }, 'MQTT connection error');
    });
    this.client.on('offline', () => log.warn({ url: options.url }, 'MQTT broker unreachable; retrying'));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves at the first connection; rejects after `timeoutMs` with the last error. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('connect', onConnect);
        reject(new BrokerUnreachableError(`cannot connect to the MQTT broker at ${this.options.url}${this.lastError ? `: ${this.lastError}` : ''}`));
      }, timeoutMs);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('connect', onConnect);
    });
  }

  /** QoS 1, retained; resolves at the broker's PUBACK. */
  publishRetained(topic: string, payload: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, payload, { qos: 1, retain: true }, (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private async subscribe(): Promise<void> {
    const filters = Object.fromEntries(UPLINK_KINDS.map((kind) => [allDevicesFilter(kind), { qos: 1 as const }]));
    try {
      const granted = await this.client.subscribeAsync(filters);
      const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) this.options.log.error({ refused }, 'the broker refused the server some subscriptions');
      this.options.onConnected();
    } catch (error) {
      this.options.log.error({ err: error }, 'subscribing to device topics failed');
    }
  }
}
