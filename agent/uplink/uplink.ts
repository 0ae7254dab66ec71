// The MQTT session to the control plane: the device's own credentials, Last Will on `presence`,
// retained `status`, QoS 1 `events`/`usage`/`acks` from the on-disk outbox in order, and the
// retained `desired` coming down. One mqtt.js client per connection attempt, our own jittered
// back-off between attempts, and TCP_NODELAY on the socket (mqtt.js leaves Nagle on, which costs
// ~40 ms per acknowledged message).
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IClientOptions, MqttClient as MqttClientType } from 'mqtt';
// Only the client: the package's index also loads its WebSocket, SOCKS and browser transports,
// which the agent never uses (about 4 MB of resident memory). A CommonJS module: its class is
// the `default` of the module object.
import mqttClientModule from 'mqtt/lib/client';
import type { Cancel, Clock } from '../../shared/clock.js';
import { encodeMessage, topicFor, type MessageOf, type Status } from '../../shared/contract/index.js';
import type { Logger } from '../../shared/log.js';
import { tlsClientOptions } from '../../shared/tls.js';
import { describeError } from '../errors.js';
import { backoffDelayMs, type BackoffSettings } from './backoff.js';
import type { Outbox, OutboxEntry, OutboxKind } from './outbox.js';

const MqttClient = mqttClientModule.default;
type MqttClient = MqttClientType;

export interface UplinkOptions {
  /** `mqtt://host:1883` or `mqtts://host:8883` */
  readonly url: string;
  /** mqtts:// with a private CA: the PEM CA the broker's certificate must chain to (issue 11). */
  readonly ca?: Buffer | undefined;
  readonly deviceId: string;
  readonly secret: string;
  readonly outbox: Outbox;
  readonly clock: Clock;
  readonly log: Logger;
  readonly backoff: BackoffSettings;
  readonly keepaliveS: number;
  readonly connectTimeoutMs: number;
  /** QoS 1 messages in flight at once. */
  readonly window?: number;
  readonly onDesired: (payload: Buffer) => void;
  readonly onConnectionChange?: (connected: boolean) => void;
}

export class Uplink {
  private client: MqttClient | null = null;
  private generation = 0;
  private connected = false;
  private stopping = false;
  private attempt = 0;
  private everConnected = false;
  private cancelRetry: Cancel | null = null;
  /** n of the last outbox entry handed to the current connection. */
  private sentUpTo = 0;
  private inflight = 0;
  private status: Buffer | null = null;
  private statusBusy = false;
  private statusDirty = false;
  private readonly unsubscribeOutbox: () => void;
  private readonly topics: Record<'presence' | 'status' | 'desired' | OutboxKind, string>;

  constructor(private readonly options: UplinkOptions) {
    const id = options.deviceId;
    this.topics = {
      presence: topicFor('presence', id),
      status: topicFor('status', id),
      desired: topicFor('desired', id),
      events: topicFor('events', id),
      usage: topicFor('usage', id),
      acks: topicFor('acks', id),
    };
    this.unsubscribeOutbox = options.outbox.onAppend(() => this.pump());
  }

