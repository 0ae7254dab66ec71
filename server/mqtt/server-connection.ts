// The server's own MQTT session: it subscribes to every device's up topics and publishes desired
// states. Messages are acknowledged (PUBACK) only once stored, so a crash loses none; on every
// (re)connect the subscriptions are renewed and unpublished desired states go out.
// Several instances on one broker (issue 10): with `sharedGroup` the server speaks MQTT 5 and
// subscribes `$share/<group>/sp/v1/devices/+/<kind>`, so the broker hands each message to ONE
// instance of the group. Without it (MQTT 3.1.1 brokers such as Aedes) every instance receives
// every message and stores it idempotently (events by id, usage by seq, the rest by its time):
// the work is repeated, the effect is not.
import type { MqttClient } from 'mqtt';
import { allDevicesFilter, UPLINK_KINDS, type TopicKind } from '../../shared/contract/index.js';
import { redactUrl, type Logger } from '../../shared/log.js';
import { connectNoDelay } from './tcp-client.js';

export interface ServerConnectionOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string | undefined;
  readonly clientId: string;
  readonly persistentSession: boolean;
  /** PEM CA the broker's certificate must chain to (mqtts:// with a private CA); unset, the system's. */
  readonly ca?: Buffer | undefined;
  /** MQTT 5 shared subscription group; unset: plain subscriptions (MQTT 3.1.1). */
  readonly sharedGroup?: string | undefined;
  /** MQTT 5: how long the broker keeps a persistent session (and its queued messages) after a disconnect. */
  readonly sessionExpirySeconds?: number;
  /**
   * False: a publish-only connection (no subscriptions). With PostgreSQL the desired states go out
   * on one of these, so their PUBACKs never queue behind an ingest that waits on a row lock the
   * publisher holds (issue 10; desired-publisher.ts).
   */
  readonly subscribe?: boolean;
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

  /** The broker URL as logs and errors show it: an external broker's URL may carry the password (issue 11). */
  private readonly shownUrl: string;

  constructor(private readonly options: ServerConnectionOptions) {
    const { log } = options;
    const url = redactUrl(options.url);
    this.shownUrl = url;
    this.client = connectNoDelay(options.url, {
      clientId: options.clientId,
      username: options.username,
      ...(options.password === undefined ? {} : { password: options.password }),
      clean: !options.persistentSession,
      ...(options.ca ? { ca: options.ca } : {}),
      resubscribe: false,
      ...(options.sharedGroup
        ? { protocolVersion: 5 as const, ...(options.persistentSession ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? 3_600 } } : {}) }
        : {}),
    });
    this.client.handleMessage = (packet, done) => {
      options.onMessage(packet.topic, packet.payload as Buffer).then(
        () => done(),
        () => done(),
      );
    };
    this.client.on('connect', (connack) => {
      this.lastError = null;
      log.info({ url, sessionPresent: connack.sessionPresent }, 'connected to the MQTT broker');
      if (options.subscribe === false) options.onConnected();
      else void this.subscribe();
    });
    this.client.on('error', (error) => {
      this.lastError = error.message;
      log.warn({ url, err: error.message }, 'MQTT connection error');
    });
    this.client.on('offline', () => log.warn({ url }, 'MQTT broker unreachable; retrying'));
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
        reject(new BrokerUnreachableError(`cannot connect to the MQTT broker at ${this.shownUrl}${this.lastError ? `: ${this.lastError}` : ''}`));
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
    const filters = Object.fromEntries(UPLINK_KINDS.map((kind) => [subscriptionFilter(kind, this.options.sharedGroup), { qos: 1 as const }]));
    try {
      const granted = await this.client.subscribeAsync(filters);
      // MQTT 3.1.1 refuses with 0x80; MQTT 5 with any reason code from 0x80 up.
      const refused = granted.filter((g) => g.qos >= 128).map((g) => g.topic);
      if (refused.length > 0) this.options.log.error({ refused }, 'the broker refused the server some subscriptions');
      this.options.onConnected();
    } catch (error) {
      this.options.log.error({ err: error }, 'subscribing to device topics failed');
    }
  }
}

/** One up kind of every device, shared by the group when there is one. */
export function subscriptionFilter(kind: TopicKind, sharedGroup: string | undefined): string {
  return sharedGroup ? `$share/${sharedGroup}/${allDevicesFilter(kind)}` : allDevicesFilter(kind);
}