  start(): void {
    this.connect();
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Queues a message on disk; it goes out in order as soon as the broker is reachable. */
  async send<K extends OutboxKind>(kind: K, message: MessageOf<K>): Promise<void> {
    await this.options.outbox.append(kind, encodeMessage(kind, message).toString('utf8'));
  }

  /** The latest status, retained; only the newest matters, so it bypasses the outbox. */
  setStatus(status: Status): void {
    this.status = encodeMessage('status', status);
    this.statusDirty = true;
    this.publishStatus();
  }

  /** Says goodbye (`presence` offline, reason shutdown) and disconnects cleanly. */
  async stop(timeoutMs = 2_000): Promise<void> {
    this.stopping = true;
    this.cancelRetry?.();
    this.unsubscribeOutbox();
    const client = this.client;
    this.client = null;
    if (!client) return;
    const bye = encodeMessage('presence', { v: 1, state: 'offline', at: this.iso(), reason: 'shutdown' });
    await withTimeout(
      (async () => {
        if (this.connected) await client.publishAsync(this.topics.presence, bye, { qos: 1, retain: true });
        await client.endAsync(false);
      })(),
      timeoutMs,
    ).catch((error: unknown) => this.options.log.debug({ err: describeError(error) }, 'mqtt: unclean goodbye'));
    client.end(true);
    this.setConnected(false);
  }

  private connect(): void {
    if (this.stopping) return;
    const { url, deviceId, secret, keepaliveS, connectTimeoutMs, log } = this.options;
    const target = new URL(url);
    const secure = target.protocol === 'mqtts:';
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(target.port || (secure ? 8883 : 1883));
    const generation = ++this.generation;
    const will = encodeMessage('presence', { v: 1, state: 'offline', at: this.iso(), reason: 'connection-lost' });
    const options: IClientOptions = {
      clientId: deviceId, // the broker accepts a device only under its own id (server/core/broker-policy.ts)
      username: deviceId,
      password: secret,
      protocolVersion: 4,
      clean: true,
      keepalive: keepaliveS,
      connectTimeout: connectTimeoutMs,
      reconnectPeriod: 0, // our own back-off, below
      // mqtt-packet otherwise pre-builds a Buffer for each of the 65 536 packet ids (~6 MB of heap).
      writeCache: false,
      will: { topic: this.topics.presence, payload: will, qos: 1, retain: true },
    };
    const client = new MqttClient(() => {
      const socket: Socket = secure ? tlsConnect(tlsClientOptions(host, port, this.options.ca)) : netConnect({ host, port, noDelay: true });
      socket.setNoDelay(true);
      return socket;
    }, options);
    this.client = client;
    client.on('connect', () => {
      if (generation !== this.generation) return;
      this.attempt = 0;
      this.sentUpTo = 0;
      this.inflight = 0;
      this.setConnected(true);
      log.info({ url: `${target.protocol}//${target.host}`, deviceId }, 'mqtt connected');
      client.subscribe(this.topics.desired, { qos: 1 }, (error) => {
        if (error) log.error({ err: describeError(error) }, 'mqtt: cannot subscribe to desired');
      });
      const hello = encodeMessage('presence', { v: 1, state: 'online', at: this.iso(), ...(this.everConnected ? {} : { reason: 'startup' as const }) });
      this.everConnected = true;
      client.publish(this.topics.presence, hello, { qos: 1, retain: true });
      this.statusDirty = this.status !== null;
      this.statusBusy = false;
      this.publishStatus();
      this.pump();
    });
    client.on('message', (topic, payload) => {
      if (generation === this.generation && topic === this.topics.desired) this.options.onDesired(payload);
    });
    client.on('error', (error) => {
      if (generation === this.generation) log.warn({ err: describeError(error) }, 'mqtt error');
    });
    client.on('close', () => {
      if (generation !== this.generation || this.stopping) return;
      if (this.connected) log.warn('mqtt connection lost');
      this.setConnected(false);
      this.client = null;
      client.removeAllListeners('close');
      client.on('error', () => {});
      client.end(true);
      const delay = backoffDelayMs(this.attempt++, this.options.backoff);
      log.debug({ delay, attempt: this.attempt }, 'mqtt: reconnecting after back-off');
      this.cancelRetry = this.options.clock.setTimeout(() => this.connect(), delay);
    });
  }

  /** Hands outbox entries to the connection in order, a window at a time. */
  private pump(): void {
    const client = this.client;
    if (!client || !this.connected) return;
    const window = this.options.window ?? 32;
    const generation = this.generation;
    for (const entry of this.options.outbox.pending()) {
      if (this.inflight >= window) break;
      if (entry.n <= this.sentUpTo) continue;
      this.sentUpTo = entry.n;
      this.inflight++;
      this.publishEntry(client, entry, generation);
    }
  }

  private publishEntry(client: MqttClient, entry: OutboxEntry, generation: number): void {
    client.publish(this.topics[entry.kind], entry.payload, { qos: 1 }, (error) => {
      if (generation !== this.generation) return; // that connection is gone; the entry is resent on the next
      this.inflight--;
      if (error) {
        this.options.log.debug({ err: describeError(error), n: entry.n }, 'mqtt: publish not acknowledged');
        return;
      }
      void this.options.outbox.delivered(entry.n).then(() => this.pump());
    });
  }

  private publishStatus(): void {
    const client = this.client;
    if (!client || !this.connected || this.statusBusy || !this.statusDirty || !this.status) return;
    this.statusBusy = true;
    this.statusDirty = false;
    const generation = this.generation;
    client.publish(this.topics.status, this.status, { qos: 1, retain: true }, (error) => {
      if (generation !== this.generation) return;
      this.statusBusy = false;
      if (error) this.statusDirty = true;
      this.publishStatus();
    });
  }

  private setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.options.onConnectionChange?.(connected);
  }

  private iso(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
